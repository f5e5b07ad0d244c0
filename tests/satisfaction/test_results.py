"""Issue 16: the satisfaction results, per period (weeks start Monday in the vendor's zone),
plan and agent at the close: count, average (two places, half-up), the 1-5 distribution, and
the comments; aggregated by the database.

Fixed instants around the end of daylight saving time (Sunday 1 November 2026, Pacific).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput, NotFound, PermissionDenied
from rmadesk.core.services import add_user
from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.selectors import ResultComment, ResultRow, satisfaction_results
from tests.factories import TicketFactory
from tests.reports.test_report_pages import cells_of
from tests.signin import sign_in
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db

NOV_1, NOV_15 = dt.date(2026, 11, 1), dt.date(2026, 11, 15)


def rated(rating: int, at: dt.datetime, *, plan: str = "gold", agent=None, comment="", **more):
    ticket = TicketFactory(plan=plan, status="resolved")
    return Survey.objects.create(
        ticket=ticket,
        asked_at=at - dt.timedelta(hours=1),
        plan=plan,
        severity="S2",
        agent=agent,
        rating=rating,
        rated_at=at,
        comment=comment,
        channel="mail",
        **more,
    )


@pytest.fixture
def manager():
    return add_user(email="meg@vendor.example", role="manager")


@pytest.fixture
def ratings():
    ann = add_user(email="ann@vendor.example", role="agent")
    ann.first_name, ann.last_name = "Ann", "Agent"
    ann.save()
    return {
        "great": rated(5, pacific(2026, 11, 2, 9, 0), agent=ann, comment="Great help"),
        "friday": rated(4, pacific(2026, 11, 6, 17, 0), agent=ann),
        # Sunday 23:30 PST is Monday 07:30 UTC: still the week that began Monday 2 November.
        "sunday": rated(4, pacific(2026, 11, 8, 23, 30), agent=ann),
        "monday": rated(2, pacific(2026, 11, 9, 0, 30), plan="silver", comment="Slow"),
        "before": rated(1, pacific(2026, 10, 31, 23, 0), agent=ann),  # before `from`
        "unrated": Survey.objects.create(
            ticket=TicketFactory(status="resolved"),
            asked_at=pacific(2026, 11, 3, 9, 0),
            plan="gold",
            severity="S2",
            agent=ann,
        ),
    }


def distribution(**counts: int) -> dict[str, int]:
    return {str(n): counts.get(f"r{n}", 0) for n in range(1, 6)}


def test_weekly_rows_per_plan_and_agent_with_exact_numbers(manager, ratings):
    results = satisfaction_results(manager, start=NOV_1, end=NOV_15, period="week")
    assert results.rows == [
        ResultRow(
            dt.date(2026, 11, 2), "gold", "Ann Agent", 3, Decimal("4.33"), distribution(r4=2, r5=1)
        ),
        ResultRow(dt.date(2026, 11, 9), "silver", None, 1, Decimal("2.00"), distribution(r2=1)),
    ]
    assert results.comments == [
        ResultComment(
            ratings["great"].ticket.number, 5, "Great help", "Ann Agent", pacific(2026, 11, 2, 9, 0)
        ),
        ResultComment(
            ratings["monday"].ticket.number, 2, "Slow", None, pacific(2026, 11, 9, 0, 30)
        ),
    ]


def test_monthly_rows_and_the_range_is_days_in_the_vendors_zone(manager, ratings):
    rows = satisfaction_results(manager, start=NOV_1, end=NOV_15, period="month").rows
    assert [(r.period_start, r.plan, r.ratings, r.average) for r in rows] == [
        (dt.date(2026, 11, 1), "gold", 3, Decimal("4.33")),
        (dt.date(2026, 11, 1), "silver", 1, Decimal("2.00")),
    ]
    # 31 October 23:00 PDT is 1 November in UTC, but 31 October on the vendor's clock.
    october = satisfaction_results(manager, start=dt.date(2026, 10, 31), end=dt.date(2026, 10, 31))
    assert [(r.period_start, r.ratings) for r in october.rows] == [(dt.date(2026, 10, 26), 1)]


def test_only_managers_and_admins_read_results_and_the_range_is_checked(manager):
    with pytest.raises(PermissionDenied):
        satisfaction_results(
            add_user(email="a@vendor.example", role="agent"), start=NOV_1, end=NOV_15
        )
    customer = add_user(
        email="c@x.example", role="customer", customer_id=TicketFactory().customer_id
    )
    with pytest.raises(NotFound):
        satisfaction_results(customer, start=NOV_1, end=NOV_15)
    with pytest.raises(InvalidInput) as refused:
        satisfaction_results(manager, start=NOV_15, end=NOV_1)
    assert refused.value.field == "to"
    with pytest.raises(InvalidInput):
        satisfaction_results(manager, start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 2))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=12))
def test_the_average_and_distribution_are_those_of_the_ratings(manager, values):
    Survey.objects.all().delete()
    monday = pacific(2026, 11, 2, 9, 0)
    for n, value in enumerate(values):
        rated(value, monday + dt.timedelta(hours=n))
    [row] = satisfaction_results(manager, start=NOV_1, end=NOV_15).rows
    expected = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (row.ratings, row.average) == (len(values), expected)
    counts = Counter(values)
    assert row.distribution == {str(n): counts[n] for n in range(1, 6)}


def test_the_console_report_and_its_csv_show_the_same_ratings_and_comments(manager, ratings):
    """The console's satisfaction report (issue 16): its tables, read back from the page and
    from the CSV a spreadsheet opens, are the selector's numbers."""
    client = sign_in(Client(), manager)
    query = "/console/reports/satisfaction/?from=2026-11-01&to=2026-11-15&period=week"
    exported = list(
        csv.DictReader(
            io.StringIO(client.get(query + "&format=csv&table=ratings").content.decode())
        )
    )
    assert exported == [
        {"period_start": "2026-11-02", "plan": "gold", "agent": "Ann Agent", "ratings": "3",
         "average": "4.33", "rated_1": "0", "rated_2": "0", "rated_3": "0", "rated_4": "2",
         "rated_5": "1"},
        {"period_start": "2026-11-09", "plan": "silver", "agent": "", "ratings": "1",
         "average": "2.00", "rated_1": "0", "rated_2": "1", "rated_3": "0", "rated_4": "0",
         "rated_5": "0"},
    ]  # fmt: skip
    page = client.get(query).content.decode()
    assert cells_of(page, "table-ratings") == [
        [value or "—" for value in row.values()] for row in exported
    ]
    comments = list(
        csv.DictReader(
            io.StringIO(client.get(query + "&format=csv&table=comments").content.decode())
        )
    )
    assert [(c["ticket"], c["rating"], c["comment"]) for c in comments] == [
        (str(ratings["great"].ticket.number), "5", "Great help"),
        (str(ratings["monday"].ticket.number), "2", "Slow"),
    ]
    assert f'href="/console/tickets/{ratings["great"].ticket.number}/"' in page


def test_the_managers_page_shows_this_weeks_satisfaction(manager, ratings):
    with clock.frozen_at(pacific(2026, 11, 6, 18, 0)):  # Friday of the week of 2 November
        page = sign_in(Client(), manager).get("/console/dashboard/").content.decode()
    figure = page.split('id="figure-satisfaction"', 1)[1].split("</div>", 1)[0]
    assert "4.33/5" in figure  # 5, 4 and 4 in the week from Monday 2 November
    assert "3 ratings" in figure
    assert "/console/reports/satisfaction/?from=2026-11-02&amp;to=2026-11-08" in figure
