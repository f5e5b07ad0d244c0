from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's configuration as an app, for the command that serves it: `rmadesk serve`."""

    name = "rmadesk.config"
    label = "config"
    verbose_name = "rmadesk configuration"
