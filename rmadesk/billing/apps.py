from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "rmadesk.billing"
    label = "billing"
