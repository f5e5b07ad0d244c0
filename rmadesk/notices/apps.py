from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Staff notifications; its handlers subscribe in `rmadesk.notices.subscribers`."""

    name = "rmadesk.notices"
    label = "notices"
    verbose_name = "staff notifications"
