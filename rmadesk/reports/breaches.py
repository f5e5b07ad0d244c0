"""Breaches: which tickets, by how much, who was assigned, in hours or out of them (L3, L5).

A breach is a `ClockRun` breached in the range (by its due instant). "By how much" is in
business hours of the ticket's own calendar: the response time less the target, once answered;
a breach nobody has answered yet says so (no figure). "In hours" is whether the due instant fell
inside business hours (`rmadesk.policy.service_levels.response_time`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from rmadesk.core.permissions import Actor
from rmadesk.reports.filters import Filters
from rmadesk.reports.percentiles import hours_text
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.ranges import DateRange
from rmadesk.reports.tables import Table, columns
from rmadesk.tickets.choices import ClockState
from rmadesk.tickets.models import ClockRun

LIMIT = 500  # the page and the export list the latest 500; the counts cover every breach


@dataclass(frozen=True)
class BreachRow:
    ticket: int
    plan: str
    severity: str
    clock: str
    due_at: str
    answered_at: str | None
    late_business_hours: str | None
    assignee: str
    in_hours: bool


@dataclass(frozen=True)
class BreachCount:
    plan: str
    severity: str
    in_hours: int
    out_of_hours: int


def breaches(actor: Actor, period: DateRange, filters: Filters | None = None) -> list[BreachRow]:
    """The breaches in the range, latest due first (at most LIMIT), one query."""
    require_reports(actor)
    filters = filters or Filters()
    found = (
        ClockRun.objects.filter(period.within("due_at"), filters.on(), state=ClockState.BREACHED)
        .annotate(late=F("business_seconds") - F("target_seconds"))
        .values(
            "ticket__number",
            "plan",
            "severity",
            "kind",
            "due_at",
            "answered_at",
            "late",
            "ticket__assignee__email",
            "is_due_in_hours",
        )
        .order_by("-due_at", "-id")[:LIMIT]
    )
    return [
        BreachRow(
            ticket=row["ticket__number"],
            plan=row["plan"],
            severity=row["severity"],
            clock=row["kind"],
            due_at=row["due_at"].isoformat(),
            answered_at=row["answered_at"].isoformat() if row["answered_at"] else None,
            late_business_hours=hours_text(row["late"]),
            assignee=row["ticket__assignee__email"] or "",
            in_hours=row["is_due_in_hours"],
        )
        for row in found
    ]


def breach_counts(
    actor: Actor, period: DateRange, filters: Filters | None = None
) -> list[BreachCount]:
    """Breaches per plan and severity, in and out of business hours: the chart's numbers."""
    require_reports(actor)
    filters = filters or Filters()
    found = (
        ClockRun.objects.filter(period.within("due_at"), filters.on(), state=ClockState.BREACHED)
        .values("plan", "severity")
        .annotate(
            in_hours=Count("id", filter=Q(is_due_in_hours=True)),
            out_of_hours=Count("id", filter=Q(is_due_in_hours=False)),
        )
        .order_by("plan", "severity")
    )
    return [BreachCount(**row) for row in found]


def breaches_table(rows: list[BreachRow]) -> Table:
    return Table(
        columns=columns(
            ("ticket", _("Ticket")),
            ("plan", _("Plan")),
            ("severity", _("Severity")),
            ("clock", _("Clock")),
            ("due_at", _("Due (UTC)")),
            ("answered_at", _("Answered (UTC)")),
            ("late_business_hours", _("Late by (business h)"), True),
            ("assignee", _("Assigned to")),
            ("in_hours", _("Due in business hours")),
        ),
        rows=[{**row.__dict__, "in_hours": "yes" if row.in_hours else "no"} for row in rows],
    )


def breach_counts_table(rows: list[BreachCount]) -> Table:
    return Table(
        columns=columns(
            ("plan", _("Plan")),
            ("severity", _("Severity")),
            ("in_hours", _("In business hours"), True),
            ("out_of_hours", _("Out of hours"), True),
        ),
        rows=[dict(row.__dict__) for row in rows],
    )
