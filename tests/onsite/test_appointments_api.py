"""POST /appointments: 201, or 400 naming W3/W5, 404 for another customer's ticket, 4xx input."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.core import clock
from rmadesk.onsite.models import Appointment
from tests.factories import AssetFactory, CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # Monday 09:00 PST


def onsite_ticket(option: str = "nbd", customer=None):
    customer = customer or CustomerFactory()
    return TicketFactory(asset=AssetFactory(customer=customer, onsite=option), customer=customer)


def test_customer_books_exactly_48_hours_ahead(contact):
    ticket = onsite_ticket()
    with clock.frozen_at(NOW):
        answer = contact(ticket.customer).post(
            "/appointments", {"ticket": ticket.number, "starts_at": "2026-11-25T09:00:00-08:00"}
        )
    assert answer.status == 201, answer.body
    assert answer.body == {
        "id": Appointment.objects.get().pk,
        "ticket": ticket.number,
        "starts_at": "2026-11-25T09:00:00-08:00",
        "requested_at": "2026-11-23T09:00:00-08:00",
        "status": "booked",
        "onsite": "nbd",
    }


def test_w5_short_notice_is_400_with_the_earliest_start(staff):
    ticket = onsite_ticket()
    with clock.frozen_at(NOW):
        answer = staff("agent").post(
            "/appointments", {"ticket": ticket.number, "starts_at": "2026-11-25T08:59:59-08:00"}
        )
    assert answer.status == 400
    assert (answer.body["rule"], answer.body["field"]) == ("W5", "starts_at")
    assert "so the earliest start is Wed 25 Nov 2026 09:00 PST" in answer.body["error"]
    assert not Appointment.objects.exists()


def test_w3_no_onsite_option_is_400(staff):
    ticket = onsite_ticket("none")
    with clock.frozen_at(NOW):
        answer = staff("agent").post(
            "/appointments", {"ticket": ticket.number, "starts_at": "2026-12-01T09:00:00-08:00"}
        )
    assert (answer.status, answer.body["rule"]) == (400, "W3")


def test_another_customers_ticket_is_404_like_a_missing_one(contact):
    mine, theirs = CustomerFactory(), CustomerFactory()
    other = onsite_ticket(customer=theirs)
    me = contact(mine)
    body = {"ticket": other.number, "starts_at": "2026-12-01T09:00:00-08:00"}
    assert me.post("/appointments", body).status == 404
    assert me.post("/appointments", body | {"ticket": 999999}).status == 404
    assert not Appointment.objects.exists()


def test_staff_without_the_role_is_403(staff):
    ticket = onsite_ticket()
    body = {"ticket": ticket.number, "starts_at": "2026-12-01T09:00:00-08:00"}
    with clock.frozen_at(NOW):
        assert staff("finance").post("/appointments", body).status == 403
        assert staff("manager").post("/appointments", body).status == 201


def test_anonymous_is_401(anonymous):
    assert anonymous.post("/appointments", {}).status == 401


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"starts_at": "2026-12-01T09:00:00-08:00"}, "ticket", None),
        ({"ticket": 1}, "starts_at", None),
        ({"ticket": 1, "starts_at": "2026-12-01T09:00:00"}, "starts_at", "T1"),
        ({"ticket": 1, "starts_at": "next week"}, "starts_at", "T1"),
        ({"ticket": "one", "starts_at": "2026-12-01T01:00:00-08:00"}, "ticket", None),
        ({"ticket": 2**64, "starts_at": "2026-12-01T01:00:00-08:00"}, "ticket", None),
        ({"ticket": 1, "starts_at": "2026-12-01T01:00:00-08:00", "room": "B"}, "room", None),
        (
            {"ticket": 1, "starts_at": "2026-12-01T01:00:00-08:00", "requested_at": "x"},
            "requested_at",
            None,
        ),
    ],
)
def test_bad_input_is_422_naming_the_field(staff, body, field, rule):
    answer = staff("agent").post("/appointments", body)
    assert answer.status == 422, answer.body
    assert (answer.body["field"], answer.body["rule"]) == (field, rule)


def test_malformed_json_is_4xx(staff):
    assert 400 <= staff("agent").post("/appointments", raw="[").status < 500
