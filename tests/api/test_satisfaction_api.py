"""Issue 16: GET /reports/satisfaction, for managers and admins: exact JSON, who may read it,
and the query's fields checked by name."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.core.services import add_user
from rmadesk.satisfaction.models import Survey
from tests.api_client import ApiClient
from tests.factories import TicketFactory
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db

URL = "/reports/satisfaction?from=2026-11-01&to=2026-11-15"


@pytest.fixture
def surveys():
    agent = add_user(email="ann@vendor.example", role="agent")
    made = []
    for rating, at, comment in (
        (5, pacific(2026, 11, 2, 9, 0), "Great help"),
        (4, pacific(2026, 11, 3, 9, 0), ""),
        (4, pacific(2026, 11, 8, 23, 30), ""),  # Sunday night: the week of 2 November
    ):
        made.append(
            Survey.objects.create(
                ticket=TicketFactory(plan="silver", status="resolved"),
                asked_at=at - dt.timedelta(hours=1),
                plan="silver",
                severity="S3",
                agent=agent,
                rating=rating,
                rated_at=at,
                comment=comment,
                channel="portal",
            )
        )
    return made


def test_a_manager_reads_weekly_rows_and_comments(staff, surveys):
    answer = staff("manager").get(URL)
    assert answer.status == 200, answer.body
    assert answer.body == {
        "rows": [
            {
                "period_start": "2026-11-02",
                "plan": "silver",
                "agent": "ann@vendor.example",
                "ratings": 3,
                "average": "4.33",
                "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
            }
        ],
        "comments": [
            {
                "ticket": surveys[0].ticket.number,
                "rating": 5,
                "comment": "Great help",
                "agent": "ann@vendor.example",
                "rated_at": "2026-11-02T09:00:00-08:00",  # the vendor's zone for staff
            }
        ],
    }
    monthly = staff("admin").get(URL + "&period=month")
    assert monthly.status == 200
    assert [row["period_start"] for row in monthly.body["rows"]] == ["2026-11-01"]


def test_other_staff_are_refused_customers_find_nothing_anonymous_must_sign_in(
    staff, contact, surveys
):
    for role in ("agent", "clerk", "finance"):
        assert staff(role).get(URL).status == 403, role
    assert contact(surveys[0].ticket.customer).get(URL).status == 404
    assert ApiClient(None).get(URL).status == 401


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("from=2026-11-31&to=2026-12-15", 422, "from"),
        ("from=2026-11-01&to=15.11.2026", 422, "to"),
        ("from=2026-11-01&to=2026-11-15&period=day", 422, "period"),
        ("from=2026-11-15&to=2026-11-01", 400, "to"),
        ("from=2026-11-15&to=9999-12-31", 400, "to"),
    ],
)
def test_a_bad_query_names_its_field(staff, query, status, field):
    answer = staff("manager").get(f"/reports/satisfaction?{query}")
    assert (answer.status, answer.body["field"]) == (status, field), answer.body
