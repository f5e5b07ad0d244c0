"""Taking a phone call in the console opens a phone or voicemail ticket (L4)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.tickets.models import ServiceClock, Ticket
from tests.factories import AssetFactory, ContractFactory, CustomerFactory
from tests.signin import signed_in

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def agent_client():
    add_user(email="agent@vendor.example", role="agent", password="pw-for-tests-123")
    client = Client()
    assert signed_in(client, "agent@vendor.example", "pw-for-tests-123")
    return client


def test_an_after_hours_bronze_call_becomes_voicemail_due_monday(agent_client):
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="bronze")
    AssetFactory(customer=customer, serial="BR-1")
    with clock.frozen_at(dt.datetime(2026, 11, 20, 19, 0, tzinfo=LA)):  # Friday 19:00
        answer = agent_client.post(
            "/console/calls/new",
            {"serial": "BR-1", "caller": "Kim, +1 555 0100", "severity": "S2",
             "notes": "Array beeping."},
        )  # fmt: skip
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/console/tickets/{ticket.number}/"
    assert ticket.channel == "voicemail"
    clock_row = ServiceClock.objects.get(ticket=ticket, kind="first_response")
    assert clock_row.due_at == dt.datetime(2026, 11, 23, 18, 0, tzinfo=LA)


def test_t1_the_call_time_is_picked_in_the_agents_zone(agent_client):
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="G-1")
    answer = agent_client.post(
        "/console/calls/new",
        {"serial": "G-1", "caller": "Kim", "severity": "S2", "notes": "n",
         "called_at": "2026-11-20T09:15"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert Ticket.objects.get().opened_at == dt.datetime(2026, 11, 20, 9, 15, tzinfo=LA)


def test_t1_a_call_time_in_the_hour_the_clocks_skip_is_refused(agent_client):
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="G-1")
    answer = agent_client.post(
        "/console/calls/new",
        {"serial": "G-1", "caller": "Kim", "severity": "S2", "notes": "n",
         "called_at": "2026-03-08T02:30"},
    )  # fmt: skip
    assert answer.status_code == 400
    page = answer.content.decode()
    assert (
        "2026-03-08 02:30 does not exist in America/Los_Angeles: the clocks jump forward over "
        "it (PST to PDT); give a time outside the skipped hour <strong>(rule T1)</strong> "
        '<span class="muted">— field called_at</span>'
    ) in page
    assert not Ticket.objects.exists()


def test_the_form_is_labelled(agent_client):
    page = agent_client.get("/console/calls/new").content.decode()
    for field in ("call-serial", "call-caller", "call-notes", "call-at"):
        assert f'<label for="{field}">' in page
    assert '<input type="datetime-local" id="call-at" name="called_at"' in page
    assert "(in America/Los_Angeles)" in page
