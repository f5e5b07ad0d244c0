"""What a staff notification is about, and how each staff user wants to hear of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    NEW_TICKET = "new_ticket", _("New ticket")
    CUSTOMER_REPLY = "customer_reply", _("Customer reply")
    PACKAGE_RECEIVED = "package_received", _("Package received for an RMA")
    BREACH_WARNING = "breach_warning", _("Service level about to breach")
    MENTION = "mention", _("Mention in an internal note")
    QUOTE_ANSWERED = "quote_answered", _("Repair quote accepted or declined")


class Delivery(models.TextChoices):
    """How one staff user hears of one kind: the default is both."""

    BOTH = "both", _("Both")
    IN_APP = "in_app", _("In the app")
    MAIL = "mail", _("By mail")
    OFF = "off", _("Off")

    @property
    def in_app(self) -> bool:
        return self in (Delivery.BOTH, Delivery.IN_APP)

    @property
    def by_mail(self) -> bool:
        return self in (Delivery.BOTH, Delivery.MAIL)
