"""Activating a policy file (L6): new tickets open under it; open tickets move only if asked.

Lives with the tickets because the choice to re-target open tickets writes their clocks. The
version itself is a core record (`PolicyVersion`), stored with its text so the tickets that
keep an older version are still timed by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.choices import Role
from rmadesk.core.errors import Conflict
from rmadesk.core.models import PolicyVersion
from rmadesk.core.permissions import Actor, require_role
from rmadesk.core.policies import active_policy, record_policy
from rmadesk.core.services import record_event
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.service_levels import local_text
from rmadesk.tickets.choices import ClockState
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.policy_impact import open_tickets, ticket_retargets, with_last_reply
from rmadesk.tickets.services.clocks import (
    change,
    lock_ticket,
    pause_new_target,
    run,
    settle,
    snapshot,
    sync_queue,
)


@dataclass(frozen=True)
class Activation:
    version: PolicyVersion
    retargeted: list[int]  # ticket numbers moved to the new version
    refused: list[tuple[int, str]]  # (ticket, why) left on their version


@transaction.atomic
def activate_policy(
    *, actor: Actor, policy: Policy, retarget_open: bool = False, note: str = ""
) -> Activation:
    """Make `policy` the active version: tickets opened from now on run on it (L6).

    With `retarget_open`, every open ticket on another version moves to it, its running clocks
    re-targeted from the instants their rules count from (see `rmadesk.tickets.policy_impact`),
    each recorded in the ticket's history. The outgoing version is stored first, so its tickets
    keep being timed by it.
    """
    if actor is not None:
        require_role(actor, {Role.MANAGER}, "activating a policy file")
    current = active_policy()
    if current.version == policy.version:
        raise Conflict(
            f"{policy.version} is already the active policy; nothing changed (rule L6)",
            rule="L6",
            field="file",
        )
    # The outgoing version's text, if never stored (the configured file): its tickets keep it.
    record_policy(
        current, note="the active policy, stored when another was activated", activate=False
    )
    choice = "open tickets re-targeted" if retarget_open else "open tickets keep their version"
    row, _created = record_policy(policy, note=note or choice, activate=True, actor=actor)
    retargeted: list[int] = []
    refused: list[tuple[int, str]] = []
    if retarget_open:
        numbers = open_tickets().exclude(policy_version=policy.version).order_by("number")
        for ticket in numbers:
            why = _retarget(actor, ticket, policy)
            if why is None:
                retargeted.append(ticket.number)
            else:
                refused.append((ticket.number, why))
    row.retargeted_open = retarget_open
    row.retargeted_tickets = len(retargeted)
    row.save(update_fields=["retargeted_open", "retargeted_tickets"])
    record_event(
        actor=actor,
        verb="policy.activated",
        subject_type="policy",
        subject_id=policy.version,
        changes={
            "version": [current.version, policy.version],
            "retarget_open": retarget_open,
            "retargeted_tickets": retargeted,
            "kept_their_version": [number for number, _why in refused],
        },
        rules=("L6",),
        note=f"{policy.name} from {policy.source}: {choice}",
    )
    return Activation(version=row, retargeted=retargeted, refused=refused)


def _retarget(actor: Actor, ticket: Ticket, policy: Policy) -> str | None:
    """Move one open ticket to `policy`, its clocks re-targeted; the refusal why, or None.

    A ticket the new file refuses (its plan or severity no longer offered) keeps its version,
    untouched: its savepoint is rolled back.
    """
    try:
        _move(actor, ticket, policy)
    except PolicyError as error:
        return str(error)
    return None


def _move(actor: Actor, ticket: Ticket, policy: Policy) -> None:
    with transaction.atomic():
        locked, clocks = lock_ticket(ticket)
        annotated = with_last_reply(Ticket.objects.filter(pk=locked.pk)).get()
        locked.last_public_reply_at = annotated.last_public_reply_at  # type: ignore[attr-defined]
        plans = ticket_retargets(locked, list(clocks.values()), policy)
        now = clock.now()
        old_version = locked.policy_version
        changes: list[dict[str, Any]] = []
        for plan in plans:
            found = clocks[plan.kind]
            before = snapshot(found)
            lead = [
                f"Re-targeted when policy {policy.version} was activated at "
                f"{local_text(now, policy.vendor_zone)}, counted from {plan.counted_from_what} "
                f"at {local_text(plan.counted_from, policy.vendor_zone)} (rule L6)."
            ]
            if found.state == ClockState.PAUSED:
                pause_new_target(found, plan.answer, found.paused_at or now)
            else:
                run(found, plan.answer, plan.counted_from, lead=lead, used=plan.used)
            found.save()
            settle(
                found, now, locked
            )  # a shorter target may already have passed: breached at its due
            changes.append(change(found, before) | {"counted_from": plan.counted_from})
        locked.policy_version = policy.version
        locked.save(update_fields=["policy_version"])
        sync_queue(locked, clocks.values())
        record_event(
            actor=actor,
            verb="ticket.policy_retargeted",
            subject_type="ticket",
            subject_id=locked.number,
            ticket_number=locked.number,
            changes={"policy_version": [old_version, policy.version], "clocks": changes},
            rules=("L6", "L3", "L5"),
            note=f"moved to policy {policy.version} when it was activated (rule L6)",
            at=now,
        )
