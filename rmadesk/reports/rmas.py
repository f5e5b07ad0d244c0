"""RMAs: turnaround from issue to replacement shipped and to part received; expired RMAs;
advance exchanges awaiting return, invoiced, credited; the value of unreturned parts (R1, R4).

Turnaround counts RMAs issued in the range by how many calendar days (24-hour spans) the step
took, or "not yet". The advance-exchange figures are today's standing (every advance exchange
whose replacement has shipped), amounts in the policy's currency, the parts at their RMA
prices. One aggregate query per figure group, whatever the number of RMAs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rmadesk.billing.choices import InvoiceKind, InvoiceStatus
from rmadesk.billing.models import Invoice
from rmadesk.core.permissions import Actor
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.ranges import DateRange
from rmadesk.reports.tables import Table, columns
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.models import Rma, RmaItem

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
# Turnaround buckets in days: (suffix, label, more than, at most).
TURNAROUND = (
    ("within_1_day", gettext_lazy("within 1 day"), None, 1),
    ("1_3_days", gettext_lazy("1-3 days"), 1, 3),
    ("3_7_days", gettext_lazy("3-7 days"), 3, 7),
    ("over_7_days", gettext_lazy("over 7 days"), 7, None),
)
STEPS = (
    ("shipped", gettext_lazy("Replacement shipped"), "replacement_shipped_at"),
    ("received", gettext_lazy("Part received"), "received_at"),
)


@dataclass(frozen=True)
class Figure:
    figure: str  # a stable key (the CSV's and the API's)
    label: str
    count: int
    value: str | None  # an amount with two decimals, where the figure has one


def money_text(amount: Decimal | None) -> str:
    return str((amount or ZERO).quantize(Decimal("0.01")))


def _turnaround(period: DateRange) -> list[Figure]:
    counts: dict[str, Any] = {"issued": Count("id")}
    for step, _label, field in STEPS:
        for suffix, _bucket, more, most in TURNAROUND:
            window = Q(**{f"{field}__isnull": False})
            if more is not None:
                window &= Q(**{f"{field}__gt": F("issued_at") + dt.timedelta(days=more)})
            if most is not None:
                window &= Q(**{f"{field}__lte": F("issued_at") + dt.timedelta(days=most)})
            counts[f"{step}_{suffix}"] = Count("id", filter=window)
        counts[f"{step}_not_yet"] = Count("id", filter=Q(**{f"{field}__isnull": True}))
    found = Rma.objects.filter(period.within("issued_at")).aggregate(**counts)
    figures = [Figure("issued", _("RMAs issued"), found["issued"], None)]
    for step, label, _field in STEPS:
        for suffix, bucket, _more, _most in TURNAROUND:
            figures.append(
                Figure(f"{step}_{suffix}", f"{label}: {bucket}", found[f"{step}_{suffix}"], None)
            )
        figures.append(
            Figure(f"{step}_not_yet", f"{label}: {_('not yet')}", found[f"{step}_not_yet"], None)
        )
    return figures


def _advance_exchanges(period: DateRange) -> list[Figure]:
    expired = Rma.objects.filter(period.within("expired_at"), status=RmaStatus.EXPIRED).count()
    awaiting = Q(
        rma__kind=RmaKind.ADVANCE_EXCHANGE,
        rma__replacement_shipped_at__isnull=False,
        rma__received_at__isnull=True,
    )
    parts = RmaItem.objects.filter(awaiting).aggregate(
        rmas=Count("rma", distinct=True),
        value=Coalesce(Sum("unit_price"), Value(ZERO), output_field=_MONEY),
    )
    invoices = Invoice.objects.filter(kind=InvoiceKind.UNRETURNED_PARTS).aggregate(
        invoiced=Count("id", filter=~Q(status=InvoiceStatus.CREDITED)),
        invoiced_value=Sum("principal", filter=~Q(status=InvoiceStatus.CREDITED)),
        credited=Count("id", filter=Q(status=InvoiceStatus.CREDITED)),
        credited_value=Sum("principal", filter=Q(status=InvoiceStatus.CREDITED)),
    )
    return [
        Figure("expired", _("RMAs expired in the range (R1)"), expired, None),
        Figure(
            "awaiting_return",
            _("Advance exchanges awaiting the defective part (R4): unreturned parts' value"),
            parts["rmas"],
            money_text(parts["value"]),
        ),
        Figure(
            "invoiced",
            _("Unreturned-parts invoices not credited (R4)"),
            invoices["invoiced"],
            money_text(invoices["invoiced_value"]),
        ),
        Figure(
            "credited",
            _("Unreturned-parts invoices credited: the part came back (R4)"),
            invoices["credited"],
            money_text(invoices["credited_value"]),
        ),
    ]


def rma_figures(actor: Actor, period: DateRange) -> list[Figure]:
    require_reports(actor)
    return [*_turnaround(period), *_advance_exchanges(period)]


def figures_table(rows: list[Figure], value_label: str = "") -> Table:
    return Table(
        columns=columns(
            ("figure", _("Figure")),
            ("label", _("What it counts")),
            ("count", _("Count"), True),
            ("value", value_label or _("Value"), True),
        ),
        rows=[dict(row.__dict__) for row in rows],
    )
