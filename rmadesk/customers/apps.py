from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "rmadesk.customers"
    label = "customers"
