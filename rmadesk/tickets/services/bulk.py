"""The same change to many tickets at once: the queue's bulk actions.

Each ticket goes through its own service call (`assign_ticket`, `wait_on_customer`,
`resume_ticket`, `close_ticket`), each in its own transaction with its own lock and audit event,
exactly as if an agent had done it on the ticket's page. A ticket the service refuses (closed
meanwhile, not waiting, gone) is reported with the service's own words and the others still
change: bulk actions are not all-or-nothing, because the tickets are independent and a lead
reassigning 20 tickets wants the 19 that can move to move, and to be told about the twentieth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rmadesk.core.errors import DomainError, PermissionDenied
from rmadesk.core.permissions import Actor
from rmadesk.policy.errors import PolicyError
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.permissions import require_ticket_actor
from rmadesk.tickets.selectors import visible_tickets
from rmadesk.tickets.services.conversation import resume_ticket, wait_on_customer
from rmadesk.tickets.services.handling import assign_ticket, close_ticket

MAX_TICKETS = 500  # one request's worth: a page or a few of the queue


@dataclass
class BulkOutcome:
    """Which tickets changed, and which did not with the reason, in the order asked."""

    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def _each(
    actor: Actor, numbers: Iterable[int], action: str, change: Callable[[Ticket], Any]
) -> BulkOutcome:
    if not require_ticket_actor(actor, action):
        raise PermissionDenied(f"{action} is done by the vendor's staff")
    wanted = list(dict.fromkeys(numbers))[:MAX_TICKETS]
    found = {t.number: t for t in visible_tickets(actor).filter(number__in=wanted)}
    outcome = BulkOutcome()
    for number in wanted:
        ticket = found.get(number)
        if ticket is None:
            outcome.refused.append((number, f"there is no ticket {number}"))
            continue
        try:
            change(ticket)
        except (DomainError, PolicyError) as error:
            outcome.refused.append((number, error.message))
        else:
            outcome.done.append(number)
    return outcome


def assign_tickets(*, actor: Actor, numbers: Iterable[int], assignee: Any) -> BulkOutcome:
    """Assign each ticket to `assignee` (None unassigns them)."""
    return _each(
        actor,
        numbers,
        "assigning tickets",
        lambda ticket: assign_ticket(actor=actor, ticket=ticket, assignee=assignee),
    )


def wait_on_customer_for(*, actor: Actor, numbers: Iterable[int]) -> BulkOutcome:
    """Set each open ticket waiting on the customer (L5)."""
    return _each(
        actor,
        numbers,
        "setting tickets to wait on the customer",
        lambda ticket: wait_on_customer(actor=actor, ticket=ticket),
    )


def resume_tickets(*, actor: Actor, numbers: Iterable[int]) -> BulkOutcome:
    """Resume each ticket waiting on the customer (L5)."""
    return _each(
        actor,
        numbers,
        "resuming tickets",
        lambda ticket: resume_ticket(actor=actor, ticket=ticket),
    )


def close_tickets(
    *, actor: Actor, numbers: Iterable[int], reason: str, out_of_scope: str | None = None
) -> BulkOutcome:
    """Close each ticket with the same reason (P1 when out of scope)."""
    return _each(
        actor,
        numbers,
        "closing tickets",
        lambda ticket: close_ticket(
            actor=actor, ticket=ticket, reason=reason, out_of_scope=out_of_scope
        ),
    )
