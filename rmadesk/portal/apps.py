from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "rmadesk.portal"
    label = "portal"
