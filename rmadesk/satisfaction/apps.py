from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    """Customer ratings of closed tickets; its subscriptions are in `.subscribers`."""

    name = "rmadesk.satisfaction"
    label = "satisfaction"
