"""The policy page: the active policy in tables, and the "what would happen" calculator over
`rmadesk.policy.calculator.OPERATIONS`, answering in place with htmx."""

from __future__ import annotations

import pytest

from rmadesk.policy.calculator import OPERATIONS
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(db):
    return client_for(make_user("agent"))


def test_the_policy_in_readable_tables(client):
    response = client.get("/console/policy/")
    assert response.status_code == 200
    text = text_of(html(response))
    assert (
        "Pacific business hours (pacific) T2 Pacific business hours: Mon–Fri 06:00-18:00 "
        "America/Los_Angeles, closed on US public holidays (observed dates) (T2)"
    ) in text
    assert (
        "Gold (gold) 2 hours, 24x7 4 business hours (Pacific business hours) "
        "8 business hours (Pacific business hours) next business day (Pacific business hours) "
        "after hours: S1 (L4)"
    ) in text
    assert "abroad: ∪ the customer's business hours" in text  # Silver S1 (L3)
    assert "not offered" in text and "community support only" in text  # TrueCommand
    assert "Out of scope (P1) data recovery, system administration, network issues" in text
    assert "RMA number valid (R1) 30 days from issue" in text
    assert "Advance-exchange return label (R4) valid 10 days" in text
    assert "Unreturned part invoiced (R4) 14 days after the replacement ships" in text
    assert "Late fee (F2) 1.5% of the unpaid principal per full month overdue" in text
    assert "restocking fee 20% unless waived" in text


def test_one_calculator_form_per_operation_with_labelled_fields(client):
    page = html(client.get("/console/policy/"))
    for name, op in OPERATIONS.items():
        assert f'<input type="hidden" name="op" value="{name}">' in page
        assert f'hx-target="#answer-{name}"' in page
        for field in op.fields:
            assert f'<label for="calc-{name}-{field.name}">' in page
            assert f'id="calc-{name}-{field.name}" name="{field.name}"' in page


def test_t8_due_answer_with_its_explanation_and_rules(client):
    query = {"op": "due", "plan": "gold", "severity": "S2", "opened": "2026-11-25T16:00-08:00"}
    response = client.get("/console/policy/calculate", query, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = html(response)
    assert "<html" not in fragment
    text = text_of(fragment)
    assert "Due 2026-11-27T08:00:00-08:00" in text
    assert "Target 4 business hours" in text
    assert "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day) (rule T2)." in text
    assert "Due Fri 27 Nov 2026 08:00 PST (rule T8)." in text
    assert "Rules: L3, T2, T5, T8" in text


def test_without_javascript_the_answer_comes_in_the_whole_page_with_the_form_filled(client):
    query = {"op": "late-fee", "principal": "1000.00", "due_on": "2026-01-10", "on": "2026-03-15"}
    response = client.get("/console/policy/calculate", query)
    assert response.status_code == 200
    page = html(response)
    assert "<html" in page and 'value="2026-03-15"' in page
    text = text_of(page)
    assert "Months overdue 2" in text and "Late fee 30.00" in text


@pytest.mark.parametrize(
    ("query", "message", "rule"),
    [
        (
            {"op": "due", "plan": "truecommand", "severity": "S1", "opened": "2026-11-25T10:00Z"},
            "S1 is not applicable to TrueCommand",
            "L3",
        ),
        (
            {"op": "due", "plan": "gold", "severity": "S2", "opened": "2026-11-25T10:00"},
            "has no offset",
            "T1",
        ),
        (
            {"op": "due", "plan": "gold", "opened": "2026-11-25T10:00Z"},
            "severity is required",
            "L2",
        ),
        ({"op": "nope"}, "unknown op", "T8"),
    ],
)
def test_refusals_come_back_with_their_rule_and_400(client, query, message, rule):
    response = client.get("/console/policy/calculate", query, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    fragment = html(response)
    assert message in fragment
    assert f"(rule {rule})" in fragment


def test_appointment_answer_names_the_earliest_start(client):
    query = {
        "op": "appointment",
        "requested": "2026-11-18T10:00-08:00",
        "starts": "2026-11-19T10:00-08:00",
    }
    text = text_of(html(client.get("/console/policy/calculate", query, HTTP_HX_REQUEST="true")))
    assert "Ok no" in text and "Rule W5" in text
    assert "Earliest 2026-11-20T10:00:00-08:00" in text
