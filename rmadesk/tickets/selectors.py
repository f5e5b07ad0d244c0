"""Reads for tickets, limited to what the user may see (ARCHITECTURE rule 4).

Every list, detail and export of tickets starts from `visible_tickets`: a customer's contact sees
its own customer's tickets only, and a ticket it may not see answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from rmadesk.core.errors import NotFound
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import Actor, customer_scope, is_staff
from rmadesk.core.policies import ticket_policy
from rmadesk.policy.reopening import reopen_deadline
from rmadesk.tickets.choices import ClockKind, ClockState, TicketStatus
from rmadesk.tickets.models import Message, ServiceClock, Ticket

# Audit verbs a customer's contact does not see in a ticket's history (internal notes).
INTERNAL_VERBS = frozenset({"ticket.note_added"})
ATTACHMENT_ADDED = "ticket.attachment_added"  # internal when its message is an internal note


def visible_tickets(user: Actor) -> QuerySet[Ticket]:
    """Tickets the user may see: all for staff, its customer's for a contact."""
    scope = customer_scope(user)
    tickets = Ticket.objects.select_related("customer", "asset", "assignee")
    return tickets if scope is None else tickets.filter(customer_id=scope)


def ticket_for(user: Actor, number: int) -> Ticket:
    """The ticket with this number if the user may see it; otherwise 404 (same as missing)."""
    found = visible_tickets(user).filter(number=number).first()
    if found is None:
        raise NotFound(f"no ticket {number}", field="number")
    return found


def filter_tickets(
    tickets: QuerySet[Ticket],
    *,
    status: str | None = None,
    breached: bool | None = None,
    customer: int | None = None,
) -> QuerySet[Ticket]:
    """The list endpoint's filters, with the clocks prefetched (a fixed number of queries).

    `breached` means a clock of the ticket is in the breached state now; `customer` narrows a
    staff list (a contact's list is already limited to its customer by `visible_tickets`).
    """
    if status is not None:
        tickets = tickets.filter(status=status)
    if customer is not None:
        tickets = tickets.filter(customer_id=customer)
    if breached is not None:
        any_breach = Exists(
            ServiceClock.objects.filter(ticket=OuterRef("pk"), state=ClockState.BREACHED)
        )
        tickets = tickets.filter(any_breach if breached else ~any_breach)
    return with_clocks(tickets)


def with_clocks(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.prefetch_related(
        Prefetch("clocks", queryset=ServiceClock.objects.order_by("kind"))
    )


def clocks_of(ticket: Ticket) -> dict[str, ServiceClock]:
    """The ticket's clocks by kind (uses the prefetch when there is one)."""
    return {c.kind: c for c in ticket.clocks.all()}


def first_response_clock(ticket: Ticket) -> ServiceClock | None:
    return clocks_of(ticket).get(ClockKind.FIRST_RESPONSE)


def ticket_messages(ticket: Ticket, user: Actor) -> list[Message]:
    """Messages the user may read: staff all, a customer's contact the public ones only."""
    messages = ticket.messages.select_related("author").order_by("at", "id")
    if not is_staff(user):
        messages = messages.filter(is_public=True)
    return list(messages)


def ticket_history(ticket: Ticket, *, viewer: Any = None) -> list[AuditEvent]:
    """Every audit event recorded under the ticket's number, oldest first.

    That includes its RMA's events (the RMA carries the ticket's number, P3). With a customer's
    contact as `viewer`, events about internal notes are left out, and so are the files added
    to them (`ticket.attachment_added` naming an internal note's message).
    """
    events = AuditEvent.objects.filter(ticket_number=ticket.number).order_by("at", "id")
    if viewer is not None and not is_staff(viewer):
        events = events.exclude(verb__in=INTERNAL_VERBS)
        notes = list(ticket.messages.filter(is_public=False).values_list("pk", flat=True))
        if notes:
            events = events.exclude(verb=ATTACHMENT_ADDED, changes__message__in=notes)
    return list(events)


def reopen_until(ticket: Ticket) -> dt.datetime | None:
    """Until when the customer may reopen the ticket (L5 reading); None unless they marked it
    solved. Counted on the ticket's own policy (L6)."""
    if ticket.status != TicketStatus.RESOLVED or not ticket.is_closed_by_customer:
        return None
    if ticket.closed_at is None:
        return None
    return reopen_deadline(ticket_policy(ticket), ticket.closed_at)
