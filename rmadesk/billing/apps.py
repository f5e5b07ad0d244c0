from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Invoices and money; its subscriptions are in `rmadesk.billing.subscribers`."""

    name = "rmadesk.billing"
    label = "billing"
