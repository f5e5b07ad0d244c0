"""Domain events: what happened, typed, handed to subscribers once the transaction commits.

A service changes its records, records the audit event with the typed event attached
(`rmadesk.core.services.record_event(..., event=TicketOpened(...))`) and returns. Nothing else
happens inside its transaction: no mail is rendered, no task queued. When the transaction
commits, `publish` hands the event to each subscriber that the apps registered in their
`AppConfig.ready()` (`subscribe(TicketOpened, handler)`): the mail app queues the notification,
billing credits an invoice, the job queue wakes a worker. A rolled-back change publishes
nothing. The publisher never imports a subscriber: it knows them only by this registry.

An event carries what its subscribers need (the ticket's number, subject, requester, the due
time just computed ...), so a subscriber does not read back what the service had in hand.

*Durable* events (the default) are stored with their audit row (`AuditEvent.event_type` and
`payload`) in the service's transaction, and marked `dispatched_at` once every subscriber has
handled them. If the process dies between the commit and that mark, the periodic
`publish_pending_events` job hands the stored event to the subscribers again, so no event is
lost; subscribers are therefore idempotent (the outbox's dedupe key names the audit row).
*Transient* events (`durable = False`, e.g. "an outbox row was queued") are not stored: what
they start is backed by a sweep of its own.

Subscribers run in the committing thread, each in turn; one that raises is logged and leaves
the event undispatched for the retry, without stopping the others or undoing the commit.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import transaction
from pydantic import TypeAdapter

logger = logging.getLogger("rmadesk.events")

E = TypeVar("E", bound="DomainEvent")
Handler = Callable[[Any], None]


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in the domain; subclasses are frozen dataclasses, past tense.

    `audit_id` is the audit row the event was recorded with (set by `record_event`): the
    identity subscribers deduplicate on.
    """

    durable: ClassVar[bool] = True
    audit_id: int | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        known = _types.get(cls.__name__)
        if known is not None and known is not cls:
            raise TypeError(f"two domain events are called {cls.__name__}")
        _types[cls.__name__] = cls

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


_types: dict[str, type[DomainEvent]] = {}
_subscribers: dict[type[DomainEvent], list[Handler]] = {}
_adapters: dict[type[DomainEvent], TypeAdapter[Any]] = {}


def process_identity(hostname: str | None = None, pid: int | None = None) -> str:
    """`host:pid` of this process (or of the one named): whose commits an event came from.

    Read each time, not at import: a forking server's workers each have their own pid.
    """
    host = socket.gethostname() if hostname is None else hostname
    return f"{host[:255]}:{os.getpid() if pid is None else pid}"


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` for every `event_type` published (once per handler)."""
    handlers = _subscribers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def subscribers_of(event_type: type[DomainEvent]) -> list[Handler]:
    return list(_subscribers.get(event_type, ()))


def has_subscribers(event: DomainEvent) -> bool:
    return bool(_subscribers.get(type(event)))


# ------------------------------------------------------------------------------ payload


def _adapter(event_type: type[DomainEvent]) -> TypeAdapter[Any]:
    adapter = _adapters.get(event_type)
    if adapter is None:
        adapter = _adapters[event_type] = TypeAdapter(event_type)
    return adapter


def to_payload(event: DomainEvent) -> dict[str, Any]:
    """The event as JSON-ready data (instants as ISO 8601 with offset, amounts as strings)."""
    data: dict[str, Any] = _adapter(type(event)).dump_python(event, mode="json")
    data.pop("audit_id", None)
    return data


def from_payload(type_name: str, payload: dict[str, Any], *, audit_id: int | None) -> DomainEvent:
    """The event stored by `to_payload`, typed again (for the retry of an undispatched event)."""
    event_type = _types.get(type_name)
    if event_type is None:
        raise LookupError(f"no domain event called {type_name!r}")
    event: DomainEvent = _adapter(event_type).validate_python({**payload, "audit_id": audit_id})
    return event


# ---------------------------------------------------------------------------- publishing


def publish(event: DomainEvent, *, on_dispatched: Callable[[], None] | None = None) -> None:
    """Hand `event` to its subscribers once the current transaction commits (at once outside).

    `on_dispatched` runs after every subscriber handled it (the audit row's mark).
    """

    def deliver() -> None:
        if dispatch(event) and on_dispatched is not None:
            on_dispatched()

    transaction.on_commit(deliver, robust=True)


def dispatch(event: DomainEvent) -> bool:
    """Call every subscriber of the event now; True when all of them succeeded."""
    ok = True
    for handler in subscribers_of(type(event)):
        try:
            handler(event)
        except Exception:
            if getattr(settings, "RMADESK_EVENTS_STRICT", False):
                raise  # the test suite: a broken subscriber fails the test that caused it
            ok = False
            logger.exception(
                "subscriber %s failed on %s (audit row %s); it is retried",
                getattr(handler, "__qualname__", handler),
                type(event).__name__,
                event.audit_id,
            )
    return ok


def dispatch_all(events: Iterable[DomainEvent]) -> list[DomainEvent]:
    """Dispatch each event; the ones some subscriber failed on."""
    return [event for event in events if not dispatch(event)]
