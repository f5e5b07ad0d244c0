"""Events of the mail app (rmadesk.core.events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rmadesk.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class OutboxMessageQueued(DomainEvent):
    """A notification was queued in the outbox; the job queue starts its delivery.

    Transient: not stored, because the periodic outbox sweep sends every due row anyway.
    """

    durable: ClassVar[bool] = False
    message_pk: int


@dataclass(frozen=True, kw_only=True)
class HeldMailLinked(DomainEvent):
    """An agent linked a held email to a customer: it opened a ticket or threaded onto one."""

    inbound_pk: int
    customer_pk: int
    ticket_number: int
    opened: bool  # True: a new ticket; False: the customer's reply on an existing one
    sender_remembered: bool  # the sender became a contact of the customer


@dataclass(frozen=True, kw_only=True)
class HeldMailDiscarded(DomainEvent):
    """An agent discarded a held email as spam (kept, never deleted)."""

    inbound_pk: int
