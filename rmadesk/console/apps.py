from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "rmadesk.console"
    label = "console"
