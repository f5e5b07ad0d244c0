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
    # A later payment found a charged late fee too low (F2): the difference, as a new line.
    LATE_FEE_CORRECTION = "late_fee_correction", "late fee correction (F2)"


# Lines that are late fees: what `Totals.late_fees` sums (F2).
LATE_FEE_KINDS = (LineKind.LATE_FEE, LineKind.LATE_FEE_CORRECTION)


class CreditNoteKind(models.TextChoices):
    CREDIT = "credit", "credit"
    # A payment recorded late lowered a late fee already charged (F2): it credits the fee,
    # not the principal, so it does not lower the principal later months are charged on.
    LATE_FEE_CORRECTION = "late_fee_correction", "late fee correction (F2)"
