"""Reports (issue 16): `GET /reports/...` for staff with the manager or admin role.

Each answers `{"rows": [...]}`, the same rows the console's report page shows beside its chart
and exports as CSV. A range is `from` and `to` (vendor's days, both included, at most 366
days); `period` groups the attainment rows by `week` (from Monday) or `month` (from the 1st),
in the vendor's zone. Another staff role is refused with 403, a customer's contact too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rmadesk.api.auth import user_of
from rmadesk.api.schemas import Out
from rmadesk.reports.attainment import attainment
from rmadesk.reports.backlog import backlog, waiting_on_customer
from rmadesk.reports.breaches import breaches
from rmadesk.reports.filters import Filters
from rmadesk.reports.money import money_figures
from rmadesk.reports.ranges import DateRange, vendor_today
from rmadesk.reports.rmas import rma_figures

router = Router(tags=["reports"])

PlanName = Field(None, pattern=r"^[a-z0-9-]{1,40}$", description="a plan of the policy (L1)")


class RangeQuery(Schema):
    from_: dt.date | None = Field(
        None,
        alias="from",
        description="first day, YYYY-MM-DD (vendor's zone); default: 27 days before `to`",
    )
    to: dt.date | None = Field(
        None, description="last day, included, at most 366 days after `from`; default: today"
    )


class AttainmentQuery(RangeQuery):
    period: Literal["week", "month"] = "week"
    plan: str | None = PlanName
    severity: Literal["S1", "S2", "S3", "S4"] | None = None
    clock: Literal["first_response", "next_update"] | None = None


class BreachQuery(RangeQuery):
    plan: str | None = PlanName
    severity: Literal["S1", "S2", "S3", "S4"] | None = None
    clock: Literal["first_response", "next_update"] | None = None


class BacklogQuery(Schema):
    plan: str | None = PlanName
    severity: Literal["S1", "S2", "S3", "S4"] | None = None


class AttainmentOut(Out):
    period_start: dt.date
    plan: str
    severity: str
    clock: str
    met: int
    breached: int
    median_business_hours: str | None
    p90_business_hours: str | None


class AttainmentReport(Out):
    rows: list[AttainmentOut]


class BreachOut(Out):
    ticket: int
    plan: str
    severity: str
    clock: str
    due_at: str
    answered_at: str | None
    late_business_hours: str | None
    assignee: str
    in_hours: bool


class BreachReport(Out):
    rows: list[BreachOut]


class BacklogOut(Out):
    severity: str
    age_0: int
    age_1: int
    age_2_4: int
    age_5_9: int
    age_10_plus: int
    total: int


class WaitingOut(Out):
    severity: str
    under_1_day: int
    days_1_3: int
    days_3_7: int
    days_7_plus: int
    total: int
    oldest_since: str | None


class BacklogReport(Out):
    rows: list[BacklogOut]
    waiting_on_customer: list[WaitingOut]


class FigureOut(Out):
    figure: str
    label: str
    count: int
    value: str | None


class FigureReport(Out):
    rows: list[FigureOut]


def _range(query: RangeQuery, period: str = "week") -> DateRange:
    last = query.to or vendor_today()
    return DateRange.of(query.from_ or last - dt.timedelta(days=27), last, period)


def _rows(found: list[Any]) -> dict[str, Any]:
    return {"rows": [asdict(row) for row in found]}


@router.get("/reports/attainment", response=AttainmentReport)
def attainment_report(request: HttpRequest, query: Query[AttainmentQuery]) -> dict[str, Any]:
    """First responses and next updates met and breached per period, plan, severity and clock,
    with the median and 90th percentile response times in business hours (L3, L5)."""
    filters = Filters.parse(query.plan, query.severity, query.clock)
    return _rows(attainment(user_of(request), _range(query, query.period), filters))


@router.get("/reports/breaches", response=BreachReport)
def breaches_report(request: HttpRequest, query: Query[BreachQuery]) -> dict[str, Any]:
    """The breaches due in the range, latest first (500 at most)."""
    filters = Filters.parse(query.plan, query.severity, query.clock)
    return _rows(breaches(user_of(request), _range(query), filters))


@router.get("/reports/backlog", response=BacklogReport)
def backlog_report(request: HttpRequest, query: Query[BacklogQuery]) -> dict[str, Any]:
    """Open tickets by severity and age in business days (T2), and those waiting on the
    customer by how long: today's standing, no range."""
    user = user_of(request)
    filters = Filters.parse(query.plan, query.severity)
    return {
        **_rows(backlog(user, filters)),
        "waiting_on_customer": [asdict(row) for row in waiting_on_customer(user, filters)],
    }


@router.get("/reports/rmas", response=FigureReport)
def rmas_report(request: HttpRequest, query: Query[RangeQuery]) -> dict[str, Any]:
    """RMA turnaround (issued in the range) and advance exchanges awaiting return, invoiced
    and credited, with the value of unreturned parts (R1, R4)."""
    return _rows(rma_figures(user_of(request), _range(query)))


@router.get("/reports/money", response=FigureReport)
def money_report(request: HttpRequest, query: Query[RangeQuery]) -> dict[str, Any]:
    """Invoices outstanding by days overdue; late fees, refunds and restocking fees in the
    range (F2, F3)."""
    return _rows(money_figures(user_of(request), _range(query)))
