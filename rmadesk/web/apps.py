from django.apps import AppConfig


class WebConfig(AppConfig):
    """The `web` app: templates (`rmadesk/base.html`, `registration/`), static files and tags."""

    name = "rmadesk.web"
    label = "web"
    verbose_name = "rmadesk web"
