"""What an invoice charges and what has settled it (F2, F4): read by services and selectors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from rmadesk.billing.choices import LineKind
from rmadesk.billing.models import Invoice

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Totals:
    """What an invoice charges and what has settled it; `balance` is what is still owed."""

    principal: Decimal
    late_fees: Decimal
    credits: Decimal
    payments: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.late_fees

    @property
    def balance(self) -> Decimal:
        return self.principal + self.late_fees - self.credits - self.payments

    @property
    def unpaid_principal(self) -> Decimal:
        """The principal late fees are charged on (F2): credits and payments reduce it first."""
        return max(ZERO, self.principal - self.credits - self.payments)


def totals_of(invoice: Invoice) -> Totals:
    """Totals read from the database (three aggregate queries), for use under the row lock."""
    late_fees = invoice.lines.filter(kind=LineKind.LATE_FEE).aggregate(s=Sum("amount"))["s"]
    credits = invoice.credit_notes.aggregate(s=Sum("amount"))["s"]
    payments = invoice.payments.aggregate(s=Sum("amount"))["s"]
    return Totals(
        principal=invoice.principal,
        late_fees=late_fees or ZERO,
        credits=credits or ZERO,
        payments=payments or ZERO,
    )
