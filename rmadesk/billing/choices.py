from django.db import models


class InvoiceKind(models.TextChoices):
    UNRETURNED_PARTS = "unreturned_parts", "unreturned advance-exchange parts (R4)"
    SERVICE = "service", "service or parts"
    REPAIR_QUOTE = "repair_quote", "accepted repair quote, out of warranty (R9)"


class InvoiceStatus(models.TextChoices):
    """Stored states; `overdue` is open past its due date, computed, never stored."""

    OPEN = "open", "open"
    PAID = "paid", "paid"
    CREDITED = "credited", "credited"


class LineKind(models.TextChoices):
    PART = "part", "part"
    SERVICE = "service", "service"
    LATE_FEE = "late_fee", "late fee (F2)"
