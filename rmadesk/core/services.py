"""Writes every app uses: audit events, never-reused numbers, users with roles, API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db import IntegrityError, transaction

from rmadesk.core import clock
from rmadesk.core.choices import STAFF_ROLES, Role
from rmadesk.core.models import Account, ApiToken, AuditEvent, Counter

Actor = AbstractBaseUser | AnonymousUser | None

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
    at: Any = None,
) -> AuditEvent:
    """Record who did what to which record, when, and what changed (before/after pairs).

    Called inside the service's transaction, so the event exists exactly when the change does.
    """
    user: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        at=at or clock.now(),
        actor=user,
        actor_label=str(getattr(user, "email", "") or getattr(user, "username", "")) or "system",
        verb=verb,
        subject_type=subject_type,
        subject_id=str(subject_id),
        ticket_number=ticket_number,
        changes=_plain(dict(changes or {})),
        rules=list(rules),
        note=note,
    )
    # The notification this event calls for joins the same transaction (the outbox, issue 5).
    from rmadesk.mail.notifications import notify_for_event  # noqa: PLC0415 - mail imports core

    notify_for_event(event)
    return event


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
    from rmadesk.customers.models import Customer  # noqa: PLC0415 - customers imports core

    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; the roles are {', '.join(Role.values)}")
    customer = None
    if role == Role.CUSTOMER:
        if customer_id is None:
            raise ValueError("a customer contact needs --customer ID")
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise ValueError(f"no customer with id {customer_id}")
    elif customer_id is not None:
        raise ValueError("staff users belong to no customer")
    user_model = get_user_model()
    if user_model.objects.filter(username=email).exists():
        raise ValueError(f"a user {email} already exists")
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
    Account.objects.create(user=user, role=role, customer=customer)
    record_event(
        actor=actor,
        verb="user.added",
        subject_type="user",
        subject_id=user.pk,
        changes={"email": email, "role": role, "customer": customer_id},
    )
    return user


@transaction.atomic
def issue_token(*, user: Any, label: str = "", actor: Actor = None) -> str:
    """A new API token for a user; returned once, stored only as a digest."""
    token = "rmd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(token), label=label, created_at=clock.now()
    )
    record_event(
        actor=actor, verb="token.issued", subject_type="user", subject_id=user.pk, note=label
    )
    return token
