"""Backlog and ageing: open tickets by severity and age in business days; who waits on whom.

Age counts the business days (T2) that have opened since the ticket was opened
(`rmadesk.policy.ageing`); the instants where ages change are computed once, and SQL counts
the tickets between them. Waiting on the customer counts calendar days since the ticket's
next-update clock paused (L5): the customer's time, not the vendor's business hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rmadesk.core import clock
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.policy.ageing import openings_before
from rmadesk.reports.filters import Filters
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.tables import Table, columns
from rmadesk.tickets.choices import ClockKind, TicketStatus
from rmadesk.tickets.models import ServiceClock, Ticket

BUSINESS_CALENDAR = "pacific"  # T2: the calendar business days are counted on
# Age buckets: (key, label, fewest business days, most or None).
AGE_BUCKETS = (
    ("age_0", "0", 0, 0),
    ("age_1", "1", 1, 1),
    ("age_2_4", "2-4", 2, 4),
    ("age_5_9", "5-9", 5, 9),
    ("age_10_plus", "10+", 10, None),
)
WAIT_BUCKETS = (
    ("under_1_day", gettext_lazy("under 1 day"), 0, 1),
    ("days_1_3", gettext_lazy("1-3 days"), 1, 3),
    ("days_3_7", gettext_lazy("3-7 days"), 3, 7),
    ("days_7_plus", gettext_lazy("7 days or more"), 7, None),
)
OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.WAITING_ON_CUSTOMER)


@dataclass(frozen=True)
class Backlog:
    severity: str
    age_0: int
    age_1: int
    age_2_4: int
    age_5_9: int
    age_10_plus: int
    total: int


@dataclass(frozen=True)
class Waiting:
    severity: str
    under_1_day: int
    days_1_3: int
    days_3_7: int
    days_7_plus: int
    total: int
    oldest_since: str | None


def _age_filter(openings: list[dt.datetime], least: int, most: int | None) -> Q:
    """Tickets aged `least` to `most` business days: opened before the least-th latest
    opening and at or after the (most+1)-th (an age the openings cannot reach matches none)."""
    found = Q()
    if least:
        if len(openings) < least:
            return Q(pk__in=[])
        found &= Q(opened_at__lt=openings[least - 1])
    if most is not None and len(openings) > most:
        found &= Q(opened_at__gte=openings[most])
    return found


def backlog(actor: Actor, filters: Filters | None = None) -> list[Backlog]:
    """Open tickets (waiting on us or on the customer) per severity and age, one query."""
    require_reports(actor)
    filters = filters or Filters()
    policy = active_policy()
    now = clock.now()
    openings = openings_before(policy.calendar(BUSINESS_CALENDAR), now, 10, policy.vendor_zone)
    counts = {
        key: Count("id", filter=_age_filter(openings, least, most))
        for key, _label, least, most in AGE_BUCKETS
    }
    found = (
        Ticket.objects.filter(filters.on(), status__in=OPEN_STATUSES)
        .values("severity")
        .annotate(**counts, total=Count("id"))
        .order_by("severity")
    )
    return [Backlog(**row) for row in found]


def waiting_on_customer(actor: Actor, filters: Filters | None = None) -> list[Waiting]:
    """Tickets waiting on the customer per severity, by how long (calendar days), one query."""
    require_reports(actor)
    filters = filters or Filters()
    now = clock.now()
    paused = ServiceClock.objects.filter(
        ticket=OuterRef("pk"), kind=ClockKind.NEXT_UPDATE, paused_at__isnull=False
    ).values("paused_at")[:1]
    counts = {}
    for key, _label, least, most in WAIT_BUCKETS:
        window = Q(since__lte=now - dt.timedelta(days=least))
        if most is not None:
            window &= Q(since__gt=now - dt.timedelta(days=most))
        counts[key] = Count("id", filter=window)
    found = (
        Ticket.objects.filter(filters.on(), status=TicketStatus.WAITING_ON_CUSTOMER)
        .annotate(since=Coalesce(Subquery(paused), F("updated_at"), F("opened_at")))
        .values("severity")
        .annotate(**counts, total=Count("id"), oldest=Min("since"))
        .order_by("severity")
    )
    return [
        Waiting(
            **{k: v for k, v in row.items() if k != "oldest"},
            oldest_since=row["oldest"].isoformat() if row["oldest"] else None,
        )
        for row in found
    ]


def backlog_table(rows: list[Backlog]) -> Table:
    return Table(
        columns=columns(
            ("severity", _("Severity")),
            *(
                (key, _("%(label)s business days") % {"label": label}, True)
                for key, label, _least, _most in AGE_BUCKETS
            ),
            ("total", _("Open"), True),
        ),
        rows=[dict(row.__dict__) for row in rows],
    )


def waiting_table(rows: list[Waiting]) -> Table:
    return Table(
        columns=columns(
            ("severity", _("Severity")),
            *((key, str(label), True) for key, label, _least, _most in WAIT_BUCKETS),
            ("total", _("Waiting on the customer"), True),
            ("oldest_since", _("Longest waiting since (UTC)")),
        ),
        rows=[dict(row.__dict__) for row in rows],
    )
