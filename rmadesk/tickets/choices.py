from django.db import models


class Severity(models.TextChoices):
    S1 = "S1", "S1 critical"
    S2 = "S2", "S2 degraded"
    S3 = "S3", "S3 minor"
    S4 = "S4", "S4 request"


class TicketStatus(models.TextChoices):
    OPEN = "open", "open, waiting on the vendor"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "waiting on the customer"
    RESOLVED = "resolved", "resolved"
    OUT_OF_SCOPE = "out_of_scope", "closed as out of scope"
    WARRANTY_DENIED = "warranty_denied", "closed, warranty claim denied"


CLOSED_STATUSES = frozenset(
    {TicketStatus.RESOLVED, TicketStatus.OUT_OF_SCOPE, TicketStatus.WARRANTY_DENIED}
)


class WarrantyDenialCause(models.TextChoices):
    """W2: the only causes a warranty claim (a ticket or an RMA) is denied for."""

    # The labels finish "The warranty does not cover damage caused by ...".
    ACTS_OF_GOD = "acts_of_god", "an act of God (such as a flood, fire, earthquake or lightning)"
    WAR_OR_TERRORISM = "war_or_terrorism", "war or terrorism"
    CUSTOMER_NEGLIGENCE = "customer_negligence", "negligence (mishandling, misuse or neglect)"


class Channel(models.TextChoices):
    PORTAL = "portal", "portal"
    EMAIL = "email", "email"
    PHONE = "phone", "phone"
    VOICEMAIL = "voicemail", "voicemail"


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", "from the customer"
    REPLY = "reply", "agent reply"
    NOTE = "note", "internal note"
    CALL = "call", "phone call"


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "first response"
    NEXT_UPDATE = "next_update", "next update"


class ClockState(models.TextChoices):
    RUNNING = "running", "running"
    PAUSED = "paused", "paused"
    MET = "met", "met"
    BREACHED = "breached", "breached"


class JailsAndPlugins(models.TextChoices):
    """Whether a ticket is about jails or plugins, and whether its contract covers them (P2)."""

    NOT_ABOUT = "", "not about jails or plugins"
    ARRANGED = "arranged", "about jails or plugins, covered by a prior arrangement"
    UNSUPPORTED = "unsupported", "about jails or plugins, no prior arrangement: unsupported"
