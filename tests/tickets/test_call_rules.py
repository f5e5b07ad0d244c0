"""T3's warranty phone line and L8's email-only TrueCommand helpdesk, through every door.

Expected instants are worked out by hand from POLICY.md: T2 is Mon-Fri 06:00-18:00 Pacific,
T3's warranty line Mon-Fri 09:00-17:00 Pacific, both closed on US federal holidays.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.test import Client

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.phone import EmailOnlyCall, log_call
from tests.signin import signed_in
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db
SUPPORT = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def first_response(ticket: Ticket) -> ServiceClock:
    return ServiceClock.objects.get(ticket=ticket, kind="first_response")


def warranty_call(plan: str, severity: str, at: dt.datetime, warranty_event: bool = True):
    asset = asset_on_plan(plan)
    return log_call(
        actor=user("agent"),
        serial=asset.serial,
        caller="Dana, +1 415 555 0100",
        severity=severity,
        notes="A drive failed.",
        called_at=at,
        warranty_event=warranty_event,
    )


@pytest.fixture
def agent_client():
    add_user(email="agent@vendor.example", role="agent", password="pw-for-tests-123")
    client = Client()
    assert signed_in(client, "agent@vendor.example", "pw-for-tests-123")
    return client


# ------------------------------------------------------------------------------------- T3


def test_T3_warranty_call_at_0800_goes_to_voicemail_and_starts_at_0900():
    # Wed 18 Nov 2026 08:00 PST: T2 is open, the warranty line (09:00-17:00) is not.
    # Gold S2, 4 business hours from the line's opening at 09:00 -> 13:00.
    ticket = warranty_call("gold", "S2", pacific(2026, 11, 18, 8, 0))
    assert isinstance(ticket, Ticket)
    assert ticket.channel == "voicemail"
    first = first_response(ticket)
    assert (first.started_at, first.due_at) == (pacific(2026, 11, 18, 9), pacific(2026, 11, 18, 13))
    assert "rules T3, L4, T5" in first.explanation[0]
    logged = AuditEvent.objects.get(verb="ticket.call_logged")
    assert logged.rules == ["T3", "L4"]


def test_T3_warranty_call_inside_the_line_hours_is_answered_live():
    # 10:00: the line is open; Gold S2 -> 14:00.
    ticket = warranty_call("gold", "S2", pacific(2026, 11, 18, 10, 0))
    assert isinstance(ticket, Ticket) and ticket.channel == "phone"
    assert first_response(ticket).due_at == pacific(2026, 11, 18, 14, 0)


def test_T3_warranty_call_friday_1730_starts_monday_0900():
    # Fri 20 Nov 17:30 (T2 open, line closed) -> line opens Mon 23 Nov 09:00; Silver S2 is
    # 8 business hours: Mon 09:00-17:00 -> Mon 17:00.
    ticket = warranty_call("silver", "S2", pacific(2026, 11, 20, 17, 30))
    assert isinstance(ticket, Ticket) and ticket.channel == "voicemail"
    first = first_response(ticket)
    assert (first.started_at, first.due_at) == (pacific(2026, 11, 23, 9), pacific(2026, 11, 23, 17))


def test_T3_the_line_is_closed_on_t2_holidays():
    # Thanksgiving Thu 26 Nov 10:00 -> line opens Fri 27 Nov 09:00; Gold S2 -> 13:00.
    ticket = warranty_call("gold", "S2", pacific(2026, 11, 26, 10, 0))
    assert isinstance(ticket, Ticket) and ticket.channel == "voicemail"
    assert first_response(ticket).due_at == pacific(2026, 11, 27, 13, 0)


def test_T3_gold_s1_still_reaches_the_team_at_any_hour():
    # L4: Gold S1 at 20:00 is answered (2 h, 24x7) -> 22:00.
    ticket = warranty_call("gold", "S1", pacific(2026, 11, 18, 20, 0))
    assert isinstance(ticket, Ticket) and ticket.channel == "phone"
    assert first_response(ticket).due_at == pacific(2026, 11, 18, 22, 0)


def test_T3_a_call_that_is_not_a_warranty_event_keeps_t2():
    ticket = warranty_call("gold", "S2", pacific(2026, 11, 18, 8, 0), warranty_event=False)
    assert isinstance(ticket, Ticket) and ticket.channel == "phone"
    assert first_response(ticket).due_at == pacific(2026, 11, 18, 12, 0)


def test_T3_the_api_calls_endpoint_takes_a_warranty_event(staff):
    asset = asset_on_plan("gold")
    answer = staff("agent").post(
        "/calls",
        {
            "serial": asset.serial,
            "caller": "Dana",
            "severity": "S2",
            "notes": "Disk failed.",
            "called_at": "2026-11-18T08:00:00-08:00",
            "warranty_event": True,
        },
    )
    assert answer.status == 201, answer.body
    assert answer.body["channel"] == "voicemail"
    assert answer.body["first_response_due"] == "2026-11-18T13:00:00-08:00"


def test_T3_the_console_call_form_shows_the_line_hours_and_takes_a_warranty_event(agent_client):
    page = agent_client.get("/console/calls/new").content.decode()
    assert "Warranty phone line: Mon–Fri 09:00-17:00 America/Los_Angeles" in page
    assert 'name="warranty_event"' in page
    asset = asset_on_plan("gold")
    with clock.frozen_at(pacific(2026, 11, 18, 8, 0)):
        answer = agent_client.post(
            "/console/calls/new",
            {"serial": asset.serial, "caller": "Kim", "severity": "S2", "notes": "Disk died.",
             "warranty_event": "1"},
        )  # fmt: skip
    assert answer.status_code == 302
    assert Ticket.objects.get().channel == "voicemail"


def test_T3_the_portal_shows_the_warranty_line_hours():
    asset = asset_on_plan("gold")
    contact = add_user(
        email="it@customer.example", role="customer", customer_id=asset.customer_id,
        password="pw-for-tests-123",
    )  # fmt: skip
    client = Client()
    assert signed_in(client, contact.username, "pw-for-tests-123")
    page = client.get("/portal/tickets/new").content.decode()
    assert (
        "Warranty phone line: Mon–Fri 09:00-17:00, America/Los_Angeles time; closed on public "
        "holidays in US." in page
    )
    page = client.get("/portal/tickets/new", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Mo–Fr 09:00-17:00" in page


def test_T3_T1_a_reader_in_tokyo_also_reads_when_the_line_next_opens_on_their_clock():
    asset = asset_on_plan("gold", country="JP", zone="Asia/Tokyo")
    contact = add_user(
        email="it@tokyo.example", role="customer", customer_id=asset.customer_id,
        password="pw-for-tests-123",
    )  # fmt: skip
    client = Client()
    assert signed_in(client, contact.username, "pw-for-tests-123")
    # Monday 08:00 in California, before the line opens at 09:00 PST: Tuesday 02:00 in Tokyo.
    with clock.frozen_at(pacific(2026, 11, 2, 8, 0)):
        page = client.get("/portal/tickets/new").content.decode()
    assert "Next open Tue 03 Nov 2026 02:00 JST to Tue 03 Nov 2026 10:00 JST your time." in page
    with clock.frozen_at(pacific(2026, 11, 2, 10, 0)):
        page = client.get("/portal/tickets/new", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "2026年11月3日(火) 10:00 JST" in page


# ------------------------------------------------------------------------------------- L8


@pytest.mark.parametrize("plan", ["truecommand", "truecommand-free"])
def test_L8_a_truecommand_call_opens_no_ticket_and_says_where_to_write(plan):
    asset = asset_on_plan(plan)
    answered = log_call(
        actor=user("agent"),
        serial=asset.serial,
        caller="Lee",
        severity="S2",
        notes="Dashboard empty.",
        called_at=pacific(2026, 11, 18, 10, 0),
    )
    assert isinstance(answered, EmailOnlyCall)
    assert (answered.write_to, answered.rule, answered.plan) == (SUPPORT, "L8", plan)
    assert SUPPORT in answered.answer and "(rule L8)" in answered.answer
    assert not Ticket.objects.exists()
    logged = AuditEvent.objects.get(verb="call.email_only")
    assert (logged.subject_id, logged.rules) == (asset.serial, ["L8"])
    assert logged.changes["caller"] == "Lee"


def test_L8_the_api_answers_a_truecommand_call_with_where_to_write(staff):
    asset = asset_on_plan("truecommand")
    answer = staff("agent").post(
        "/calls",
        {"serial": asset.serial, "caller": "Lee", "severity": "S2", "notes": "Help."},
    )
    assert answer.status == 200, answer.body
    assert (answer.body["ticket"], answer.body["write_to"], answer.body["rule"]) == (
        None,
        SUPPORT,
        "L8",
    )
    assert not Ticket.objects.exists()


def test_L8_the_console_call_form_answers_a_truecommand_call(agent_client):
    asset = asset_on_plan("truecommand-free")
    answer = agent_client.post(
        "/console/calls/new",
        {"serial": asset.serial, "caller": "Lee", "severity": "S4", "notes": "Licence?"},
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "No ticket opened" in page and f"mailto:{SUPPORT}" in page and "rule L8" in page
    assert not Ticket.objects.exists()
    assert AuditEvent.objects.filter(verb="call.email_only").count() == 1
