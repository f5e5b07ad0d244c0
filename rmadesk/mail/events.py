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
