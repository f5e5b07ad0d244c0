from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    """The `core` app: what every business app relies on (clock, audit events, numbering, users)."""

    name = "rmadesk.core"
    label = "core"
    verbose_name = "rmadesk core"

    def ready(self) -> None:
        # Every app's `subscribers` module subscribes to the domain events it reacts to
        # (rmadesk.core.events), the way the admin finds `admin` modules: core knows no app.
        autodiscover_modules("subscribers")
