from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The `core` app: what every business app relies on (clock, audit events, numbering, users)."""

    name = "rmadesk.core"
    label = "core"
    verbose_name = "rmadesk core"
