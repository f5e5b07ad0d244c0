"""Service-level attainment: met and breached per period, plan, severity and clock (L3, L5).

A clock run counts in the period its due instant falls in (vendor's zone, weeks from Monday).
Met and breached are `ClockRun`s (a clock still running and not yet due is not one). Response
times are the runs' business seconds, counted by the policy core on each ticket's own calendar
when the run was answered; the median and 90th percentile are over the answered runs of the
group (`rmadesk.reports.percentiles`). On PostgreSQL they are its `percentile_cont` in the
same GROUP BY as the counts (one pass; the float answer is an exact multiple of 0.1 s, rounded
back to it); elsewhere a ROW_NUMBER/COUNT window query returns the values at the two ranks
around each percentile and the interpolation is done here. Both are linear interpolation
between closest ranks, so the numbers are the same on both databases (the suite runs on each).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from rmadesk.core.permissions import Actor
from rmadesk.reports.filters import Filters
from rmadesk.reports.percentiles import MEDIAN, P90, hours_text, interpolate, ranks
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.ranges import MONTH, DateRange, period_start
from rmadesk.reports.tables import Table, columns
from rmadesk.tickets.choices import ClockState
from rmadesk.tickets.models import ClockRun

GROUP = ("period", "plan", "severity", "kind")
Key = tuple[dt.date, str, str, str]


@dataclass(frozen=True)
class AttainmentRow:
    period_start: str
    plan: str
    severity: str
    clock: str
    met: int
    breached: int
    median_business_hours: str | None
    p90_business_hours: str | None


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(q) WITHIN GROUP (ORDER BY expression)` (NULLs ignored)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: Decimal) -> None:
        super().__init__(expression, fraction=str(fraction))


def _exact(seconds: float | None) -> Decimal | None:
    """percentile_cont's float as the exact Decimal it approximates (a multiple of 0.1 s:
    integer seconds interpolated with a weight in tenths)."""
    return None if seconds is None else Decimal(str(round(seconds, 1)))


def runs_in(period: DateRange, filters: Filters) -> QuerySet[ClockRun]:
    """The runs due in the range (by the vendor's day they fell due on), with `period`: the
    stored Monday or 1st of their week or month, so the groups are read in index order.

    The period column is bounded too (the periods the range touches): it leads the index, so a
    week's runs are read from the index, not found among a year's.
    """
    column = "due_month" if period.period == MONTH else "due_week"
    return ClockRun.objects.filter(
        filters.on(),
        **{f"{column}__gte": period_start(period.first, period.period)},
        **{f"{column}__lte": period.last},
        due_on__gte=period.first,
        due_on__lte=period.last,
    ).annotate(period=F(column))


def _percentiles(period: DateRange, filters: Filters) -> dict[Key, tuple[Decimal, Decimal]]:
    """(median, p90) business seconds per group: SQL numbers each group's answered runs by
    business time and keeps only the ranks the two percentiles need."""
    partition = [F(name) for name in GROUP]
    ranked = (
        runs_in(period, filters)
        .filter(business_seconds__isnull=False)
        .annotate(
            # Ties in business time are equal values: any order among them gives the same
            # percentile, and ordering by the indexed column alone lets PostgreSQL skip a sort.
            rank=Window(RowNumber(), partition_by=partition, order_by=[F("business_seconds")]),
            size=Window(Count("id"), partition_by=partition),
        )
    )
    wanted = Q()
    for numerator in (5, 9):  # the median and the 90th percentile, in integer tenths
        lower = (F("size") - 1) * numerator / 10 + 1
        upper = ((F("size") - 1) * numerator + 9) / 10 + 1
        wanted |= Q(rank=lower) | Q(rank=upper)
    picked: dict[Key, dict[int, int]] = defaultdict(dict)
    sizes: dict[Key, int] = {}
    # No ORDER BY (the model's ordering would sort every numbered row again, for nothing).
    picked_rows = (
        ranked.filter(wanted).order_by().values(*GROUP, "rank", "size", "business_seconds")
    )
    for row in picked_rows:
        key = (row["period"], row["plan"], row["severity"], row["kind"])
        picked[key][row["rank"]] = row["business_seconds"]
        sizes[key] = row["size"]
    answers = {}
    for key, values in picked.items():
        found = []
        for fraction in (MEDIAN, P90):
            low, high, weight = ranks(sizes[key], fraction)
            found.append(interpolate(Decimal(values[low]), Decimal(values[high]), weight))
        answers[key] = (found[0], found[1])
    return answers


def attainment(
    actor: Actor, period: DateRange, filters: Filters | None = None
) -> list[AttainmentRow]:
    """Rows by period start, plan, severity and clock; only groups with a met or breached run."""
    require_reports(actor)
    filters = filters or Filters()
    in_sql = connection.vendor == "postgresql"
    percentiles: dict[str, Any] = {}
    if in_sql:
        percentiles = {
            "median": PercentileCont("business_seconds", MEDIAN),
            "p90": PercentileCont("business_seconds", P90),
        }
    counts = (
        runs_in(period, filters)
        .values(*GROUP)
        .annotate(
            met=Count("id", filter=Q(state=ClockState.MET)),
            breached=Count("id", filter=Q(state=ClockState.BREACHED)),
            **percentiles,
        )
        .order_by(*GROUP)
    )
    times = {} if in_sql else _percentiles(period, filters)
    rows = []
    for row in counts:
        key = (row["period"], row["plan"], row["severity"], row["kind"])
        if in_sql:
            median, p90 = _exact(row["median"]), _exact(row["p90"])
        else:
            median, p90 = times.get(key, (None, None))
        rows.append(
            AttainmentRow(
                period_start=row["period"].isoformat(),
                plan=row["plan"],
                severity=row["severity"],
                clock=row["kind"],
                met=row["met"],
                breached=row["breached"],
                median_business_hours=hours_text(median),
                p90_business_hours=hours_text(p90),
            )
        )
    return rows


def attainment_table(rows: list[AttainmentRow]) -> Table:
    return Table(
        columns=columns(
            ("period_start", _("Period from")),
            ("plan", _("Plan")),
            ("severity", _("Severity")),
            ("clock", _("Clock")),
            ("met", _("Met"), True),
            ("breached", _("Breached"), True),
            ("median_business_hours", _("Median (business h)"), True),
            ("p90_business_hours", _("90th percentile (business h)"), True),
        ),
        rows=[_as_dict(row) for row in rows],
    )


def _as_dict(row: Any) -> dict[str, Any]:
    return dict(row.__dict__)


def met_percent(rows: list[AttainmentRow]) -> Decimal | None:
    """Met as a percentage of met and breached over rows (None when nothing counted)."""
    met = sum(r.met for r in rows)
    total = met + sum(r.breached for r in rows)
    if not total:
        return None
    return (Decimal(100 * met) / total).quantize(Decimal("0.1"))
