from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "rmadesk.assets"
    label = "assets"
