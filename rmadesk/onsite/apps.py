from django.apps import AppConfig


class OnsiteConfig(AppConfig):
    name = "rmadesk.onsite"
    label = "onsite"
