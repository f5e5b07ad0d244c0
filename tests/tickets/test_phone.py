"""Phone calls logged by agents, with exact values from POLICY.md (L3, L4, T1, T4, T5, T6)."""

from __future__ import annotations

import pytest

from rmadesk.core import clock
from rmadesk.core.errors import DomainError
from rmadesk.core.permissions import PermissionDenied
from rmadesk.policy.errors import PolicyError
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.phone import log_call
from rmadesk.tickets.selectors import ticket_history
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db


def first_response(ticket: Ticket) -> ServiceClock:
    return ServiceClock.objects.get(ticket=ticket, kind="first_response")


def test_l4_bronze_call_friday_1900_pst_is_a_voicemail_due_monday_1800():
    asset = asset_on_plan("bronze")
    agent = user("agent")
    ticket = log_call(
        actor=agent,
        serial=asset.serial,
        caller="Dana Ortiz, +1 415 555 0100",
        severity="S2",
        notes="Pool offline after a power cut.\nAsked for a call back.",
        called_at=pacific(2026, 11, 20, 19, 0),  # a Friday, PST
    )
    assert (ticket.channel, ticket.plan, ticket.severity) == ("voicemail", "bronze", "S2")
    assert ticket.opened_at == pacific(2026, 11, 20, 19, 0)  # the call time is kept
    assert (
        ticket.subject
        == "Phone call from Dana Ortiz, +1 415 555 0100: Pool offline after a power cut."
    )
    first = first_response(ticket)
    assert first.started_at == pacific(2026, 11, 23, 6, 0)  # T5: Monday's opening
    assert first.due_at == pacific(2026, 11, 23, 18, 0)  # T6: next business day
    assert first.target == "next business day"
    message = Message.objects.get(ticket=ticket)
    assert (message.kind, message.is_public, message.author) == ("call", True, agent)
    assert message.at == pacific(2026, 11, 20, 19, 0)
    assert message.body == (
        "Phone call from Dana Ortiz, +1 415 555 0100.\n\n"
        "Pool offline after a power cut.\nAsked for a call back."
    )
    opened, logged = ticket_history(ticket)
    assert opened.verb == "ticket.opened" and "L4" in opened.rules
    assert logged.verb == "ticket.call_logged"
    assert logged.changes == {
        "caller": "Dana Ortiz, +1 415 555 0100",
        "called_at": "2026-11-21T03:00:00+00:00",
        "channel": "voicemail",
        "warranty_event": False,
    }
    assert logged.rules == ["L4"]


def test_l4_gold_s1_call_saturday_0300_runs_24x7_due_0500():
    asset = asset_on_plan("gold")
    ticket = log_call(
        actor=user("agent"),
        serial=asset.serial,
        caller="NOC on duty",
        severity="S1",
        notes="No data: all pools faulted.",
        called_at=pacific(2026, 11, 21, 3, 0),  # a Saturday
    )
    assert ticket.channel == "phone"
    first = first_response(ticket)
    assert first.started_at == pacific(2026, 11, 21, 3, 0)  # T4: every instant counts
    assert first.due_at == pacific(2026, 11, 21, 5, 0)  # L3: Gold S1 2 h
    assert first.target == "2 hours, 24x7"


def test_l3_silver_s2_call_during_hours_is_a_phone_ticket_due_in_8_business_hours():
    asset = asset_on_plan("silver")
    ticket = log_call(
        actor=user("manager"),
        serial=asset.serial,
        caller="Kim",
        severity="S2",
        notes="",
        called_at=pacific(2026, 11, 17, 14, 0),  # a Tuesday
    )
    assert ticket.channel == "phone"
    assert ticket.subject == "Phone call from Kim"
    assert Message.objects.get(ticket=ticket).body == "Phone call from Kim."
    first = first_response(ticket)
    assert first.started_at == pacific(2026, 11, 17, 14, 0)
    # 4 open hours on Tuesday (to 18:00) and 4 on Wednesday from 06:00 (T2, T5).
    assert first.due_at == pacific(2026, 11, 18, 10, 0)
    assert first.target == "8 business hours"
    (_, logged) = ticket_history(ticket)
    assert logged.rules == [] and logged.changes["channel"] == "phone"


def test_l3_silver_s2_call_at_1000_ends_exactly_at_closing():
    asset = asset_on_plan("silver")
    ticket = log_call(
        actor=user("agent"),
        serial=asset.serial,
        caller="Kim",
        severity="S2",
        notes="Slow replication.",
        called_at=pacific(2026, 11, 18, 10, 0),
    )
    assert first_response(ticket).due_at == pacific(2026, 11, 18, 18, 0)  # T5: the closing


def test_the_call_time_defaults_to_the_clock():
    asset = asset_on_plan("gold")
    with clock.frozen_at(pacific(2026, 11, 18, 10, 0)):
        ticket = log_call(
            actor=user("agent"), serial=asset.serial, caller="Kim", severity="S3", notes="Hi"
        )
    assert ticket.opened_at == pacific(2026, 11, 18, 10, 0)
    assert first_response(ticket).due_at == pacific(2026, 11, 18, 18, 0)  # Gold S3: 8 business h


def test_t1_a_naive_call_time_is_refused():
    asset = asset_on_plan("gold")
    with pytest.raises(PolicyError) as refused:
        log_call(
            actor=user("agent"),
            serial=asset.serial,
            caller="Kim",
            severity="S2",
            notes="",
            called_at=pacific(2026, 11, 18, 10, 0).replace(tzinfo=None),
        )
    assert (refused.value.rule, refused.value.field) == ("T1", "called_at")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_only_staff_who_work_tickets_log_calls(role):
    asset = asset_on_plan("gold")
    with pytest.raises(PermissionDenied):
        log_call(actor=user(role), serial=asset.serial, caller="Kim", severity="S2", notes="")
    with pytest.raises(PermissionDenied):
        customer_contact = user("customer", customer=asset.customer)
        log_call(actor=customer_contact, serial=asset.serial, caller="Kim", severity="S2", notes="")
    assert not Ticket.objects.exists()


def test_a_caller_is_required():
    asset = asset_on_plan("gold")
    with pytest.raises(DomainError) as refused:
        log_call(actor=user("agent"), serial=asset.serial, caller="  ", severity="S2", notes="x")
    assert refused.value.field == "caller"
    assert not Ticket.objects.exists()


# ------------------------------------------------------------------------------------ API


def test_api_agent_logs_a_call_and_gets_the_voicemail_ticket(staff):
    asset = asset_on_plan("bronze")
    made = staff("agent").post(
        "/calls",
        {
            "serial": asset.serial,
            "caller": "Dana Ortiz",
            "severity": "S1",
            "notes": "Array beeping.",
            "called_at": "2026-11-20T19:00:00-08:00",
        },
    )
    assert made.status == 201, made.body
    assert made.body["channel"] == "voicemail"
    assert made.body["serial"] == asset.serial
    assert made.body["subject"] == "Phone call from Dana Ortiz: Array beeping."
    assert made.body["opened_at"] == "2026-11-20T19:00:00-08:00"  # the vendor's zone for staff
    assert made.body["first_response_due"] == "2026-11-23T18:00:00-08:00"
    ticket = staff("agent").get(f"/tickets/{made.body['number']}")
    assert [m["kind"] for m in ticket.body["messages"]] == ["call"]


def test_api_customers_may_not_log_calls_and_nothing_changes(contact):
    asset = asset_on_plan("gold")
    refused = contact(asset.customer).post(
        "/calls", {"serial": asset.serial, "caller": "Me", "severity": "S1", "notes": "down"}
    )
    assert refused.status == 403, refused.body
    assert not Ticket.objects.exists()


def test_api_anonymous_is_401(anonymous):
    asset = asset_on_plan("gold")
    answer = anonymous.post("/calls", {"serial": asset.serial, "caller": "x", "severity": "S1"})
    assert answer.status == 401
    assert not Ticket.objects.exists()


def test_api_t1_naive_called_at_is_422(staff):
    asset = asset_on_plan("gold")
    answer = staff("agent").post(
        "/calls",
        {
            "serial": asset.serial,
            "caller": "Kim",
            "severity": "S2",
            "notes": "",
            "called_at": "2026-11-20T19:00:00",
        },
    )
    assert answer.status == 422
    assert (answer.body["field"], answer.body["rule"]) == ("called_at", "T1")
    assert not Ticket.objects.exists()


def test_api_unknown_serial_is_404(staff):
    answer = staff("agent").post(
        "/calls", {"serial": "NOPE-1", "caller": "Kim", "severity": "S2", "notes": ""}
    )
    assert answer.status == 404
    assert not Ticket.objects.exists()
