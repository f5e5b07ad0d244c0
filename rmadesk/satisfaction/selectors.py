"""Reads of satisfaction surveys: one ticket's, the one a link names, and the results.

The results are aggregated by the database (one GROUP BY query for the rows, one for the
comments): count, sum and the five counts of each (period, plan, agent); only the average's
division and rounding happen here, on those sums (`average_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, NotFound
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.satisfaction.choices import Period
from rmadesk.satisfaction.models import MAX_RATING, MIN_RATING, Survey
from rmadesk.satisfaction.permissions import require_results_reader
from rmadesk.satisfaction.tokens import link_expires_at, survey_id_of, token_matches
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket

RATINGS = range(MIN_RATING, MAX_RATING + 1)
MAX_RANGE_DAYS = 366  # one query over at most a year (and its comments)
DEFAULT_DAYS = 84  # without a range: the twelve weeks up to today
# Days a range may name: ratings began long after the first, and the last keeps clear of the
# calendar's end (the range's end is the day after `to`).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)
CENTS = Decimal("0.01")


def survey_of(ticket: Ticket) -> Survey | None:
    """The ticket's survey (asked, rated or both), if any."""
    return Survey.objects.filter(ticket_id=ticket.pk).first()


def rating_of(ticket: Ticket) -> Survey | None:
    """The ticket's survey once the customer rated it."""
    return Survey.objects.filter(ticket_id=ticket.pk, rating__isnull=False).first()


def link_survey(token: str, *, queryset: QuerySet[Survey] | None = None) -> Survey:
    """The survey a rating link names, checked: forged, mistyped or another survey's token is
    NotFound; a link past its time, or for a ticket opened again, is a Conflict.

    It does not refuse a rated survey: the page shows the given rating instead of the form.
    """
    survey_id = survey_id_of(token)
    rows = queryset if queryset is not None else Survey.objects.all()
    found = (
        rows.select_related("ticket", "ticket__customer").filter(pk=survey_id).first()
        if survey_id is not None
        else None
    )
    if found is None or not token_matches(
        token,
        survey_id=found.pk,
        ticket_number=found.ticket.number,
        asked_at=found.asked_at,
    ):
        raise NotFound(_("this rating link is not valid"), field="token")
    if found.is_rated:
        return found
    if found.asked_at is not None and clock.now() > link_expires_at(found.asked_at):
        raise Conflict(
            _(
                "this rating link has expired; you can still rate ticket %(number)s on its "
                "page in the portal"
            )
            % {"number": found.ticket.number},
            field="token",
        )
    if found.ticket.status not in CLOSED_STATUSES:
        raise Conflict(
            _("ticket %(number)s is open again: you can rate it once it is closed")
            % {"number": found.ticket.number},
            field="token",
        )
    return found


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class ResultRow:
    period_start: dt.date
    plan: str
    agent: str | None
    ratings: int
    average: Decimal
    distribution: dict[str, int]


@dataclass(frozen=True)
class ResultComment:
    ticket: int
    rating: int
    comment: str
    agent: str | None
    rated_at: dt.datetime


@dataclass(frozen=True)
class Results:
    start: dt.date
    end: dt.date
    period: str
    rows: list[ResultRow]
    comments: list[ResultComment]


def average_of(total: int, count: int) -> Decimal:
    """The mean rating, rounded half-up to two places (0.00 when nothing was rated)."""
    if count <= 0:
        return Decimal("0.00")
    return (Decimal(total) / Decimal(count)).quantize(CENTS, rounding=ROUND_HALF_UP)


def _agent_name(username: str | None, first: str | None, last: str | None) -> str | None:
    """The agent as the reports name them: their full name, else their user name."""
    if username is None:
        return None  # nobody was assigned when the ticket closed
    full = f"{first or ''} {last or ''}".strip()
    return full or username


def _checked_range(start: dt.date, end: dt.date) -> None:
    for day, field in ((start, "from"), (end, "to")):
        if not EARLIEST <= day <= LATEST:
            raise InvalidInput(
                _("%(field)s is a day from %(earliest)s to %(latest)s")
                % {"field": field, "earliest": EARLIEST, "latest": LATEST},
                field=field,
            )
    if end < start:
        raise InvalidInput(_("'to' is before 'from'"), field="to")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput(
            _("the range is %(days)s days at most") % {"days": MAX_RANGE_DAYS}, field="to"
        )


def _comment(row: Mapping[str, Any]) -> ResultComment:
    return ResultComment(
        ticket=row["ticket__number"],
        rating=row["rating"],
        comment=row["comment"],
        agent=_agent_name(
            row["agent__username"], row["agent__first_name"], row["agent__last_name"]
        ),
        rated_at=row["rated_at"],
    )


def satisfaction_results(
    actor: Actor,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: str = Period.WEEK,
) -> Results:
    """Ratings given from `start` to `end` (both included, days in the vendor's zone), per
    period (weeks start Monday, in the vendor's zone), plan and agent at the close.

    `end` defaults to today, `start` to `DEFAULT_DAYS` before `end`."""
    require_results_reader(actor)
    if period not in Period.values:
        raise InvalidInput(_("period is 'week' or 'month'"), field="period")
    zone = active_policy().vendor_zone
    end = end or clock.now().astimezone(zone).date()
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    _checked_range(start, end)
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    rated = Survey.objects.filter(rating__isnull=False, rated_at__gte=since, rated_at__lt=until)
    truncate = TruncWeek if period == Period.WEEK else TruncMonth
    counts: dict[str, Any] = {f"rated_{n}": Count("pk", filter=Q(rating=n)) for n in RATINGS}
    grouped = (
        rated.annotate(period_start=truncate("rated_at", tzinfo=zone))
        .values("period_start", "plan", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(ratings=Count("pk"), total=Sum("rating"), **counts)
        .order_by("period_start", "plan", "agent__username")
    )
    rows = [
        ResultRow(
            period_start=row["period_start"].astimezone(zone).date(),
            plan=row["plan"],
            agent=_agent_name(
                row["agent__username"], row["agent__first_name"], row["agent__last_name"]
            ),
            ratings=row["ratings"],
            average=average_of(row["total"], row["ratings"]),
            distribution={str(n): row[f"rated_{n}"] for n in RATINGS},
        )
        for row in grouped
    ]
    comment_rows = (
        rated.exclude(comment="")
        .order_by("rated_at", "pk")
        .values(
            "ticket__number",
            "rating",
            "comment",
            "rated_at",
            "agent__username",
            "agent__first_name",
            "agent__last_name",
        )
    )
    comments = [_comment(row) for row in comment_rows]
    return Results(start=start, end=end, period=period, rows=rows, comments=comments)
