"""Money: invoices outstanding by how long overdue, late fees accrued, refunds and restocking
fees (F1-F4).

Outstanding is each open invoice's balance (principal and late fees, less credits and
payments), bucketed by days past its due date on the vendor's today; the sums are one SQL
aggregate over the invoices with their totals as subqueries. Late fees accrued are the late-fee
lines added in the range (corrections included); refunds and restocking fees those of
money-back returns received in the range (F3). Amounts in the policy's currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rmadesk.billing.choices import LATE_FEE_KINDS, InvoiceStatus
from rmadesk.billing.models import Invoice, InvoiceLine
from rmadesk.billing.selectors import with_totals
from rmadesk.core.permissions import Actor
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.ranges import DateRange, vendor_today
from rmadesk.reports.rmas import Figure, money_text
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
# Days past the due date: (key, label, more than, at most); "not due" is at most 0.
OVERDUE = (
    ("not_due", gettext_lazy("Outstanding, not yet due"), None, 0),
    ("overdue_1_30", gettext_lazy("Overdue 1-30 days"), 0, 30),
    ("overdue_31_60", gettext_lazy("Overdue 31-60 days"), 30, 60),
    ("overdue_61_90", gettext_lazy("Overdue 61-90 days"), 60, 90),
    ("overdue_over_90", gettext_lazy("Overdue over 90 days"), 90, None),
)


def overdue_window(today: dt.date, more: int | None, most: int | None) -> Q:
    """Invoices more than `more` and at most `most` days past due on `today`."""
    window = Q()
    if more is not None:
        window &= Q(due_on__lt=today - dt.timedelta(days=more))
    if most is not None:
        window &= Q(due_on__gte=today - dt.timedelta(days=most))
    return window


def outstanding(today: dt.date) -> list[Figure]:
    balance = F("principal") + F("late_fee_total") - F("credit_total") - F("payment_total")
    sums: dict[str, Any] = {}
    for key, _label, more, most in OVERDUE:
        window = overdue_window(today, more, most)
        sums[f"{key}_count"] = Count("id", filter=window)
        sums[f"{key}_value"] = Coalesce(
            Sum(balance, filter=window, output_field=_MONEY), Value(ZERO), output_field=_MONEY
        )
    found = with_totals(Invoice.objects.filter(status=InvoiceStatus.OPEN)).aggregate(**sums)
    return [
        Figure(key, str(label), found[f"{key}_count"], money_text(found[f"{key}_value"]))
        for key, label, _more, _most in OVERDUE
    ]


def money_figures(actor: Actor, period: DateRange) -> list[Figure]:
    require_reports(actor)
    fees = InvoiceLine.objects.filter(period.within("added_at"), kind__in=LATE_FEE_KINDS).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    returns = Rma.objects.filter(
        period.within("received_at"), kind=RmaKind.MONEY_BACK, refund_eligible=True
    ).aggregate(
        count=Count("id"),
        refunds=Sum("refund_amount"),
        fees=Count("id", filter=Q(restocking_fee__gt=0)),
        restocking=Sum("restocking_fee"),
    )
    return [
        *outstanding(vendor_today()),
        Figure(
            "late_fees",
            _("Late fees accrued in the range (F2)"),
            fees["count"],
            money_text(fees["total"]),
        ),
        Figure(
            "refunds",
            _("Money-back refunds in the range (F3)"),
            returns["count"],
            money_text(returns["refunds"]),
        ),
        Figure(
            "restocking_fees",
            _("Restocking fees charged in the range (F3)"),
            returns["fees"],
            money_text(returns["restocking"]),
        ),
    ]
