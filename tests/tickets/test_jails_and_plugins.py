"""P2: jails and plugins are supported only where the contract records a prior arrangement."""

from __future__ import annotations

import pytest
from django.test import Client

from rmadesk.assets.selectors import entitlement_for
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contract
from rmadesk.tickets.services import open_ticket
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db


def jails_ticket(arranged: bool, about: bool = True):
    asset = asset_on_plan("gold")
    Contract.objects.filter(customer=asset.customer).update(jails_and_plugins=arranged)
    return open_ticket(
        actor=user("agent"),
        serial=asset.serial,
        severity="S3",
        subject="Plex plugin will not start",
        body="The plugin jail fails at boot.",
        channel="portal",
        opened_at=pacific(2026, 11, 18, 10, 0),
        about_jails_or_plugins=about,
    )


def test_P2_jails_without_an_arrangement_are_flagged_unsupported():
    ticket = jails_ticket(arranged=False)
    assert (ticket.jails_and_plugins, ticket.is_unsupported_software) == ("unsupported", True)
    assert "prior arrangement" in ticket.unsupported_software_reason
    assert "rule P2" in ticket.unsupported_software_reason
    opened = AuditEvent.objects.get(verb="ticket.opened")
    assert "P2" in opened.rules and opened.changes["jails_and_plugins"] == "unsupported"


def test_P2_jails_with_the_arrangement_are_supported():
    ticket = jails_ticket(arranged=True)
    assert (ticket.jails_and_plugins, ticket.is_unsupported_software) == ("arranged", False)
    opened = AuditEvent.objects.get(verb="ticket.opened")
    assert "P2" in opened.rules and "prior arrangement" in opened.note


def test_P2_a_ticket_not_about_jails_is_not_flagged():
    ticket = jails_ticket(arranged=False, about=False)
    assert (ticket.jails_and_plugins, ticket.is_unsupported_software) == ("", False)


def test_P2_the_api_takes_the_topic_and_shows_it(staff):
    asset = asset_on_plan("gold")
    answer = staff("agent").post(
        "/tickets",
        {
            "serial": asset.serial,
            "severity": "S3",
            "subject": "Jail networking",
            "body": "A jail has no network.",
            "about_jails_or_plugins": True,
        },
    )
    assert answer.status == 201, answer.body
    assert (answer.body["jails_and_plugins"], answer.body["unsupported_software"]) == (
        "unsupported",
        True,
    )


def test_P2_the_portal_checkbox_flags_it_and_the_customer_reads_a_plain_sentence():
    asset = asset_on_plan("gold")
    contact = add_user(
        email="it@customer.example", role="customer", customer_id=asset.customer_id,
        password="pw-for-tests-123",
    )  # fmt: skip
    client = Client()
    assert client.login(username=contact.username, password="pw-for-tests-123")
    answer = client.post(
        "/portal/tickets/new",
        {"serial": asset.serial, "severity": "S3", "subject": "Plugin", "body": "Broken plugin.",
         "about_jails_or_plugins": "on"},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    page = client.get(answer["Location"]).content.decode()
    assert "Jails and plugins are supported only when your contract includes an arrangement" in (
        page
    )
    assert "rule P2" not in page.split("<main", 1)[-1].split("Why", 1)[0]


def test_P2_the_entitlement_lookup_names_the_arrangement():
    asset = asset_on_plan("gold")
    found = entitlement_for(user("agent"), asset.serial)
    assert found.jails_and_plugins is False and "P2" in found.rules
    assert any("no prior arrangement (rule P2)" in line for line in found.explain)
    Contract.objects.filter(customer=asset.customer).update(jails_and_plugins=True)
    found = entitlement_for(user("agent"), asset.serial)
    assert found.jails_and_plugins is True
    assert any("supported by a prior arrangement (rule P2)" in line for line in found.explain)


def test_P2_a_console_call_about_jails_is_flagged(client):
    add_user(email="agent@vendor.example", role="agent", password="pw-for-tests-123")
    assert client.login(username="agent@vendor.example", password="pw-for-tests-123")
    asset = asset_on_plan("gold")
    page = client.get("/console/calls/new").content.decode()
    assert 'name="about_jails_or_plugins"' in page
    answer = client.post(
        "/console/calls/new",
        {"serial": asset.serial, "caller": "Kim", "severity": "S3", "notes": "Jail down.",
         "about_jails_or_plugins": "1"},
    )  # fmt: skip
    assert answer.status_code == 302
    ticket = asset.tickets.get()
    assert ticket.jails_and_plugins == "unsupported"
    staff_page = client.get(answer["Location"]).content.decode()
    assert "rule P2" in staff_page
