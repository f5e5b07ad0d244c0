"""Phone calls logged by agents: a ticket with channel phone, or voicemail after hours (L4, T5).

Two calls open no phone ticket, or not a live one:

- a warranty-event call (a hardware failure, a part to replace) outside the warranty phone
  line's hours (T3: 09:00-17:00 Pacific, Mon-Fri) is a voicemail whose clock starts when the
  line opens (`open_ticket(warranty_event=True)`);
- a call about TrueCommand (a serial whose plan is an email helpdesk, L8) opens no ticket: it is
  logged (audit event `call.email_only`) and the caller is told where to write
  (`EmailOnlyCall`).

A call is a ticket opened by the agent who took it, at the instant of the call: `open_ticket`
applies the channel rules (a Bronze or Silver call outside the target's hours becomes a
`voicemail` ticket whose clock starts at the next opening; Gold S1 reaches the team at any hour
on a 24x7 clock) and records the call as the ticket's first message (kind `call`). Nothing here
computes a due time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction

from rmadesk.assets.selectors import asset_by_serial
from rmadesk.core.permissions import Actor, instant_for, require_role
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.policy.errors import PolicyError
from rmadesk.tickets.choices import Channel
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.permissions import TICKET_ROLES
from rmadesk.tickets.services import open_ticket
from rmadesk.tickets.services.opening import SUBJECT_MAX, plan_for

CALLER_MAX = 200


@dataclass(frozen=True)
class EmailOnlyCall:
    """A TrueCommand call: logged, no ticket; the caller is told where to write (L8)."""

    serial: str
    caller: str
    called_at: dt.datetime
    plan: str
    write_to: str
    answer: str
    rule: str = "L8"


def support_address() -> str:
    """The address customers write to: the one rmadesk's mail comes from and intake reads."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


@transaction.atomic
def log_call(
    *,
    actor: Actor,
    serial: str,
    caller: str,
    severity: str,
    notes: str,
    called_at: dt.datetime | None = None,
    warranty_event: bool = False,
    about_jails_or_plugins: bool = False,
) -> Ticket | EmailOnlyCall:
    """Open the ticket for a phone call taken by `actor` (staff who work tickets), L4.

    The ticket's clock starts at the call (`called_at`, default now; T1: an instant with an
    offset), or at the next opening when the call reached voicemail (T5): for a warranty event
    (`warranty_event`), the next opening of the warranty phone line (T3). A call on a
    TrueCommand serial opens no ticket (L8): it is logged and answered with where to write.
    """
    require_role(actor, TICKET_ROLES, "logging a phone call")
    at = instant_for(actor, called_at, field="called_at")
    caller = required_text(caller, "caller", max_length=CALLER_MAX)
    notes = notes.strip()
    email_only = _email_only(actor, serial, caller, notes, at)
    if email_only is not None:
        return email_only
    ticket = open_ticket(
        actor=actor,
        serial=serial,
        severity=severity,
        subject=_subject(caller, notes),
        body=f"Phone call from {caller}.\n\n{notes}" if notes else f"Phone call from {caller}.",
        channel=Channel.PHONE,
        opened_at=at,
        warranty_event=warranty_event,
        about_jails_or_plugins=about_jails_or_plugins,
    )
    voicemail = ticket.channel == Channel.VOICEMAIL
    line_closed = voicemail and warranty_event
    record_event(
        actor=actor,
        verb="ticket.call_logged",
        subject_type="ticket",
        subject_id=ticket.number,
        ticket_number=ticket.number,
        changes={
            "caller": caller,
            "called_at": at,
            "channel": ticket.channel,
            "warranty_event": warranty_event,
        },
        rules=("T3", "L4") if line_closed else ("L4",) if voicemail else (),
        note=(
            "outside the warranty phone line's hours: recorded as a voicemail, the clock starts "
            "when the line opens (rules T3, L4)"
            if line_closed
            else "after hours: recorded as a voicemail, the clock starts at the next opening "
            "(rule L4)"
            if voicemail
            else ""
        ),
        at=at,
    )
    return ticket


def _email_only(
    actor: Actor, serial: str, caller: str, notes: str, at: dt.datetime
) -> EmailOnlyCall | None:
    """L8: a call on a serial whose plan is an email helpdesk is logged, not opened."""
    asset = asset_by_serial(actor, serial)
    policy = active_policy()
    try:
        plan = plan_for(policy, asset, at)
    except PolicyError:
        return None  # no contract in force: `open_ticket` refuses it, naming L1
    plan_doc = policy.document.plans[plan]
    if plan_doc.channel != "email":
        return None
    write_to = support_address()
    answer = (
        f"{plan_doc.title} support is an email helpdesk: no phone ticket is opened. Ask the "
        f"caller to write to {write_to}, or to open a ticket in the portal, quoting serial "
        f"{asset.serial} (rule L8)."
    )
    record_event(
        actor=actor,
        verb="call.email_only",
        subject_type="asset",
        subject_id=asset.serial,
        changes={
            "caller": caller,
            "called_at": at,
            "plan": plan,
            "notes": notes,
            "write_to": write_to,
        },
        rules=("L8",),
        note=answer,
        at=at,
    )
    return EmailOnlyCall(
        serial=asset.serial,
        caller=caller,
        called_at=at,
        plan=plan,
        write_to=write_to,
        answer=answer,
    )


def _subject(caller: str, notes: str) -> str:
    """`Phone call from <caller>: <first line of the notes>`, cut to fit the subject field."""
    subject = f"Phone call from {caller}"
    first_line = notes.splitlines()[0].strip() if notes else ""
    if first_line:
        subject = f"{subject}: {first_line}"
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1].rstrip() + "…"
    return subject
