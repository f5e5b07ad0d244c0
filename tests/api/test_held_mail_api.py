"""Held mail through the API: list, read, link (a ticket opens) and discard; staff only."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from rmadesk.core import clock
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.tickets.models import Attachment, Ticket
from tests.tickets.factories import asset_on_plan, pacific

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 18, 10, 0)
LOG = b"pool: tank\n state: DEGRADED\n"


@pytest.fixture(autouse=True)
def _world(settings, tmp_path) -> Iterator[None]:
    settings.RMADESK_DATA_DIR = tmp_path
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def acme():
    asset = asset_on_plan("gold", serial="TN-0001")
    asset.customer.name = "Acme Storage"
    asset.customer.save()
    return asset.customer


def stranger_mail(message_id: str = "<s1@example.net>") -> bytes:
    encoded = base64.encodebytes(LOG).decode("ascii")
    return (
        "From: Sam Stranger <sam@example.net>\nTo: support@rmadesk.example\n"
        f"Subject: Pool degraded\nMessage-ID: {message_id}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe pool went degraded overnight.\n"
        "--B\nContent-Type: text/plain\nContent-Disposition: attachment; "
        f'filename="zpool.log"\nContent-Transfer-Encoding: base64\n\n{encoded}--B--\n'
    ).encode("ascii")


def test_an_agent_lists_and_reads_held_mail(staff, acme):
    held = ingest_message(stranger_mail())
    agent = staff("agent")
    listed = agent.get("/mail/held")
    assert listed.status == 200
    assert listed.body == {
        "count": 1,
        "limit": 50,
        "offset": 0,
        "items": [
            {
                "id": held.pk,
                "status": "held_unknown_sender",
                "why": "Unknown sender",
                "reason": (
                    "sam@example.net is not a contact of any customer: link it to a customer "
                    "and serial"
                ),
                "from_address": "sam@example.net",
                "from_name": "Sam Stranger",
                "subject": "Pool degraded",
                "received_at": "2026-11-18T10:00:00-08:00",
                "preview": "The pool went degraded overnight.",
                "attachments": ["zpool.log"],
                "customer": None,
                "ticket_hint": None,
            }
        ],
    }
    one = agent.get(f"/mail/held/{held.pk}")
    assert one.status == 200
    assert one.body["text"] == "The pool went degraded overnight."
    assert one.body["to"] == ["support@rmadesk.example"]
    assert one.body["files"] == [
        {"name": "zpool.log", "content_type": "text/plain", "size": len(LOG), "kept": True,
         "note": ""}
    ]  # fmt: skip
    assert (one.body["ticket"], one.body["linked_by"], one.body["discarded_at"]) == (
        None,
        None,
        None,
    )


def test_linking_opens_a_ticket_and_a_second_link_is_a_409(staff, acme):
    held = ingest_message(stranger_mail())
    agent = staff("agent")
    linked = agent.post(
        f"/mail/held/{held.pk}/link",
        {"customer": acme.pk, "serial": "TN-0001", "severity": "S2", "remember_sender": True},
    )
    assert linked.status == 200, linked.body
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.asset.serial, ticket.severity) == (acme, "TN-0001", "S2")
    assert [a.name for a in Attachment.objects.filter(ticket=ticket)] == ["zpool.log"]
    assert Contact.objects.filter(customer=acme, email="sam@example.net").exists()
    assert linked.body["status"] == "ticket_opened"
    assert linked.body["why"] == "Linked: opened a ticket"
    assert (linked.body["ticket"], linked.body["customer"]) == (ticket.number, acme.pk)
    assert linked.body["linked_by"] == "agent@vendor.example"
    assert linked.body["linked_at"] == "2026-11-18T10:00:00-08:00"
    assert agent.get("/mail/held").body["count"] == 0
    again = staff("manager").post(
        f"/mail/held/{held.pk}/link", {"customer": acme.pk, "serial": "TN-0001"}
    )
    assert again.status == 409
    assert again.body == {
        "error": f"this email was already linked to ticket {ticket.number} by agent@vendor.example",
        "field": "inbound",
        "rule": None,
    }


def test_bad_link_input_is_a_400_naming_the_field(staff, acme):
    held = ingest_message(stranger_mail())
    refused = staff("agent").post(
        f"/mail/held/{held.pk}/link", {"customer": acme.pk, "serial": "NOPE"}
    )
    assert refused.status == 400
    assert refused.body == {
        "error": "no asset with serial 'NOPE'",
        "field": "serial",
        "rule": None,
    }
    missing = staff("agent").post(f"/mail/held/{held.pk}/link", {"serial": "TN-0001"})
    assert (missing.status, missing.body["field"]) == (422, "customer")
    assert not Ticket.objects.exists()


def test_discarding_keeps_the_mail_for_the_record(staff, acme):
    held = ingest_message(stranger_mail())
    discarded = staff("agent").post(f"/mail/held/{held.pk}/discard", {"note": "phishing"})
    assert discarded.status == 200
    assert (discarded.body["status"], discarded.body["why"]) == (
        "discarded_spam",
        "Discarded as spam",
    )
    assert discarded.body["discarded_by"] == "agent@vendor.example"
    assert discarded.body["discarded_at"] == "2026-11-18T10:00:00-08:00"
    assert discarded.body["reason"].endswith("; discarded as spam by an agent: phishing")
    assert staff("agent").get(f"/mail/held/{held.pk}").status == 200


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_clerks_and_finance_are_refused_with_403(staff, acme, role):
    held = ingest_message(stranger_mail())
    client = staff(role)
    for response in (
        client.get("/mail/held"),
        client.get(f"/mail/held/{held.pk}"),
        client.post(f"/mail/held/{held.pk}/discard", {}),
        client.post(f"/mail/held/{held.pk}/link", {"customer": acme.pk, "serial": "TN-0001"}),
    ):
        assert response.status == 403
        assert response.body["error"].endswith("needs the role agent or manager")
    held.refresh_from_db()
    assert held.status == "held_unknown_sender"


def test_a_customer_finds_no_held_mail_even_from_its_own_contact(contact, acme):
    Contact.objects.create(customer=acme, name="Jane", email="jane@acme.example")
    held = ingest_message(
        b"From: jane@acme.example\nTo: support@rmadesk.example\nSubject: Help\n"
        b"Message-ID: <j@acme.example>\n\nNo serial here.\n"
    )
    assert (held.status, held.customer) == ("held_no_serial", acme)
    client = contact(acme)
    for response in (
        client.get("/mail/held"),
        client.get(f"/mail/held/{held.pk}"),
        client.post(f"/mail/held/{held.pk}/link", {"customer": acme.pk, "serial": "TN-0001"}),
        client.post(f"/mail/held/{held.pk}/discard", {}),
    ):
        assert (response.status, response.body) == (
            404,
            {"error": "not found", "field": None, "rule": None},
        )
