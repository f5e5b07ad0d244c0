"""The customer reopens a ticket they marked solved, within the policy's period (L5 reading).

Only a ticket the customer closed themselves (`mark_solved`) reopens, and only until
`[tickets] reopen_within_days` calendar days after (the ticket's policy, L6); a ticket staff
closed, or one past the period, is refused naming L5: the customer opens a new ticket and names
the old one. Reopened, the ticket waits on the vendor again, so L5 owes the customer an update at
the first-response target, counted from the reopen: closing is not a pause, nothing of the old
target stays used, and the full target runs (as after a resume that kept nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.core.errors import Conflict, PermissionDenied
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import ticket_policy
from rmadesk.core.services import record_event
from rmadesk.policy.service_levels import local_text
from rmadesk.tickets.choices import CLOSED_STATUSES, ClockKind, MessageKind, TicketStatus
from rmadesk.tickets.events import TicketFacts, TicketReopened, promise_of
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.permissions import require_ticket_actor
from rmadesk.tickets.selectors import reopen_until
from rmadesk.tickets.services.clocks import (
    change,
    due,
    lock_ticket,
    run,
    snapshot,
    sync_queue,
    vendor_local,
)

REOPENED_TEXT = "Reopened by the customer."


def _require_reopenable(ticket: Ticket, when: dt.datetime) -> None:
    """L5 reading: only a ticket the customer marked solved, and only within the period."""
    if ticket.status not in CLOSED_STATUSES:
        raise Conflict(
            _("ticket %(number)s is open") % {"number": ticket.number}, rule="L5", field="status"
        )
    until = reopen_until(ticket)
    if until is None:
        raise Conflict(
            _(
                "ticket %(number)s was closed by our staff: only a ticket you marked solved can "
                "be reopened; open a new ticket and mention ticket %(number)s"
            )
            % {"number": ticket.number},
            rule="L5",
            field="status",
        )
    if when > until:
        zone = ticket_policy(ticket).vendor_zone
        raise Conflict(
            _(
                "ticket %(number)s could be reopened until %(until)s: open a new ticket and "
                "mention ticket %(number)s"
            )
            % {"number": ticket.number, "until": local_text(until, zone)},
            rule="L5",
            field="closed_at",
        )


@transaction.atomic
def reopen_ticket(*, actor: Actor, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The customer reopens the ticket they marked solved: the next update is owed at the
    first-response target from now (L5)."""
    if require_ticket_actor(actor, "reopening a ticket", ticket):
        raise PermissionDenied(
            _("reopening a ticket the customer marked solved is the customer's"), field="status"
        )
    when = instant_for(actor, at)
    locked, clocks = lock_ticket(ticket)
    _require_reopenable(locked, when)
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is None:
        update = clocks[ClockKind.NEXT_UPDATE] = ServiceClock(
            ticket=locked, kind=ClockKind.NEXT_UPDATE
        )
    before = snapshot(update)
    answer = due(ticket_policy(locked), locked, when)  # L6: the ticket's version
    run(
        update,
        answer,
        when,
        lead=[
            f"Reopened by the customer at {vendor_local(when)}: the ticket waits on the vendor "
            f"again, and the next update is owed at the first-response target from the reopen "
            f"(rule L5)."
        ],
    )
    update.save()
    changes: list[dict[str, Any]] = [change(update, before)]
    old_status, closed_at = locked.status, locked.closed_at
    locked.status = TicketStatus.OPEN
    locked.closed_at = None
    locked.close_reason = ""
    locked.is_closed_by_customer = False
    locked.save(update_fields=["status", "closed_at", "close_reason", "is_closed_by_customer"])
    sync_queue(locked, clocks.values())
    message = Message.objects.create(
        ticket=locked,
        kind=MessageKind.CUSTOMER,
        is_public=True,
        body=REOPENED_TEXT,
        at=when,
        author=user_or_none(actor),
    )
    record_event(
        actor=actor,
        verb="ticket.reopened",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={
            "status": [old_status, locked.status],
            "closed_at": [closed_at, None],
            "message": message.pk,
            "clocks": changes,
        },
        rules=("L5",),
        note="reopened by the customer: the next update is owed from the reopen (rule L5)",
        at=when,
        event=TicketReopened(ticket=TicketFacts.of(locked), promise=promise_of(clocks.values())),
    )
    return copy_back(locked, ticket)
