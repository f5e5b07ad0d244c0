"""Held mail (`rmadesk.mail.held`): an agent lists held emails, links one to a customer (a new
ticket on a serial, or a reply on a ticket) with its files, remembers its sender, or discards it
as spam; each email is resolved once, by agents, managers and admins only.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Contact
from rmadesk.mail.held import (
    discard_held_message,
    held_count,
    held_message_for,
    held_messages,
    link_held_message,
    preview,
    serials_of,
    why_held,
)
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Attachment, Message, Ticket
from rmadesk.tickets.services import close_ticket
from tests.mail.inbound.builders import (
    GLOBEX_SERIAL,
    JANE,
    NOW,
    SECOND_SERIAL,
    SERIAL,
    STRANGER,
    eml,
    pacific,
)
from tests.tickets.factories import user

pytestmark = pytest.mark.django_db

LOG = b"pool: tank\n state: DEGRADED\n"


def stranger_mail(*, message_id: str = "<s1@example.net>", subject: str = "Disk failure") -> bytes:
    """A mail from an unknown sender with a log attached (a multipart message)."""
    encoded = base64.encodebytes(LOG).decode("ascii")
    return (
        f"From: Sam Stranger <{STRANGER}>\nTo: support@rmadesk.example\nSubject: {subject}\n"
        f"Message-ID: {message_id}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe pool on our new box went degraded overnight.\n"
        "--B\nContent-Type: text/plain\nContent-Disposition: attachment; "
        f'filename="zpool.log"\nContent-Transfer-Encoding: base64\n\n{encoded}--B--\n'
    ).encode("ascii")


# -------------------------------------------------------------------------------- reading


def test_held_mail_is_listed_newest_first_with_why_a_preview_and_its_files(world):
    older = ingest_message(eml(sender=STRANGER, message_id="<a@x>", subject="First"))
    with clock.frozen_at(pacific(2026, 11, 18, 11, 0)):
        newer = ingest_message(stranger_mail())
    no_serial = ingest_message(eml(subject="Help!", body="Our box died.", message_id="<c@x>"))
    ingest_message(eml(message_id="<d@x>"))  # a contact naming a serial: a ticket, not held
    agent = user("agent")
    rows = list(held_messages(agent))
    assert rows == [newer, no_serial, older]
    assert [why_held(r.status) for r in rows] == [
        "Unknown sender",
        "No serial found",
        "Unknown sender",
    ]
    assert preview(rows[0].text_head) == "The pool on our new box went degraded overnight."
    assert [a.filename for a in rows[0].attachments.all()] == ["zpool.log"]
    assert held_count(agent) == 3


def test_preview_is_one_line_cut_at_a_word():
    assert preview("Hello\n\n  world ") == "Hello world"
    text = "word " * 60
    assert preview(text, 30) == "word word word word word word…"
    assert len(preview("x" * 500)) == 160


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_a_preview_is_one_line_within_the_limit_and_starts_the_text(text, limit):
    shown = preview(text, limit)
    flat = " ".join(text.split())
    assert len(shown) <= limit and "\n" not in shown
    if shown.endswith("…") and shown != flat:
        assert flat.startswith(shown[:-1])
    else:
        assert shown == flat


def test_customers_clerks_and_finance_never_read_held_mail(world):
    held = ingest_message(eml(sender=STRANGER))
    for customer_user in (world.bob, user("customer", world.acme)):
        with pytest.raises(NotFound):
            held_messages(customer_user)
        with pytest.raises(NotFound):
            held_message_for(customer_user, held.pk)
        assert held_count(customer_user) is None
    for role in ("clerk", "finance"):
        with pytest.raises(PermissionDenied, match="needs the role agent or manager"):
            held_messages(user(role))
        assert held_count(user(role)) is None
    assert held_message_for(user("manager"), held.pk) == held
    assert held_message_for(user("admin"), held.pk) == held


def test_a_message_intake_placed_itself_is_not_held_mail(world):
    placed = ingest_message(eml())
    with pytest.raises(NotFound, match=f"no held email {placed.pk}"):
        held_message_for(user("agent"), placed.pk)
    with pytest.raises(NotFound):
        held_message_for(user("agent"), 2**70)


def test_serials_of_a_customer_for_the_link_form(world):
    assert serials_of(user("agent"), world.acme.pk) == [SERIAL, SECOND_SERIAL]


# -------------------------------------------------------------------------------- linking


def test_linking_opens_a_ticket_on_the_customers_serial_with_the_mails_files(world):
    held = ingest_message(stranger_mail())
    agent = user("agent")
    later = pacific(2026, 11, 18, 15, 0)
    with clock.frozen_at(later):
        linked = link_held_message(
            actor=agent, inbound=held.pk, customer=world.acme.pk, serial=SECOND_SERIAL
        )
    ticket = Ticket.objects.get()
    assert (linked.status, linked.ticket, linked.customer) == ("ticket_opened", ticket, world.acme)
    assert (linked.linked_by, linked.linked_at) == (agent, later)
    assert (ticket.customer, ticket.asset.serial, ticket.severity) == (
        world.acme,
        SECOND_SERIAL,
        "S3",
    )
    assert ticket.opened_at == NOW  # the clock runs from when the mail arrived
    assert (ticket.channel, ticket.opened_by, ticket.requester_email) == ("email", agent, STRANGER)
    assert ticket.subject == "Disk failure"
    first = Message.objects.get(ticket=ticket)
    assert first.body == (
        f"Email from Sam Stranger <{STRANGER}>:\n\nThe pool on our new box went degraded overnight."
    )  # the kept file is the message's attachment, not a line of its text
    [attached] = Attachment.objects.filter(ticket=ticket)
    assert (attached.name, attached.size, attached.message) == ("zpool.log", len(LOG), first)
    assert linked.reason == (
        f"{STRANGER} is not a contact of any customer: link it to a customer and serial; "
        f"linked by an agent: opened ticket {ticket.number}"
    )
    [event] = AuditEvent.objects.filter(verb="mail.linked")
    assert (event.subject_id, event.ticket_number, event.actor) == (
        str(held.pk),
        ticket.number,
        agent,
    )
    assert event.changes == {
        "status": ["held_unknown_sender", "ticket_opened"],
        "customer": world.acme.pk,
        "ticket": ticket.number,
        "from": STRANGER,
    }
    assert held_count(agent) == 0


def test_linking_with_a_severity_opens_at_that_severity(world):
    held = ingest_message(eml(sender=STRANGER, subject="Question"))
    link_held_message(
        actor=user("agent"), inbound=held, customer=world.acme, serial=SERIAL, severity="S2"
    )
    assert Ticket.objects.get().severity == "S2"


def test_linking_to_a_ticket_threads_the_mail_as_the_customers_reply(world):
    opened = ingest_message(eml()).ticket
    held = ingest_message(stranger_mail(subject="More logs"))
    linked = link_held_message(
        actor=user("agent"), inbound=held, customer=world.acme, ticket=opened.number
    )
    assert (linked.status, linked.ticket) == ("threaded", opened)
    reply = linked.ticket_message
    assert (reply.ticket, reply.kind, reply.is_public) == (opened, "customer", True)
    assert reply.author.username == f"email-intake-{world.acme.pk}@rmadesk.invalid"
    assert reply.body.startswith(f"Email from Sam Stranger <{STRANGER}>:\n\nThe pool on our")
    assert [a.name for a in Attachment.objects.filter(ticket=opened)] == ["zpool.log"]
    assert Ticket.objects.count() == 1


def test_a_held_reply_threads_onto_the_ticket_it_answers_when_no_ticket_is_named(world):
    opened = ingest_message(eml()).ticket
    held = ingest_message(
        eml(sender=STRANGER, message_id="<s2@x>", headers={"In-Reply-To": "<m1@acme.example>"})
    )
    assert held.ticket_hint == opened.number
    linked = link_held_message(actor=user("agent"), inbound=held, customer=world.acme)
    assert (linked.status, linked.ticket) == ("threaded", opened)


def test_remember_sender_makes_their_next_mail_go_straight_to_a_ticket(world):
    held = ingest_message(stranger_mail())
    agent = user("agent")
    link_held_message(
        actor=agent, inbound=held, customer=world.acme, serial=SERIAL, remember_sender=True
    )
    contact = Contact.objects.get(email=STRANGER)
    assert (contact.customer, contact.name) == (world.acme, "Sam Stranger")
    assert AuditEvent.objects.get(verb="customer.contact_added").changes == {
        "email": STRANGER,
        "name": "Sam Stranger",
    }
    assert AuditEvent.objects.get(verb="mail.linked").changes["sender_remembered"] is True
    nxt = ingest_message(eml(sender=STRANGER, message_id="<s9@x>", subject=f"{SERIAL} again"))
    assert nxt.status == "ticket_opened"
    assert nxt.customer == world.acme and nxt.ticket.asset.serial == SERIAL
    # remembering twice adds no second contact
    again = ingest_message(stranger_mail(message_id="<s10@x>"))
    link_held_message(
        actor=agent, inbound=again, customer=world.acme, serial=SERIAL, remember_sender=True
    )
    assert Contact.objects.filter(email__iexact=STRANGER).count() == 1
    assert AuditEvent.objects.filter(verb="customer.contact_added").count() == 1


def test_linking_refuses_what_does_not_fit_and_changes_nothing(world):
    held = ingest_message(stranger_mail())
    agent = user("agent")
    globex_ticket = ingest_message(
        eml(sender="hank@globex.example", message_id="<g@x>", subject=f"{GLOBEX_SERIAL} down")
    ).ticket
    cases = [
        (
            {"customer": None, "serial": SERIAL},
            "customer",
            "choose the customer this email is from",
        ),
        ({"customer": 999999, "serial": SERIAL}, "customer", "no customer 999999"),
        ({"customer": world.acme.pk}, "serial", "choose a serial of Acme Storage to open"),
        (
            {"customer": world.acme.pk, "serial": GLOBEX_SERIAL},
            "serial",
            f"serial {GLOBEX_SERIAL} belongs to Globex, not Acme Storage",
        ),
        (
            {"customer": world.acme.pk, "serial": "NOPE-1"},
            "serial",
            "no asset with serial 'NOPE-1'",
        ),
        (
            {"customer": world.acme.pk, "ticket": globex_ticket.number},
            "ticket",
            f"ticket {globex_ticket.number} is Globex's, not Acme Storage's",
        ),
        ({"customer": world.acme.pk, "ticket": 999999}, "ticket", "no ticket 999999"),
        (
            {"customer": world.acme.pk, "serial": SERIAL, "severity": "S9"},
            "severity",
            "unknown severity 'S9'",
        ),
    ]
    for arguments, field, message in cases:
        with pytest.raises(InvalidInput, match=message) as refused:
            link_held_message(actor=agent, inbound=held, **arguments)
        assert refused.value.field == field
    held.refresh_from_db()
    assert held.status == "held_unknown_sender"
    assert Ticket.objects.count() == 1 and not Contact.objects.filter(email=STRANGER).exists()


def test_a_refusal_by_the_ticket_service_rolls_back_the_remembered_sender(world):
    opened = ingest_message(eml()).ticket
    close_ticket(actor=user("agent"), ticket=opened, reason="Fixed.")
    held = ingest_message(stranger_mail())
    with pytest.raises(Conflict):
        link_held_message(
            actor=user("agent"),
            inbound=held,
            customer=world.acme,
            ticket=opened.number,
            remember_sender=True,
        )
    held.refresh_from_db()
    assert held.status == "held_unknown_sender"
    assert not Contact.objects.filter(email=STRANGER).exists()
    assert not AuditEvent.objects.filter(verb__in=["mail.linked", "customer.contact_added"])


def test_a_held_mail_is_linked_once_the_second_agent_is_told_who_did_it(world):
    held = ingest_message(stranger_mail())
    first, second = user("agent"), user("agent")
    linked = link_held_message(actor=first, inbound=held, customer=world.acme, serial=SERIAL)
    with pytest.raises(Conflict) as refused:
        link_held_message(actor=second, inbound=held, customer=world.acme, serial=SECOND_SERIAL)
    assert refused.value.message == (
        f"this email was already linked to ticket {linked.ticket.number} by {first.email}"
    )
    assert refused.value.field == "inbound"
    with pytest.raises(Conflict, match="already linked"):
        discard_held_message(actor=second, inbound=held)
    assert Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(verb="mail.linked").count() == 1


def test_customers_clerks_and_finance_cannot_link_or_discard(world):
    held = ingest_message(stranger_mail())
    with pytest.raises(NotFound):
        link_held_message(actor=world.bob, inbound=held, customer=world.acme, serial=SERIAL)
    with pytest.raises(NotFound):
        discard_held_message(actor=world.bob, inbound=held)
    for role in ("clerk", "finance"):
        with pytest.raises(PermissionDenied, match="linking a held email needs the role"):
            link_held_message(actor=user(role), inbound=held, customer=world.acme, serial=SERIAL)
        with pytest.raises(PermissionDenied, match="discarding a held email needs the role"):
            discard_held_message(actor=user(role), inbound=held)
    held.refresh_from_db()
    assert held.status == "held_unknown_sender"
    assert not Ticket.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="mail.").exclude(verb="mail.received")


def test_a_manager_and_an_admin_may_link(world):
    for role, message_id in (("manager", "<m@x>"), ("admin", "<n@x>")):
        held = ingest_message(eml(sender=STRANGER, message_id=message_id))
        linked = link_held_message(
            actor=user(role), inbound=held, customer=world.acme, serial=SERIAL
        )
        assert linked.status == "ticket_opened"


# ------------------------------------------------------------------------------ discarding


def test_discarding_keeps_the_mail_with_who_and_when(world):
    held = ingest_message(stranger_mail())
    agent = user("agent")
    later = pacific(2026, 11, 18, 12, 0)
    with clock.frozen_at(later):
        discarded = discard_held_message(actor=agent, inbound=held.pk, note="  cheap  pills ")
    assert discarded.status == "discarded_spam"
    assert (discarded.discarded_by, discarded.discarded_at) == (agent, later)
    assert discarded.reason.endswith("; discarded as spam by an agent: cheap pills")
    kept = InboundMessage.objects.get(pk=held.pk)
    assert bytes(kept.raw) == stranger_mail() and kept.attachments.count() == 1
    assert held_count(agent) == 0 and list(held_messages(agent)) == []
    assert held_message_for(agent, held.pk) == kept  # still there, for the record
    [event] = AuditEvent.objects.filter(verb="mail.discarded")
    assert (event.actor, event.note, event.changes) == (
        agent,
        "cheap pills",
        {"status": ["held_unknown_sender", "discarded_spam"], "from": STRANGER},
    )
    with pytest.raises(Conflict) as refused:
        discard_held_message(actor=user("agent"), inbound=held)
    assert refused.value.message == (
        f"this email was already discarded as spam by {agent.email}: nothing left to do"
    )
    with pytest.raises(Conflict, match="already discarded"):
        link_held_message(actor=agent, inbound=held, customer=world.acme, serial=SERIAL)


def test_a_mail_never_held_cannot_be_linked(world):
    placed = ingest_message(eml())
    with pytest.raises(Conflict, match=r"this email is not held \(opened a ticket\)"):
        link_held_message(actor=user("agent"), inbound=placed, customer=world.acme, serial=SERIAL)
    with pytest.raises(NotFound, match="no held email 424242"):
        discard_held_message(actor=user("agent"), inbound=424242)


def test_the_intake_address_of_jane_stays_a_contact_not_held(world):
    # Jane is a contact in another case: she is never held, so there is nothing to remember.
    assert ingest_message(eml(sender=JANE.upper(), message_id="<j@x>")).status == "ticket_opened"
