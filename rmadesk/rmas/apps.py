from django.apps import AppConfig


class RmasConfig(AppConfig):
    name = "rmadesk.rmas"
    label = "rmas"
