"""GET /api/v1/reports/...: the issue's form, exact numbers, who may read, refusals."""

from __future__ import annotations

import pytest

from tests.reports.seed import seed

pytestmark = pytest.mark.django_db

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def test_L3_attainment_api_answers_the_issue_form_and_only_to_managers_and_admins(staff):
    seed()
    answer = staff("manager").get("/reports/attainment", **NOVEMBER, period="week")
    assert answer.status == 200
    assert answer.body["rows"][0] == {
        "period_start": "2026-11-02",
        "plan": "silver",
        "severity": "S2",
        "clock": "first_response",
        "met": 3,
        "breached": 1,
        "median_business_hours": "3.00",
        "p90_business_hours": "7.50",
    }
    assert len(answer.body["rows"]) == 4
    assert staff("admin").get("/reports/attainment", **NOVEMBER).body == answer.body
    for role in ("agent", "clerk", "finance"):
        refused = staff(role).get("/reports/attainment", **NOVEMBER)
        assert refused.status == 403
        assert "manager" in refused.body["error"]
    month = staff("manager").get(
        "/reports/attainment", **NOVEMBER, period="month", plan="gold", severity="S1"
    )
    assert month.body["rows"] == [
        {
            "period_start": "2026-11-01",
            "plan": "gold",
            "severity": "S1",
            "clock": "first_response",
            "met": 0,
            "breached": 1,
            "median_business_hours": None,
            "p90_business_hours": None,
        }
    ]


def test_report_queries_are_refused_naming_the_field(staff):
    manager = staff("manager")
    cases = [
        ({"from": "2026-11-30", "to": "2026-11-01"}, 400, "to"),
        ({"from": "2025-01-01", "to": "2026-11-30"}, 400, "to"),
        ({"from": "1999-12-31", "to": "2000-01-01"}, 400, "from"),
        ({**NOVEMBER, "plan": "platinum"}, 400, "plan"),
        ({**NOVEMBER, "period": "day"}, 422, "period"),
        ({"from": "30/11/2026"}, 422, "from"),
    ]
    for query, status, field in cases:
        answer = manager.get("/reports/attainment", **query)
        assert (answer.status, answer.body["field"]) == (status, field), query


def test_breaches_backlog_rmas_and_money_answer_rows(staff):
    seed()
    manager = staff("manager")
    breaches = manager.get("/reports/breaches", **NOVEMBER).body["rows"]
    assert [(b["ticket"], b["clock"], b["in_hours"]) for b in breaches][:1] == [
        (breaches[0]["ticket"], "first_response", False)  # the Gold S1 at 02:00
    ]
    late = [b for b in breaches if b["late_business_hours"] is not None]
    assert [(b["plan"], b["late_business_hours"]) for b in late] == [("silver", "1.00")]
    backlog = manager.get("/reports/backlog").body
    assert [r["total"] for r in backlog["rows"]] == [1, 5]
    assert backlog["waiting_on_customer"][0]["days_1_3"] == 1
    for path in ("/reports/rmas", "/reports/money"):
        answer = manager.get(path, **NOVEMBER)
        assert answer.status == 200 and answer.body["rows"], path
