from django.db import models


class RmaKind(models.TextChoices):
    REPAIR = "repair", "repair"
    REPLACEMENT = "replacement", "replacement"
    ADVANCE_EXCHANGE = "advance_exchange", "advance exchange"
    MONEY_BACK = "money_back", "money-back return"


class RmaStatus(models.TextChoices):
    ISSUED = "issued", "issued, awaiting the customer's confirmations"
    CONFIRMED = "confirmed", "confirmed (backup, packaging, insurance)"
    LABEL_ISSUED = "label_issued", "return label issued"
    REPLACEMENT_SHIPPED = "replacement_shipped", "replacement shipped, awaiting the return"
    RECEIVED = "received", "return received"
    FLAGGED = "flagged", "received, flagged for rejection"
    REJECTED = "rejected", "return rejected"
    INSPECTED = "inspected", "inspected"
    CLOSED = "closed", "closed"
    EXPIRED = "expired", "expired before the return arrived"
    DENIED = "denied", "warranty claim denied"


class Decision(models.TextChoices):
    REPAIR = "repair", "repair"
    REPLACE = "replace", "replace"


class ReceiptFlag(models.TextChoices):
    """Why a package is flagged for rejection at receiving (R3)."""

    UNREADABLE = "unreadable", "no readable RMA number on the label"
    UNKNOWN = "unknown", "unknown RMA number"
    EXPIRED = "expired", "RMA number expired"


class ShipmentKind(models.TextChoices):
    """What the vendor ships to the customer on an RMA (N1-N3 promise its dates)."""

    ADVANCE_REPLACEMENT = "advance_replacement", "advance-exchange replacement"
    SHIP_BACK = "ship_back", "repaired or replacement system shipped back"


class QuoteStatus(models.TextChoices):
    """A billable repair quote for an asset out of warranty (R9), as the customer answered it."""

    PENDING = "pending", "waiting for the customer's answer"
    ACCEPTED = "accepted", "accepted by the customer"
    DECLINED = "declined", "declined by the customer"
