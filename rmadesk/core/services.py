"""Writes every app uses: audit events, never-reused numbers, users with roles, API tokens."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.db import IntegrityError, transaction
from django.db.models import F, Model

from rmadesk.core import clock
from rmadesk.core.choices import STAFF_ROLES, Role
from rmadesk.core.errors import Conflict, InvalidInput, NotFound
from rmadesk.core.events import (
    DomainEvent,
    dispatch,
    from_payload,
    has_subscribers,
    process_identity,
    publish,
    to_payload,
)
from rmadesk.core.locking import claim
from rmadesk.core.models import Account, ApiToken, AuditEvent, Counter
from rmadesk.core.permissions import Actor, user_or_none
from rmadesk.policy.instants import require_aware

logger = logging.getLogger("rmadesk.events")

RMADESK_APPS = (
    "core",
    "customers",
    "assets",
    "tickets",
    "rmas",
    "billing",
    "onsite",
    "mail",
    "portal",
)
# Ticket numbers start at six digits so they read like case numbers on the phone (P3).
FIRST_NUMBERS = {"ticket": 100001, "invoice": 1, "credit_note": 1}


def _plain(value: Any) -> Any:
    """JSON-friendly form of a value recorded in an audit event's changes."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def record_event(
    *,
    actor: Actor,
    verb: str,
    subject_type: str,
    subject_id: object,
    ticket_number: int | None = None,
    changes: Mapping[str, Any] | None = None,
    rules: tuple[str, ...] | list[str] = (),
    note: str = "",
    at: dt.datetime | None = None,
    event: DomainEvent | None = None,
) -> AuditEvent:
    """Record who did what to which record, when, and what changed (before/after pairs).

    Called inside the service's transaction, so the record exists exactly when the change does.
    It sends nothing by itself: a typed `event`, if given, is stored with the row and published
    to its subscribers once the transaction commits (`rmadesk.core.events`).
    """
    row = _audit_row(
        user_or_none(actor),
        EventRecord(
            verb=verb,
            subject_type=subject_type,
            subject_id=subject_id,
            ticket_number=ticket_number,
            changes=changes,
            rules=rules,
            note=note,
            at=at,
            event=event,
        ),
        clock.now(),
    )
    row.save(force_insert=True)
    _publish_recorded(row, event)
    return row


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventRecord:
    """One audit event of a batch (`record_events`): `record_event`'s arguments but the actor."""

    verb: str
    subject_type: str
    subject_id: object
    ticket_number: int | None = None
    changes: Mapping[str, Any] | None = None
    rules: tuple[str, ...] | list[str] = ()
    note: str = ""
    at: dt.datetime | None = None
    event: DomainEvent | None = None


def record_events(*, actor: Actor, records: Sequence[EventRecord]) -> list[AuditEvent]:
    """`record_event` for many records at once (a set-based scan): one INSERT for the batch.

    Each typed event is published after the commit, in order, as `record_event` does.
    """
    user = user_or_none(actor)
    now = clock.now()
    rows = AuditEvent.objects.bulk_create([_audit_row(user, record, now) for record in records])
    for row, record in zip(rows, records, strict=True):
        _publish_recorded(row, record.event)
    return rows


def _audit_row(user: User | None, record: EventRecord, now: dt.datetime) -> AuditEvent:
    event = record.event
    durable = event is not None and event.durable and has_subscribers(event)
    return AuditEvent(
        at=record.at or now,
        actor=user,
        actor_label=str(getattr(user, "email", "") or getattr(user, "username", "")) or "system",
        verb=record.verb,
        subject_type=record.subject_type,
        subject_id=str(record.subject_id),
        ticket_number=record.ticket_number,
        changes=_plain(dict(record.changes or {})),
        rules=list(record.rules),
        note=record.note,
        recorded_at=now,
        recorded_by=process_identity() if durable else "",
        event_type=event.type_name() if durable and event is not None else "",
        payload=to_payload(event) if durable and event is not None else None,
    )


def _publish_recorded(row: AuditEvent, event: DomainEvent | None) -> None:
    if event is not None:
        published = dataclasses.replace(event, audit_id=row.pk)
        publish(published, on_dispatched=_marker(row.pk) if row.event_type else None)


def _marker(audit_id: int) -> Callable[[], None]:
    def mark() -> None:
        AuditEvent.objects.filter(pk=audit_id, dispatched_at__isnull=True).update(
            dispatched_at=clock.now()
        )

    return mark


# An event not marked dispatched this long after it was recorded is handed out again: longer
# than any in-process dispatch takes, so the retry does not race the first delivery.
REDISPATCH_AFTER = dt.timedelta(minutes=2)
MAX_DISPATCH_ATTEMPTS = 5


def publish_pending_events(
    *, now: dt.datetime, limit: int = 500, recorded_by: str | None = None
) -> int:
    """Hand undispatched events to their subscribers again (the process died after a commit).

    By default, events left REDISPATCH_AFTER ago; with `recorded_by`, every event the process
    named left (a worker found dead: `process_identity(host, pid)`), at once. Rows are claimed
    with `SKIP LOCKED`, so two workers never hand out the same event at once; subscribers are
    idempotent, so an event the dying process had half-dispatched is safe to hand out again. An
    event that keeps failing is given up after MAX_DISPATCH_ATTEMPTS (its subscriber's error is
    in the log). Returns how many events were dispatched.
    """
    now = require_aware(now, "now")
    pending = AuditEvent.objects.filter(
        dispatched_at__isnull=True, dispatch_attempts__lt=MAX_DISPATCH_ATTEMPTS
    ).exclude(event_type="")
    if recorded_by is None:
        pending = pending.filter(recorded_at__lt=now - REDISPATCH_AFTER)
    else:
        pending = pending.filter(recorded_by=recorded_by)
    dispatched = 0
    with transaction.atomic():
        rows = list(claim(pending.order_by("id"))[:limit])
        for row in rows:
            ok = False
            try:
                event = from_payload(row.event_type, row.payload or {}, audit_id=row.pk)
                with transaction.atomic():  # a failing subscriber's writes are undone alone
                    ok = dispatch(event)
            except Exception:
                logger.exception(
                    "event %s (audit row %s) could not be dispatched", row.event_type, row.pk
                )
            AuditEvent.objects.filter(pk=row.pk).update(
                dispatch_attempts=F("dispatch_attempts") + 1,
                dispatched_at=now if ok else None,
            )
            dispatched += ok
    return dispatched


def allocate_number(name: str) -> int:
    """The next number of a named sequence, never reused; call inside a transaction.

    The counter row is locked for the rest of the caller's transaction, so concurrent callers
    queue on it (PostgreSQL row lock; SQLite's write lock) and each gets a distinct number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside the transaction that uses the number")
    counter = Counter.objects.select_for_update().filter(name=name).first()
    if counter is None:
        try:
            with transaction.atomic():
                Counter.objects.create(name=name, last_value=FIRST_NUMBERS.get(name, 1) - 1)
        except IntegrityError:
            pass  # created by a concurrent first caller: lock theirs
        counter = Counter.objects.select_for_update().get(name=name)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


@transaction.atomic
def add_user(
    *,
    email: str,
    role: str,
    customer_id: int | None = None,
    password: str | None = None,
    actor: Actor = None,
) -> Any:
    """A user with a role; a customer contact names its customer (the API's token holders)."""
    if role not in Role.values:
        raise InvalidInput(
            f"unknown role {role!r}; the roles are {', '.join(Role.values)}", field="role"
        )
    customer = None
    if role == Role.CUSTOMER:
        if customer_id is None:
            raise InvalidInput("a customer contact needs --customer ID", field="customer")
        # Core knows customers only as the model its Account points at (core imports no app).
        customers = cast("type[Model]", Account._meta.get_field("customer").related_model)
        customer = customers._default_manager.filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(f"no customer with id {customer_id}", field="customer")
    elif customer_id is not None:
        raise InvalidInput("staff users belong to no customer", field="customer")
    user_model = get_user_model()
    if user_model.objects.filter(username=email).exists():
        raise Conflict(f"a user {email} already exists", field="email")
    user = user_model.objects.create_user(username=email, email=email, password=password)
    if role in STAFF_ROLES:
        # Back-office staff may browse every record in the admin; changes go through services,
        # so roles below admin get the view permissions only.
        user.is_staff = True
        user.is_superuser = role == Role.ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
        if role != Role.ADMIN:
            user.user_permissions.add(
                *Permission.objects.filter(
                    content_type__app_label__in=RMADESK_APPS, codename__startswith="view_"
                )
            )
    Account.objects.create(
        user=user, role=role, customer_id=None if customer is None else customer.pk
    )
    record_event(
        actor=actor,
        verb="user.added",
        subject_type="user",
        subject_id=user.pk,
        changes={"email": email, "role": role, "customer": customer_id},
    )
    return user


@transaction.atomic
def issue_token(*, user: User, label: str = "", actor: Actor = None) -> str:
    """A new API token for a user; returned once, stored only as a digest."""
    token = "rmd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(token), label=label, created_at=clock.now()
    )
    record_event(
        actor=actor, verb="token.issued", subject_type="user", subject_id=user.pk, note=label
    )
    return token
