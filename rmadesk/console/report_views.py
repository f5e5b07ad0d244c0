"""Agent console: the reports and the manager's page (issue 16), for managers and admins.

Each report page is a GET form (date range, period, filters), then for each of its tables a
chart of the same numbers beside it and a CSV export (`?format=csv&table=KEY`) of exactly the
rows shown. The numbers come from `rmadesk.reports` (aggregated in SQL); the view parses the
query, calls the selectors and renders. Another staff role sees the refusal (403); a customer
gets the 404 of every console page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from rmadesk.console.charts import Chart, Series, bar_chart
from rmadesk.console.pages import REFUSALS, refusal_of
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor
from rmadesk.policy.errors import PolicyError
from rmadesk.reports.attainment import attainment, attainment_table
from rmadesk.reports.backlog import (
    AGE_BUCKETS,
    WAIT_BUCKETS,
    backlog,
    backlog_table,
    waiting_on_customer,
    waiting_table,
)
from rmadesk.reports.breaches import breach_counts, breach_counts_table, breaches, breaches_table
from rmadesk.reports.dashboard import dashboard
from rmadesk.reports.filters import Filters, plan_names
from rmadesk.reports.money import money_figures
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.ranges import DateRange
from rmadesk.reports.rmas import figures_table, rma_figures
from rmadesk.reports.tables import Cell, Table, columns
from rmadesk.satisfaction.selectors import RATINGS, average_of, satisfaction_results
from rmadesk.tickets.choices import ClockKind, Severity
from rmadesk.web.decorators import staff_page

REPORTS: tuple[tuple[str, Any, Any], ...] = (
    (
        "attainment",
        gettext_lazy("Service-level attainment"),
        gettext_lazy("First responses and updates met or breached, per plan and severity."),
    ),
    (
        "breaches",
        gettext_lazy("Breaches"),
        gettext_lazy("Which tickets, by how much, who was assigned, in or out of hours."),
    ),
    (
        "backlog",
        gettext_lazy("Backlog and ageing"),
        gettext_lazy("Open tickets by age in business days; tickets waiting on the customer."),
    ),
    (
        "rmas",
        gettext_lazy("RMAs and advance exchanges"),
        gettext_lazy("Turnaround, expired RMAs, parts awaiting return and their value."),
    ),
    (
        "money",
        gettext_lazy("Money"),
        gettext_lazy("Invoices outstanding by age, late fees, refunds and restocking fees."),
    ),
    (
        "satisfaction",
        gettext_lazy("Customer satisfaction"),
        gettext_lazy("Closed tickets' ratings per plan and agent, with the comments."),
    ),
)
# Which filters each report's form shows.
FORM_FIELDS = {
    "attainment": ("range", "period", "plan", "severity", "clock"),
    "breaches": ("range", "plan", "severity", "clock"),
    "backlog": ("plan", "severity"),
    "rmas": ("range",),
    "money": ("range",),
    "satisfaction": ("range", "period"),
}


@dataclass(frozen=True)
class Section:
    key: str  # the CSV's table=
    title: str
    chart: Chart | None  # a list of records (each breach) has its table only
    table: Table


Builder = Callable[[Actor, DateRange, Filters], list[Section]]


def _queue(**query: str) -> str:
    return reverse("console:queue") + "?" + urlencode(query)


def _attainment(user: Actor, period: DateRange, filters: Filters) -> list[Section]:
    rows = attainment(user, period, filters)
    table = attainment_table(rows)
    chart = bar_chart(
        _("Met and breached per period, plan, severity and clock"),
        (Series("met", _("met")), Series("breached", _("breached"))),
        [
            (
                f"{r.period_start[5:]} {r.plan} {r.severity} {_short_clock(r.clock)}",
                (r.met, r.breached),
            )
            for r in rows
        ],
    )
    breaches_url = reverse("console:report_breaches")
    links = [
        breaches_url
        + "?"
        + urlencode(
            {
                "from": r.period_start,
                "to": period.last.isoformat(),
                "plan": r.plan,
                "severity": r.severity,
                "clock": r.clock,
            }
        )
        for r in rows
    ]
    table = Table(table.columns, table.rows, links)
    return [Section("attainment", _("Attainment"), chart, table)]


def _short_clock(kind: str) -> str:
    return _("first") if kind == ClockKind.FIRST_RESPONSE else _("update")


def _breaches(user: Actor, period: DateRange, filters: Filters) -> list[Section]:
    counts = breach_counts(user, period, filters)
    chart = bar_chart(
        _("Breaches per plan and severity, in and out of business hours"),
        (Series("in_hours", _("in business hours")), Series("out_of_hours", _("out of hours"))),
        [(f"{c.plan} {c.severity}", (c.in_hours, c.out_of_hours)) for c in counts],
    )
    rows = breaches(user, period, filters)
    listed = breaches_table(rows)
    listed = Table(
        listed.columns,
        listed.rows,
        [reverse("console:ticket", args=[r.ticket]) for r in rows],
    )
    return [
        Section("counts", _("Breaches per plan and severity"), chart, breach_counts_table(counts)),
        Section("breaches", _("Each breach, latest first (500 at most)"), None, listed),
    ]


def _backlog(user: Actor, period: DateRange, filters: Filters) -> list[Section]:
    rows = backlog(user, filters)
    ages = tuple(
        Series(key, _("%(label)s business days") % {"label": label})
        for key, label, _least, _most in AGE_BUCKETS
    )
    chart = bar_chart(
        _("Open tickets per severity by age in business days"),
        ages,
        [(r.severity, tuple(getattr(r, s.key) for s in ages)) for r in rows],
    )
    table = backlog_table(rows)
    table = Table(table.columns, table.rows, [_queue(severity=r.severity) for r in rows])
    waiting = waiting_on_customer(user, filters)
    waits = tuple(Series(key, str(label)) for key, label, _least, _most in WAIT_BUCKETS)
    wait_chart = bar_chart(
        _("Tickets waiting on the customer, by how long"),
        waits,
        [(r.severity, tuple(getattr(r, s.key) for s in waits)) for r in waiting],
    )
    wait_table = waiting_table(waiting)
    wait_table = Table(
        wait_table.columns,
        wait_table.rows,
        [_queue(status="waiting_on_customer", severity=r.severity) for r in waiting],
    )
    return [
        Section("backlog", _("Open tickets by age"), chart, table),
        Section("waiting", _("Waiting on the customer"), wait_chart, wait_table),
    ]


def _rmas(user: Actor, period: DateRange, filters: Filters) -> list[Section]:
    figures = rma_figures(user, period)
    turnaround = [f for f in figures if f.figure.startswith(("shipped_", "received_"))]
    chart = bar_chart(
        _("RMAs issued in the range: days from issue to each step"),
        (Series("count", _("RMAs")),),
        [(f.label, (f.count,)) for f in turnaround],
    )
    rmas_url = reverse("console:rmas")
    links = {
        "expired": rmas_url + "?status=expired",
        "awaiting_return": rmas_url + "?status=replacement_shipped&kind=advance_exchange",
        "invoiced": reverse("console:invoices") + "?show=open",
    }
    table = figures_table(figures)
    table = Table(table.columns, table.rows, [links.get(f.figure, "") for f in figures])
    return [Section("rmas", _("RMA figures"), chart, table)]


def _money(user: Actor, period: DateRange, filters: Filters) -> list[Section]:
    figures = money_figures(user, period)
    outstanding = [f for f in figures if f.figure.startswith(("not_due", "overdue_"))]
    chart = bar_chart(
        _("Outstanding balance by days overdue"),
        (Series("value", _("balance")),),
        [(f.label, (Decimal(f.value or "0"),)) for f in outstanding],
    )
    invoices = reverse("console:invoices")
    table = figures_table(figures, _("Amount"))
    links = [
        invoices + ("?show=open" if f.figure == "not_due" else "")
        if f.figure in {o.figure for o in outstanding}
        else ""
        for f in figures
    ]
    return [Section("money", _("Money"), chart, Table(table.columns, table.rows, links))]


STARS = tuple(str(n) for n in RATINGS)


def _satisfaction(user: Actor, period: DateRange, filters: Filters) -> list[Section]:
    """The survey's results (issue 16): ratings per period, plan and agent at the close."""
    require_reports(user)  # the reports' refusal, the same on every report page
    results = satisfaction_results(user, start=period.first, end=period.last, period=period.period)
    rated = columns(
        ("period_start", _("Period from")),
        ("plan", _("Plan")),
        ("agent", _("Agent")),
        ("ratings", _("Ratings"), True),
        ("average", _("Average (1–5)"), True),
        *((f"rated_{n}", _("%(n)s of 5") % {"n": n}, True) for n in STARS),
    )
    rows: list[dict[str, Cell]] = [
        {
            "period_start": r.period_start.isoformat(),
            "plan": r.plan,
            "agent": r.agent or "",
            "ratings": r.ratings,
            "average": str(r.average),
            **{f"rated_{n}": r.distribution[n] for n in STARS},
        }
        for r in results.rows
    ]
    chart = bar_chart(
        _("Ratings per period, plan and agent, from 1 to 5"),
        tuple(Series(f"rated_{n}", _("%(n)s of 5") % {"n": n}) for n in STARS),
        [
            (
                f"{r.period_start.isoformat()[5:]} {r.plan} {r.agent or '—'}",
                tuple(r.distribution[n] for n in STARS),
            )
            for r in results.rows
        ],
    )
    said = columns(
        ("ticket", _("Ticket"), True),
        ("rating", _("Rating"), True),
        ("comment", _("Comment")),
        ("agent", _("Agent")),
        ("rated_at", _("Rated at (UTC)")),
    )
    comments: list[dict[str, Cell]] = [
        {
            "ticket": c.ticket,
            "rating": c.rating,
            "comment": c.comment,
            "agent": c.agent or "",
            "rated_at": c.rated_at.astimezone(dt.UTC).isoformat(timespec="minutes"),
        }
        for c in results.comments
    ]
    return [
        Section("ratings", _("Ratings"), chart, Table(rated, rows)),
        Section(
            "comments",
            _("Comments"),
            None,
            Table(
                said,
                comments,
                [reverse("console:ticket", args=[c.ticket]) for c in results.comments],
            ),
        ),
    ]


def satisfaction_figure(user: Actor, week: DateRange) -> tuple[int, Decimal | None]:
    """This week's ratings and their average, for the manager's page."""
    results = satisfaction_results(user, start=week.first, end=week.last, period=week.period)
    count = sum(r.ratings for r in results.rows)
    total = sum(int(n) * r.distribution[n] for r in results.rows for n in STARS)
    return count, average_of(total, count) if count else None


BUILDERS: dict[str, Builder] = {
    "attainment": _attainment,
    "breaches": _breaches,
    "backlog": _backlog,
    "rmas": _rmas,
    "money": _money,
    "satisfaction": _satisfaction,
}


def _title(name: str) -> str:
    return next(str(title) for key, title, _about in REPORTS if key == name)


def _context(request: HttpRequest, name: str) -> dict[str, Any]:
    return {
        "report": name,
        "title": _title(name),
        "reports": REPORTS,
        "fields": FORM_FIELDS[name],
        "plans": [("", _("any plan")), *((p, p) for p in plan_names())],
        "severities": [("", _("any severity")), *((s, s) for s in Severity.values)],
        "clocks": [("", _("both clocks")), *ClockKind.choices],
        "periods": [("week", _("week (from Monday)")), ("month", _("month"))],
        "query": {key: request.GET.get(key, "") for key in FORM_FIELDS_ALL},
    }


FORM_FIELDS_ALL = ("from", "to", "period", "plan", "severity", "clock")


@staff_page
@require_GET
def report_page(request: HttpRequest, name: str) -> HttpResponse:
    context = _context(request, name)
    get = request.GET
    try:
        period = DateRange.parse(get.get("from"), get.get("to"), get.get("period"))
        filters = Filters.parse(get.get("plan"), get.get("severity"), get.get("clock"))
        sections = BUILDERS[name](request.user, period, filters)
    except (*REFUSALS, PolicyError) as error:
        if isinstance(error, NotFound):
            raise
        refusal = refusal_of(error)
        context.update(sections=[], refusal=refusal)
        return render(request, "console/reports/report.html", context, status=refusal.status)
    if get.get("format") == "csv":
        wanted = get.get("table") or sections[0].key
        section = next((s for s in sections if s.key == wanted), sections[0])
        response = HttpResponse(section.table.csv_text(), content_type="text/csv; charset=utf-8")
        filename = f"rmadesk-{name}-{section.key}-{period.first}-{period.last}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    query = {**period.query(), **filters.query()}
    context.update(
        sections=sections,
        period=period,
        query={**context["query"], **query},
        csv_query={s.key: urlencode({**query, "format": "csv", "table": s.key}) for s in sections},
    )
    return render(request, "console/reports/report.html", context)


@staff_page
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    try:
        require_reports(request.user)
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise
        refusal = refusal_of(error)
        context = {"reports": REPORTS, "refusal": refusal}
        return render(request, "console/reports/index.html", context, status=refusal.status)
    return render(request, "console/reports/index.html", {"reports": REPORTS})


@staff_page
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The manager's page: today's figures, each a link to the tickets or the report behind it."""
    try:
        figures = dashboard(request.user)
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise
        refusal = refusal_of(error)
        return render(
            request, "console/reports/dashboard.html", {"refusal": refusal}, status=refusal.status
        )
    today = figures.today.isoformat()
    attainment_url = reverse("console:report_attainment")
    links = {
        "breaches_today": reverse("console:report_breaches") + f"?from={today}&to={today}",
        "about_to_breach": _queue(due="hour"),
        "this_week": attainment_url + "?" + urlencode(figures.week.query()),
        "last_week": attainment_url + "?" + urlencode(figures.last_week.query()),
        "unassigned_s1": _queue(severity="S1", assignee="none"),
        "unassigned_s2": _queue(severity="S2", assignee="none"),
        "rmas_expired": reverse("console:rmas") + "?status=expired",
        "parts_past_return": reverse("console:rmas")
        + "?status=replacement_shipped&kind=advance_exchange",
        "overdue_money": reverse("console:invoices"),
        "satisfaction": reverse("console:report_satisfaction")
        + "?"
        + urlencode(figures.week.query()),
    }
    rated, average = satisfaction_figure(request.user, figures.week)
    chart = bar_chart(
        _("Met and breached this week, per plan, severity and clock"),
        (Series("met", _("met")), Series("breached", _("breached"))),
        [
            (f"{r.plan} {r.severity} {_short_clock(r.clock)}", (r.met, r.breached))
            for r in figures.this_week
        ],
    )
    return render(
        request,
        "console/reports/dashboard.html",
        {
            "figures": figures,
            "links": links,
            "chart": chart,
            "reports": REPORTS,
            "rated_this_week": rated,
            "average_this_week": average,
        },
    )
