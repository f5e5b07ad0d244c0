"""The policies of this installation: the active one, and every version a ticket may run on (L6).

The active policy is the version activated last (`rmadesk policy activate`, a `PolicyVersion`
row); with none, the configured file (RMADESK_POLICY) or the built-in default. Each process
asks the database which version is active at most once every `ACTIVE_RECHECK_SECONDS`, so the
web server and the worker agree within seconds of an activation without a query per request.
A ticket keeps the version it was opened under (`ticket_policy`), loaded once per process from
the stored text.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.models import PolicyVersion
from rmadesk.core.permissions import Actor, user_or_none
from rmadesk.policy.loader import Policy, default_policy, load_policy, parse_policy

# How stale a process's idea of the active version may be. The check is one indexed query;
# five seconds keeps it off every request while an activation reaches every process at once
# for any practical purpose (the activating process itself knows at the commit).
ACTIVE_RECHECK_SECONDS = 5.0


class HasPolicyVersion(Protocol):
    policy_version: str


@dataclass
class _Active:
    version: str | None = None  # the activated version; None: the configured file is active
    # time.monotonic() until which `version` is trusted: a cache deadline, not a business
    # instant, so it must not follow the injectable clock (tests move that clock by days).
    checked_until: float = 0.0


_state = _Active()
_lock = threading.Lock()
_by_version: dict[str, Policy] = {}
_unknown: set[str] = set()  # versions no row has (tickets older than the versions table)


def configured_policy() -> Policy:
    """The file RMADESK_POLICY names, or the built-in default: active until one is activated."""
    return _load(getattr(settings, "RMADESK_POLICY", None) or None)


@lru_cache(maxsize=4)
def _load(path: str | None) -> Policy:
    return load_policy(path) if path else default_policy()


def active_policy() -> Policy:
    """The policy new tickets open under (L6), and every other rule is answered by."""
    version = active_version()
    if version is None:
        return configured_policy()
    return policy_of(version) or configured_policy()


def active_version() -> str | None:
    """The version activated last, or None when none was: read at most every few seconds."""
    now = time.monotonic()
    if now < _state.checked_until:
        return _state.version
    found = (
        PolicyVersion.objects.order_by("-activated_at", "-id")
        .values_list("version", flat=True)
        .first()
    )
    with _lock:
        if found != _state.version:
            _unknown.clear()  # a version activated elsewhere is known from now on
        _state.version, _state.checked_until = found, now + ACTIVE_RECHECK_SECONDS
    return found


def policy_of(version: str) -> Policy | None:
    """The policy of a version this installation ran, loaded once per process; None if unknown."""
    configured = configured_policy()
    if version == configured.version:
        return configured
    found = _by_version.get(version)
    if found is not None or version in _unknown:
        return found
    row = PolicyVersion.objects.filter(version=version).values_list("text", "source").first()
    with _lock:
        if row is None:
            _unknown.add(version)
            return None
        found = _by_version.setdefault(version, parse_policy(row[0], row[1]))
    return found


def ticket_policy(ticket: HasPolicyVersion) -> Policy:
    """The policy a ticket's clocks run on: the version it opened under (L6).

    A ticket whose version was never stored (opened before versions were kept) runs on the
    active policy, as every ticket did then.
    """
    return policy_of(ticket.policy_version) or active_policy()


def forget_active_policy() -> None:
    """Ask the database again at the next use (after an activation; between tests)."""
    with _lock:
        _state.checked_until = 0.0
        _unknown.clear()


def pin_active_policy(version: str | None) -> None:
    """Trust `version` as the active one without asking the database (a fresh test database).

    The test suite pins "none activated" before each test, so tests that never activate a
    policy make no query for it and may run without a database.
    """
    with _lock:
        _state.version, _state.checked_until = version, float("inf")
        _unknown.clear()
        _by_version.clear()


def record_policy(
    policy: Policy, *, note: str, activate: bool, actor: Actor = None
) -> tuple[PolicyVersion, bool]:
    """Store a policy version (if new), optionally making it the active one now; (row, created).

    The caller holds the transaction; the processes learn of the change after it commits.
    """
    now = clock.now()
    user = user_or_none(actor)
    row, created = PolicyVersion.objects.get_or_create(
        version=policy.version,
        defaults={
            "name": policy.name,
            "text": policy.text,
            "source": policy.source,
            "recorded_at": now,
            "activated_at": now,
            "activated_by": user,
            "note": note,
        },
    )
    if activate and not created:
        row.activated_at, row.activated_by, row.note = now, user, note
        row.save(update_fields=["activated_at", "activated_by", "note"])
    if activate or created:
        transaction.on_commit(forget_active_policy)
    return row, created


@transaction.atomic
def ensure_active_policy_recorded() -> bool:
    """At start-up: store the configured file's version if this installation never ran it.

    A new version of the configured file is recorded as activated by rmadesk itself: editing
    RMADESK_POLICY's file and restarting activates it for new tickets, as before versions were
    kept (open tickets keep theirs). A version already stored changes nothing, so a file
    activated with `rmadesk policy activate` stays active across restarts. True if recorded.
    """
    _row, created = record_policy(
        configured_policy(),
        note="recorded at start-up: the configured policy file",
        activate=False,
    )
    return created
