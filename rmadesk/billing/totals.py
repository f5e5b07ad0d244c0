"""What an invoice charges and what has settled it (F2, F4): read by services and selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from rmadesk.billing.choices import LATE_FEE_KINDS, CreditNoteKind
from rmadesk.billing.models import Invoice
from rmadesk.policy.money import Settlement

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Totals:
    """What an invoice charges and what has settled it; `balance` is what is still owed.

    `late_fees` are the late-fee lines (with any correction lines); `credits` every credit
    note, of which `late_fee_credits` are corrections of late fees charged too high (F2): they
    lower the balance but not the principal.
    """

    principal: Decimal
    late_fees: Decimal
    credits: Decimal
    payments: Decimal
    late_fee_credits: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return self.principal + self.late_fees

    @property
    def balance(self) -> Decimal:
        return self.principal + self.late_fees - self.credits - self.payments

    @property
    def net_late_fees(self) -> Decimal:
        """The late fees charged, less the corrections credited (F2)."""
        return self.late_fees - self.late_fee_credits

    @property
    def unpaid_principal(self) -> Decimal:
        """The principal late fees are charged on (F2): credits and payments reduce it first."""
        return max(ZERO, self.principal - (self.credits - self.late_fee_credits) - self.payments)


def totals_of(invoice: Invoice) -> Totals:
    """Totals read from the database (four aggregate queries), for use under the row lock."""
    late_fees = invoice.lines.filter(kind__in=LATE_FEE_KINDS).aggregate(s=Sum("amount"))["s"]
    credits = invoice.credit_notes.aggregate(s=Sum("amount"))["s"]
    fee_credits = invoice.credit_notes.filter(kind=CreditNoteKind.LATE_FEE_CORRECTION).aggregate(
        s=Sum("amount")
    )["s"]
    payments = invoice.payments.aggregate(s=Sum("amount"))["s"]
    return Totals(
        principal=invoice.principal,
        late_fees=late_fees or ZERO,
        credits=credits or ZERO,
        payments=payments or ZERO,
        late_fee_credits=fee_credits or ZERO,
    )


def settlements_of(invoice: Invoice, zone: dt.tzinfo) -> list[Settlement]:
    """The payments and principal credit notes of an invoice, each on its date in `zone` (F2).

    Dated by when the money was received (a payment's `received_at`) or the credit issued,
    never by when it was recorded: late fees are charged on what was unpaid at each month's end.
    """
    payments = [
        Settlement(on=received.astimezone(zone).date(), amount=amount)
        for received, amount in invoice.payments.values_list("received_at", "amount")
    ]
    credits = [
        Settlement(on=issued.astimezone(zone).date(), amount=amount)
        for issued, amount in invoice.credit_notes.exclude(
            kind=CreditNoteKind.LATE_FEE_CORRECTION
        ).values_list("issued_at", "amount")
    ]
    return payments + credits
