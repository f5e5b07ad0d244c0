"""The conversation on a ticket: replies and notes, waiting on the customer and resuming (L5).

A public agent reply meets the first-response clock and (re)starts the next-update clock from
the reply; an internal note changes no clock; a customer's reply is always public and resumes a
ticket waiting on them. Waiting on the customer pauses the next update; resuming runs only the
part of its target not used before the pause (pause means pause).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rmadesk.core.errors import Conflict
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import ticket_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.policy import sentences as S
from rmadesk.policy.pauses import length_text
from rmadesk.tickets.choices import ClockKind, ClockState, MessageKind, TicketStatus
from rmadesk.tickets.events import (
    AgentReplied,
    CustomerReplied,
    NoteAdded,
    TicketFacts,
    TicketResumed,
    WaitingOnCustomer,
    promise_of,
)
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.permissions import require_ticket_actor, require_ticket_staff
from rmadesk.tickets.services.clocks import (
    Clocks,
    answer_runs,
    change,
    due,
    lock_ticket,
    meet_running,
    not_before_opening,
    pause,
    pause_new_target,
    require_open,
    resumed_due,
    run,
    settle,
    snapshot,
    stop,
    sync_queue,
    update_sentence,
)


@transaction.atomic
def reply(
    *, actor: Actor, ticket: Ticket, body: str, public: bool, at: dt.datetime | None = None
) -> Message:
    """A message on a ticket: a public agent reply, an internal note, or the customer's reply (L5).

    A public agent reply meets the first-response clock and (re)starts the next-update clock from
    the reply; an internal note changes no clock; a customer's reply is always public and resumes
    a ticket waiting on them.
    """
    staff = require_ticket_actor(actor, "replying", ticket=ticket)
    when = instant_for(actor, at)
    locked, clocks = lock_ticket(ticket)
    require_open(locked)
    when = not_before_opening(locked, when)
    body = required_text(body, "body")
    author = user_or_none(actor)
    if not staff:
        message = Message.objects.create(
            ticket=locked,
            kind=MessageKind.CUSTOMER,
            is_public=True,
            body=body,
            at=when,
            author=author,
        )
        record_event(
            actor=actor,
            verb="ticket.customer_replied",
            subject_type="ticket",
            subject_id=locked.number,
            ticket_number=locked.number,
            changes={"message": message.pk, "public": True},
            at=when,
            event=CustomerReplied(ticket=TicketFacts.of(locked), message_id=message.pk),
        )
        if locked.status == TicketStatus.WAITING_ON_CUSTOMER:
            _resume(actor, locked, clocks, when, note="resumed by the customer's reply")
        copy_back(locked, ticket)
        return message

    if not public:
        message = Message.objects.create(
            ticket=locked, kind=MessageKind.NOTE, is_public=False, body=body, at=when, author=author
        )
        record_event(
            actor=actor,
            verb="ticket.note_added",
            subject_type="ticket",
            subject_id=locked.number,
            ticket_number=locked.number,
            changes={"message": message.pk, "public": False},
            note="internal note: no clock changes (rule L5)",
            at=when,
            event=NoteAdded(ticket=TicketFacts.of(locked), message_id=message.pk),
        )
        copy_back(locked, ticket)
        return message

    message = Message.objects.create(
        ticket=locked, kind=MessageKind.REPLY, is_public=True, body=body, at=when, author=author
    )
    policy = ticket_policy(locked)  # L6: the version the ticket runs on
    changes: list[dict[str, Any]] = []
    first = clocks.get(ClockKind.FIRST_RESPONSE)
    answer_runs(locked, when)  # runs breached before this reply are answered by it
    if first is not None and first.state == ClockState.RUNNING:
        changes.append(stop(first, when, locked))
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is None:
        update = clocks[ClockKind.NEXT_UPDATE] = ServiceClock(
            ticket=locked, kind=ClockKind.NEXT_UPDATE
        )
    before = snapshot(update)
    if update.pk is not None:
        meet_running(update, when, locked)  # an update given in time: the run was met (L5)
        breach = settle(update, when, locked)
        if breach is not None:
            answer_runs(locked, when)  # late, but this reply is the update owed
            changes.append(breach)
            before = snapshot(update)
    answer = due(policy, locked, when)
    if locked.status == TicketStatus.WAITING_ON_CUSTOMER:
        # L5: a public reply restarts the full target, which runs when the ticket resumes.
        pause_new_target(update, answer, when)
    else:
        run(update, answer, when, lead=[update_sentence(when, S.SINCE_REPLY())])
    update.save()
    changes.append(change(update, before))
    sync_queue(locked, clocks.values())
    author_name = (author.get_full_name() or "") if author is not None else ""
    record_event(
        actor=actor,
        verb="ticket.replied",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={"message": message.pk, "public": True, "clocks": changes},
        rules=("L3", "L5"),
        at=when,
        event=AgentReplied(
            ticket=TicketFacts.of(locked),
            message_id=message.pk,
            body=body,
            author_name=author_name,
            promise=promise_of(clocks.values()),
        ),
    )
    copy_back(locked, ticket)
    return message


@transaction.atomic
def wait_on_customer(
    *, actor: Actor, ticket: Ticket, at: dt.datetime | None = None, with_reply: bool = False
) -> Ticket:
    """The ticket waits on the customer: the next-update clock pauses (L5).

    `with_reply`: a public reply follows in the same transaction (`answer_ticket`), and its
    mail is the one that tells the customer.
    """
    require_ticket_staff(actor, "setting a ticket to wait on the customer", ticket)
    when = instant_for(actor, at)
    locked, clocks = lock_ticket(ticket)
    if locked.status != TicketStatus.OPEN:
        raise Conflict(
            "only an open ticket can wait on the customer; this one is "
            f"{locked.get_status_display()}",
            field="status",
        )
    when = not_before_opening(locked, when)
    changes: list[dict[str, Any]] = []
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is not None:
        breach = settle(update, when, locked)
        if breach is not None:
            changes.append(breach)
        elif update.state == ClockState.RUNNING:
            before = snapshot(update)
            pause(ticket_policy(locked), locked, update, when)  # L6
            update.save()
            changes.append(change(update, before))
    locked.status = TicketStatus.WAITING_ON_CUSTOMER
    locked.save(update_fields=["status"])
    sync_queue(locked, clocks.values())
    last = (
        Message.objects.filter(ticket=locked, kind=MessageKind.REPLY, is_public=True)
        .order_by("-at", "-id")
        .values_list("body", flat=True)
        .first()
    )
    record_event(
        actor=actor,
        verb="ticket.waiting_on_customer",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={"status": [TicketStatus.OPEN, locked.status], "clocks": changes},
        rules=("L5",),
        note="next update paused while waiting on the customer (rule L5)",
        at=when,
        event=WaitingOnCustomer(
            ticket=TicketFacts.of(locked), last_reply=last or "", with_reply=with_reply
        ),
    )
    copy_back(locked, ticket)
    return ticket


@transaction.atomic
def resume_ticket(*, actor: Actor, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The ticket waits on the vendor again: the rest of the next-update target runs (L5)."""
    require_ticket_staff(actor, "resuming a ticket", ticket)
    when = instant_for(actor, at)
    locked, clocks = lock_ticket(ticket)
    if locked.status != TicketStatus.WAITING_ON_CUSTOMER:
        raise Conflict(
            "only a ticket waiting on the customer can be resumed; this one is "
            f"{locked.get_status_display()}",
            field="status",
        )
    when = not_before_opening(locked, when)
    _resume(actor, locked, clocks, when, note="")
    copy_back(locked, ticket)
    return ticket


def _resume(
    actor: Actor,
    locked: Ticket,
    clocks: Clocks,
    when: dt.datetime,
    *,
    note: str,
) -> None:
    changes: list[dict[str, Any]] = []
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is not None and update.state == ClockState.PAUSED:
        before = snapshot(update)
        answer = resumed_due(ticket_policy(locked), locked, update, when)  # L6
        if update.remaining is None:  # nothing kept at the pause: the full target runs
            run(update, answer, when, lead=[update_sentence(when, S.SINCE_RESUME())])
        else:
            run(update, answer, when, used=update.used)
        update.save()
        changes.append(change(update, before))
    locked.status = TicketStatus.OPEN
    locked.save(update_fields=["status"])
    sync_queue(locked, clocks.values())
    record_event(
        actor=actor,
        verb="ticket.resumed",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={
            "status": [TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.OPEN],
            "clocks": changes,
        },
        rules=("L5",),
        note=" ".join(filter(None, [note, _resume_note(update)])),
        at=when,
        event=TicketResumed(ticket=TicketFacts.of(locked)),
    )


def _resume_note(update: ServiceClock | None) -> str:
    if update is None or update.due_at is None or update.state != ClockState.RUNNING:
        return "next update: nothing to resume (rule L5)"
    if update.used:
        return (
            f"next update: {length_text(update.used)} of its target was used before the pause; "
            f"the remainder runs from the resume (rule L5)"
        )
    return "next update: its target runs from the resume (rule L5)"
