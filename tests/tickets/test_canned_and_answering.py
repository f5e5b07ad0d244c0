"""Canned replies (who keeps them, their placeholders) and `answer_ticket`: a reply or note,
its files and a status change in one transaction, all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from rmadesk.core.models import AuditEvent
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.rmas.services import open_rma
from rmadesk.tickets.canned import (
    canned_reply_for,
    check_placeholders,
    fill_canned_reply,
    fill_placeholders,
    placeholders_in,
    usable_canned_replies,
)
from rmadesk.tickets.models import Attachment, CannedReply, Message, Ticket
from rmadesk.tickets.services import (
    answer_ticket,
    change_canned_reply,
    create_canned_reply,
    delete_canned_reply,
)
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 18, 10, 0)  # Wed 18 Nov 2026 10:00 PST


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def ticket() -> Ticket:
    asset = asset_on_plan("gold", serial="M50-000042", zone="Europe/Berlin")
    asset.customer.name = "Acme Storage"
    asset.customer.save()
    return ticket_on(asset, opened_at=pacific(2026, 11, 18, 9, 0))


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# ---------------------------------------------------------------------------- placeholders


def test_placeholders_are_found_in_order_and_literal_braces_are_not_placeholders():
    assert placeholders_in("Hi {customer}, #{ticket} {{not}} {customer} {due}") == [
        "customer",
        "ticket",
        "due",
    ]
    assert fill_placeholders("{{x}} {ticket}", {"ticket": lambda: "7"}) == "{x} 7"


VALUES = {"customer": "Acme", "ticket": "100042", "rma": "100042", "due": "Wed 18 Nov 14:00 PST"}
_plain_text = st.text(alphabet=st.characters(exclude_characters="{}"), max_size=20)


@given(
    st.lists(
        st.one_of(
            _plain_text.map(lambda text: (text, text)),
            st.sampled_from(sorted(VALUES)).map(lambda name: ("{" + name + "}", VALUES[name])),
            st.sampled_from([("{{", "{"), ("}}", "}")]),
        ),
        max_size=12,
    )
)
def test_filling_replaces_each_placeholder_and_keeps_everything_else(pieces):
    text = "".join(typed for typed, _ in pieces)
    expected = "".join(filled for _, filled in pieces)
    values = {name: (lambda value=value: value) for name, value in VALUES.items()}
    assert fill_placeholders(text, values) == expected


def test_unknown_placeholders_are_refused_naming_each():
    with pytest.raises(InvalidInput) as refused:
        check_placeholders("Dear {name}, see {ticket} by {deadline}")
    assert refused.value.message == (
        "unknown placeholders {name}, {deadline}; the placeholders are {customer}, {ticket}, "
        "{rma}, {due}"
    )
    assert refused.value.field == "body"


def test_placeholders_are_filled_for_the_ticket_due_in_the_customers_zone(ticket):
    agent = user("agent")
    canned = create_canned_reply(
        actor=agent,
        title="Ack",
        body="Dear {customer}, ticket #{ticket}: we answer by {due}.",
        shared=False,
    )
    filled = fill_canned_reply(agent, canned, ticket)
    # Gold S2: first response 4 business hours from 09:00 PST = 13:00 PST = 22:00 in Berlin
    assert filled.body == (
        f"Dear Acme Storage, ticket #{ticket.number}: we answer by Wed 18 Nov 2026 22:00 CET."
    )


def test_rma_placeholder_needs_an_rma_and_then_is_its_number(ticket):
    agent = user("agent")
    canned = create_canned_reply(actor=agent, title="RMA", body="RMA {rma}", shared=False)
    with pytest.raises(InvalidInput) as refused:
        fill_canned_reply(agent, canned, ticket)
    assert f"ticket {ticket.number} has no RMA" in refused.value.message
    open_rma(actor=agent, ticket=ticket, kind="repair", items=[{"part": "PSU", "unit_price": "9"}])
    assert fill_canned_reply(agent, canned, fresh(ticket)).body == f"RMA {ticket.number}"


def test_due_placeholder_is_refused_when_nothing_is_owed(ticket):
    agent = user("agent")
    answer_ticket(actor=agent, ticket=ticket, body="Send logs.", public=True, then="wait")
    canned = create_canned_reply(actor=agent, title="Due", body="by {due}", shared=False)
    with pytest.raises(InvalidInput) as refused:
        fill_canned_reply(agent, canned, fresh(ticket))
    assert "owes the customer no due time now" in refused.value.message


# ------------------------------------------------------------------------- who keeps them


def test_an_agent_keeps_its_own_replies_and_managers_keep_the_shared_ones():
    agent, other, manager = user("agent"), user("agent"), user("manager")
    mine = create_canned_reply(actor=agent, title="Mine", body="x", shared=False)
    with pytest.raises(PermissionDenied) as refused:
        create_canned_reply(actor=agent, title="For all", body="x", shared=True)
    assert refused.value.message == (
        "adding a canned reply (a shared reply) needs the role manager"
    )
    shared = create_canned_reply(actor=manager, title="For all", body="x", shared=True)
    assert shared.owner is None and mine.owner == agent
    assert [c.title for c in usable_canned_replies(agent)] == ["For all", "Mine"]
    assert [c.title for c in usable_canned_replies(other)] == ["For all"]
    with pytest.raises(NotFound):
        canned_reply_for(other, mine.pk)  # another agent's own reply is not there for it
    with pytest.raises(NotFound):
        change_canned_reply(actor=other, canned=mine, title="Taken", body="y")
    with pytest.raises(PermissionDenied):
        delete_canned_reply(actor=agent, canned=shared)
    change_canned_reply(actor=manager, canned=shared, title="For everyone", body="z")
    assert CannedReply.objects.get(pk=shared.pk).title == "For everyone"
    delete_canned_reply(actor=agent, canned=mine)
    assert not CannedReply.objects.filter(pk=mine.pk).exists()
    verbs = list(
        AuditEvent.objects.filter(subject_type="canned_reply").values_list("verb", flat=True)
    )
    assert verbs == [
        "canned_reply.added",
        "canned_reply.added",
        "canned_reply.changed",
        "canned_reply.deleted",
    ]


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_roles_that_do_not_work_tickets_keep_no_canned_replies(role):
    with pytest.raises(PermissionDenied):
        create_canned_reply(actor=user(role), title="x", body="y", shared=False)


def test_a_reply_with_an_unknown_placeholder_is_not_saved():
    agent = user("agent")
    with pytest.raises(InvalidInput) as refused:
        create_canned_reply(actor=agent, title="Bad", body="Hi {first_name}", shared=False)
    assert refused.value.message.startswith("unknown placeholder {first_name};")
    assert not CannedReply.objects.exists()


# -------------------------------------------------------------------- answering in one step


def _outbox(ticket: Ticket) -> list[str]:
    return list(
        OutboxMessage.objects.filter(ticket_number=ticket.number)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_send_and_wait_is_one_reply_one_mail_and_the_ticket_waits(
    ticket, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.RMADESK_DATA_DIR = tmp_path
    agent = user("agent")
    before = _outbox(ticket)
    with django_capture_on_commit_callbacks(execute=True):
        message = answer_ticket(
            actor=agent,
            ticket=ticket,
            body="Please send the debug file.",
            public=True,
            then="wait",
            files=[SimpleUploadedFile("steps.txt", b"1. run debug\n", "text/plain")],
        )
    assert fresh(ticket).status == "waiting_on_customer"
    assert (message.kind, message.is_public) == ("reply", True)
    assert [a.name for a in Attachment.objects.filter(message=message)] == ["steps.txt"]
    assert _outbox(ticket)[len(before) :] == ["agent_reply"]  # one mail, not two
    mail = OutboxMessage.objects.filter(ticket_number=ticket.number).latest("pk")
    assert "We are waiting for your reply to continue." in mail.text_body
    clocks = {c.kind: c for c in fresh(ticket).clocks.all()}
    assert clocks["first_response"].state == "met"
    assert clocks["next_update"].state == "paused"  # L5: paused from the reply on


def test_a_note_and_wait_still_tells_the_customer_it_waits(
    ticket, django_capture_on_commit_callbacks
):
    agent = user("agent")
    with django_capture_on_commit_callbacks(execute=True):
        answer_ticket(actor=agent, ticket=ticket, body="Asked by phone.", public=False, then="wait")
    assert fresh(ticket).status == "waiting_on_customer"
    assert _outbox(ticket)[-1:] == ["waiting_on_customer"]


def test_send_and_close_replies_then_closes(ticket):
    agent = user("agent")
    answer_ticket(
        actor=agent,
        ticket=ticket,
        body="Replaced the disk; all good.",
        public=True,
        then="close",
        close_reason="Disk replaced.",
    )
    closed = fresh(ticket)
    assert (closed.status, closed.close_reason) == ("resolved", "Disk replaced.")
    bodies = list(
        Message.objects.filter(ticket=ticket).order_by("id").values_list("body", flat=True)
    )
    assert bodies[-2:] == ["Replaced the disk; all good.", "Closed as resolved. Disk replaced."]


@pytest.mark.parametrize(
    "refusal",
    [
        ("", None, "reason is required"),
        ("No.", "we are busy", "'we are busy' is not an out-of-scope reason"),
    ],
)
def test_a_refused_close_leaves_no_reply_no_file_and_no_event(ticket, settings, tmp_path, refusal):
    reason, scope, message = refusal
    settings.RMADESK_DATA_DIR = tmp_path
    agent = user("agent")
    counts = (Message.objects.count(), Attachment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as refused:
        answer_ticket(
            actor=agent,
            ticket=ticket,
            body="Closing now.",
            public=True,
            then="close",
            files=[SimpleUploadedFile("a.txt", b"a\n", "text/plain")],
            close_reason=reason,
            out_of_scope=scope,
        )
    assert message in refused.value.message
    assert (Message.objects.count(), Attachment.objects.count(), AuditEvent.objects.count()) == (
        counts
    )
    assert fresh(ticket).status == "open"
    assert {c.state for c in fresh(ticket).clocks.all()} == {"running"}


def test_send_and_wait_on_a_waiting_ticket_is_a_reply(ticket):
    agent = user("agent")
    answer_ticket(actor=agent, ticket=ticket, body="First.", public=True, then="wait")
    answer_ticket(actor=agent, ticket=ticket, body="Reminder.", public=True, then="wait")
    assert fresh(ticket).status == "waiting_on_customer"


def test_a_closed_ticket_takes_no_answer_and_an_unknown_step_is_refused(ticket):
    agent = user("agent")
    with pytest.raises(InvalidInput) as refused:
        answer_ticket(actor=agent, ticket=ticket, body="x", public=True, then="archive")
    assert refused.value.field == "then"
    answer_ticket(actor=agent, ticket=ticket, body="Done.", public=True, then="close",
                  close_reason="Fixed.")  # fmt: skip
    with pytest.raises(Conflict):
        answer_ticket(actor=agent, ticket=fresh(ticket), body="More.", public=True)
