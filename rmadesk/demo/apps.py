from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The `demo` app: the `rmadesk demo` command and the records it loads. No models."""

    name = "rmadesk.demo"
    label = "demo"
    verbose_name = "rmadesk demo"
