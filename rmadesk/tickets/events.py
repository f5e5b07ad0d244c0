"""What happens to a ticket, as typed domain events (rmadesk.core.events).

Each event carries the facts its subscribers need — the ticket as it stands after the change
(`TicketFacts`), the clock just computed, the message just written — taken from the rows the
service already holds, so a subscriber (the customer's mail, a staff alert) reads nothing back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rmadesk.core.events import DomainEvent
from rmadesk.customers.models import Customer
from rmadesk.tickets.choices import ClockKind, ClockState, Severity
from rmadesk.tickets.models import ServiceClock, Ticket


@dataclass(frozen=True)
class CustomerFacts:
    id: int
    name: str
    email: str
    country: str
    zone: str

    @classmethod
    def of(cls, customer: Customer) -> CustomerFacts:
        return cls(
            id=customer.pk,
            name=customer.name,
            email=customer.email,
            country=customer.country,
            zone=customer.zone,
        )


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as it stands after the change: what a mail about it says and whom it goes to."""

    number: int
    subject: str
    plan: str
    severity: str
    status: str
    channel: str
    opened_at: dt.datetime
    customer: CustomerFacts
    # Who hears about the ticket, and the Message-ID its mail thread hangs from (P3).
    requester: str
    mail_thread_id: str
    is_unsupported_software: bool = False
    unsupported_software_reason: str = ""

    @classmethod
    def of(cls, ticket: Ticket) -> TicketFacts:
        """The facts of a ticket whose customer is loaded (the services lock it with it)."""
        return cls(
            number=ticket.number,
            subject=ticket.subject,
            plan=ticket.plan,
            severity=ticket.severity,
            status=ticket.status,
            channel=ticket.channel,
            opened_at=ticket.opened_at,
            customer=CustomerFacts.of(ticket.customer),
            requester=ticket.requester_email or ticket.customer.email,
            mail_thread_id=ticket.mail_thread_id,
            is_unsupported_software=ticket.is_unsupported_software,
            unsupported_software_reason=ticket.unsupported_software_reason,
        )

    def get_severity_display(self) -> str:
        """The severity's words, as templates written for the model ask for them."""
        return str(Severity(self.severity).label) if self.severity in Severity.values else ""


@dataclass(frozen=True)
class ClockFacts:
    """One service-level clock after the change: its state, due instant and why (T8)."""

    kind: str
    state: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    target: str
    calendar: str
    explanation: tuple[str, ...] = ()

    @classmethod
    def of(cls, clock: ServiceClock) -> ClockFacts:
        return cls(
            kind=clock.kind,
            state=clock.state,
            started_at=clock.started_at,
            due_at=clock.due_at,
            target=clock.target,
            calendar=clock.calendar,
            explanation=tuple(clock.explanation or ()),
        )

    @property
    def label(self) -> str:
        return str(ClockKind(self.kind).label) if self.kind in ClockKind.values else self.kind


def promise_of(clocks: Iterable[ServiceClock]) -> ClockFacts | None:
    """What the customer is owed now: the running first-response, else next-update, clock."""
    by_kind = {clock.kind: clock for clock in clocks}
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE):
        found = by_kind.get(kind)
        if found is not None and found.state == ClockState.RUNNING and found.due_at is not None:
            return ClockFacts.of(found)
    return None


@dataclass(frozen=True, kw_only=True)
class TicketEvent(DomainEvent):
    ticket: TicketFacts


@dataclass(frozen=True, kw_only=True)
class TicketOpened(TicketEvent):
    body: str
    first_response: ClockFacts | None


@dataclass(frozen=True, kw_only=True)
class AgentReplied(TicketEvent):
    """A public reply by the vendor's staff (an internal note is `NoteAdded`)."""

    message_id: int
    body: str
    author_name: str
    promise: ClockFacts | None


@dataclass(frozen=True, kw_only=True)
class CustomerReplied(TicketEvent):
    message_id: int


@dataclass(frozen=True, kw_only=True)
class NoteAdded(TicketEvent):
    message_id: int


@dataclass(frozen=True, kw_only=True)
class SeverityChanged(TicketEvent):
    old_severity: str
    new_severity: str
    promise: ClockFacts | None


@dataclass(frozen=True, kw_only=True)
class WaitingOnCustomer(TicketEvent):
    last_reply: str
    # Set in the same step as a public reply ("send and wait"): the reply's own mail tells the
    # customer the ticket waits on them, so this one sends none.
    with_reply: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketResumed(TicketEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class TicketReopened(TicketEvent):
    """The customer reopened a ticket they had marked solved (L5): it waits on the vendor."""

    promise: ClockFacts | None


@dataclass(frozen=True, kw_only=True)
class TicketAssigned(TicketEvent):
    assignee_email: str | None


@dataclass(frozen=True, kw_only=True)
class TicketClosed(TicketEvent):
    closing_text: str
    reason: str
    out_of_scope: str
    warranty_denied: str = ""  # W2's cause when the ticket closed as a denied warranty claim
    assignee_id: int | None = None  # who had the ticket when it closed (satisfaction, issue 16)


@dataclass(frozen=True, kw_only=True)
class ClockBreached(TicketEvent):
    """A service-level clock passed its due instant unmet (L3, L5): staff are alerted."""

    clock: ClockFacts
    assignee_email: str
    rules: tuple[str, ...]
    note: str
