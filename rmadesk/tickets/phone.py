"""Phone calls logged by agents: a ticket with channel phone, or voicemail after hours (L4, T5).

A call is a ticket opened by the agent who took it, at the instant of the call: `open_ticket`
applies the channel rules (a Bronze or Silver call outside the target's hours becomes a
`voicemail` ticket whose clock starts at the next opening; Gold S1 reaches the team at any hour
on a 24x7 clock) and records the call as the ticket's first message (kind `call`). Nothing here
computes a due time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core.permissions import Actor, instant_for, require_role
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.tickets.choices import Channel
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.permissions import TICKET_ROLES
from rmadesk.tickets.services import open_ticket
from rmadesk.tickets.services.opening import SUBJECT_MAX

CALLER_MAX = 200


@transaction.atomic
def log_call(
    *,
    actor: Actor,
    serial: str,
    caller: str,
    severity: str,
    notes: str,
    called_at: dt.datetime | None = None,
) -> Ticket:
    """Open the ticket for a phone call taken by `actor` (staff who work tickets), L4.

    The ticket's clock starts at the call (`called_at`, default now; T1: an instant with an
    offset), or at the next opening when the call reached voicemail (T5).
    """
    require_role(actor, TICKET_ROLES, "logging a phone call")
    at = instant_for(actor, called_at, field="called_at")
    caller = required_text(caller, "caller", max_length=CALLER_MAX)
    notes = notes.strip()
    ticket = open_ticket(
        actor=actor,
        serial=serial,
        severity=severity,
        subject=_subject(caller, notes),
        body=f"Phone call from {caller}.\n\n{notes}" if notes else f"Phone call from {caller}.",
        channel=Channel.PHONE,
        opened_at=at,
    )
    record_event(
        actor=actor,
        verb="ticket.call_logged",
        subject_type="ticket",
        subject_id=ticket.number,
        ticket_number=ticket.number,
        changes={"caller": caller, "called_at": at, "channel": ticket.channel},
        rules=("L4",) if ticket.channel == Channel.VOICEMAIL else (),
        note=(
            "after hours: recorded as a voicemail, the clock starts at the next opening (rule L4)"
            if ticket.channel == Channel.VOICEMAIL
            else ""
        ),
        at=at,
    )
    return ticket


def _subject(caller: str, notes: str) -> str:
    """`Phone call from <caller>: <first line of the notes>`, cut to fit the subject field."""
    subject = f"Phone call from {caller}"
    first_line = notes.splitlines()[0].strip() if notes else ""
    if first_line:
        subject = f"{subject}: {first_line}"
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1].rstrip() + "…"
    return subject
