"""How a ticket is handled: its severity (L6, L7), its assignee, and closing it (P1, W2), by
staff, or by the customer marking it solved (`mark_solved`, rmadesk's reading of L5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from rmadesk.core.errors import InvalidInput, PermissionDenied
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.policy import sentences as S
from rmadesk.tickets.choices import (
    ClockKind,
    ClockState,
    MessageKind,
    TicketStatus,
    WarrantyDenialCause,
)
from rmadesk.tickets.events import (
    SeverityChanged,
    TicketAssigned,
    TicketClosed,
    TicketFacts,
    promise_of,
)
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.permissions import (
    may_be_assigned,
    require_ticket_actor,
    require_ticket_staff,
)
from rmadesk.tickets.services.clocks import (
    answer_runs,
    change,
    due,
    lock_ticket,
    not_before_opening,
    pause_new_target,
    require_open,
    run,
    settle,
    snapshot,
    stop,
    sync_queue,
    update_sentence,
    vendor_local,
)


@transaction.atomic
def change_severity(
    *, actor: Actor, ticket: Ticket, severity: str, at: dt.datetime | None = None
) -> Ticket:
    """A new severity re-targets the running clocks from the change time (L7).

    The ticket moves to the active policy's version (L6): a changed policy reaches a running
    ticket exactly when its severity changes.
    """
    require_ticket_staff(actor, "changing a ticket's severity", ticket)
    when = instant_for(actor, at)
    locked, clocks = lock_ticket(ticket)
    require_open(locked)
    when = not_before_opening(locked, when)
    if severity == locked.severity:
        raise InvalidInput(f"the ticket is already {severity}", field="severity")
    policy = active_policy()
    answer = due(policy, locked, when, severity=severity)  # refusals (L2, L3) before any write
    old_severity, old_version = locked.severity, locked.policy_version
    locked.severity = severity
    locked.policy_version = policy.version
    locked.save(update_fields=["severity", "policy_version"])
    changes: list[dict[str, Any]] = []
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE):
        found = clocks.get(kind)
        if found is None:
            continue
        breach = settle(found, when, locked)
        if breach is not None:
            changes.append(breach)
            continue
        before = snapshot(found)
        if found.state == ClockState.RUNNING:
            lead = [
                f"Re-targeted at {vendor_local(when)}: severity {old_severity} became {severity} "
                f"(rule L7)."
            ]
            if kind == ClockKind.NEXT_UPDATE:
                lead.append(update_sentence(when, S.SINCE_SEVERITY_CHANGE()))
            run(found, answer, when, lead=lead)
        elif found.state == ClockState.PAUSED:
            pause_new_target(found, answer, found.paused_at or when)
        else:
            continue
        found.save()
        changes.append(change(found, before))
    sync_queue(locked, clocks.values())
    record_event(
        actor=actor,
        verb="ticket.severity_changed",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={
            "severity": [old_severity, severity],
            "policy_version": [old_version, policy.version],
            "clocks": changes,
        },
        rules=("L7", "L6", *answer.rules),
        note=f"re-targeted from {when.isoformat()} (rule L7)",
        at=when,
        event=SeverityChanged(
            ticket=TicketFacts.of(locked),
            old_severity=old_severity,
            new_severity=severity,
            promise=promise_of(clocks.values()),
        ),
    )
    copy_back(locked, ticket)
    return ticket


@transaction.atomic
def assign_ticket(*, actor: Actor, ticket: Ticket, assignee: Any) -> Ticket:
    """Give the ticket to an agent or a manager: a user, or their email; None unassigns it."""
    require_ticket_staff(actor, "assigning a ticket", ticket)
    if isinstance(assignee, str):
        assignee = _user_by_email(assignee)
    if assignee is not None and not may_be_assigned(assignee):
        raise InvalidInput(
            f"{getattr(assignee, 'email', assignee)} cannot work tickets: assign an agent or a "
            f"manager",
            field="assignee",
        )
    locked, _clocks = lock_ticket(ticket)
    before = _email(locked.assignee)
    locked.assignee = assignee
    locked.save(update_fields=["assignee"])
    record_event(
        actor=actor,
        verb="ticket.assigned",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={"assignee": [before, _email(assignee)]},
        event=TicketAssigned(ticket=TicketFacts.of(locked), assignee_email=_email(assignee)),
    )
    copy_back(locked, ticket, forget=("assignee",))
    return ticket


def _user_by_email(email: str) -> Any:
    user = get_user_model().objects.filter(username=email.strip()).first()
    if user is None:
        raise InvalidInput(f"no user {email!r}", field="assignee")
    return user


def _email(user: Actor) -> str | None:
    return None if user is None else str(getattr(user, "email", "") or user)


@transaction.atomic
def close_ticket(
    *,
    actor: Actor,
    ticket: Ticket,
    reason: str,
    out_of_scope: str | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Close as resolved, or as out of scope naming one of P1's reasons; running clocks stop."""
    require_ticket_staff(actor, "closing a ticket", ticket)
    when = instant_for(actor, at)
    reason = required_text(reason, "reason", rule="P1" if out_of_scope else None)
    policy = active_policy()
    scope_reason = ""
    if out_of_scope is not None:
        allowed = policy.document.scope.out_of_scope_reasons
        matched = [r for r in allowed if r.casefold() == out_of_scope.strip().casefold()]
        if not matched:
            raise InvalidInput(
                f"{out_of_scope!r} is not an out-of-scope reason; name one of: "
                f"{', '.join(allowed)}",
                rule="P1",
                field="out_of_scope",
            )
        scope_reason = matched[0]
    if scope_reason:
        # Customers read this message: the rule (P1) is in the audit row, not in the words.
        text = f"Closed as out of scope: our support does not cover {scope_reason}. {reason}"
    else:
        text = f"Closed as resolved. {reason}"
    return _close(
        actor=actor,
        ticket=ticket,
        when=when,
        status=TicketStatus.OUT_OF_SCOPE if scope_reason else TicketStatus.RESOLVED,
        reason=reason,
        text=text,
        verb="ticket.closed",
        rules=("P1",) if scope_reason else (),
        out_of_scope=scope_reason,
    )


# What a ticket the customer marked solved says: its close reason, and the history's words.
SOLVED_BY_CUSTOMER = "solved by the customer"
SOLVED_TEXT = "Closed by the customer (solved)."


@transaction.atomic
def mark_solved(*, actor: Actor, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The customer closes their own ticket as solved: it closes like any other (its running
    clocks stop, the closing mail goes out), and they may reopen it for the policy's
    `reopen_within_days` (`reopen_ticket`). Staff close with a reason (`close_ticket`)."""
    if require_ticket_actor(actor, "marking a ticket solved", ticket):
        raise PermissionDenied(
            "marking a ticket solved is the customer's; staff close it with a reason",
            field="status",
        )
    when = instant_for(actor, at)
    return _close(
        actor=actor,
        ticket=ticket,
        when=when,
        status=TicketStatus.RESOLVED,
        reason=SOLVED_BY_CUSTOMER,
        text=SOLVED_TEXT,
        verb="ticket.solved_by_customer",
        rules=("L5",),
        by_customer=True,
    )


def denial_cause(cause: object) -> WarrantyDenialCause:
    """One of W2's causes, by its key ("customer_negligence"); anything else is refused."""
    keys = ", ".join(WarrantyDenialCause.values)
    if not isinstance(cause, str) or cause.strip() not in WarrantyDenialCause.values:
        raise InvalidInput(
            f"a warranty claim is denied only for one of W2's causes ({keys}), not {cause!r}",
            rule="W2",
            field="cause",
        )
    return WarrantyDenialCause(cause.strip())


def denial_sentence(cause: WarrantyDenialCause) -> str:
    """What the customer reads: the cause in plain words, without the rule's ID."""
    return f"The warranty does not cover damage caused by {cause.label}."


@transaction.atomic
def deny_warranty_claim(
    *,
    actor: Actor,
    ticket: Ticket,
    cause: str,
    explanation: str,
    at: dt.datetime | None = None,
) -> Ticket:
    """Close the ticket as a denied warranty claim, naming W2's cause; running clocks stop.

    The customer reads the cause in plain words and the agent's explanation; staff see W2.
    """
    require_ticket_staff(actor, "denying a warranty claim", ticket)
    when = instant_for(actor, at)
    found = denial_cause(cause)
    explanation = required_text(
        explanation, "explanation", rule="W2", what="an explanation of the denial"
    )
    text = f"Your warranty claim is denied. {denial_sentence(found)} {explanation}"
    return _close(
        actor=actor,
        ticket=ticket,
        when=when,
        status=TicketStatus.WARRANTY_DENIED,
        reason=explanation,
        text=text,
        verb="ticket.warranty_denied",
        rules=("W2",),
        warranty_denied=found,
    )


def _close(
    *,
    actor: Actor,
    ticket: Ticket,
    when: dt.datetime,
    status: TicketStatus,
    reason: str,
    text: str,
    verb: str,
    rules: tuple[str, ...],
    out_of_scope: str = "",
    warranty_denied: str = "",
    by_customer: bool = False,
) -> Ticket:
    """Close the locked ticket: stop its clocks, post the closing text, record the event.

    `by_customer`: the customer marked it solved; the closing text is their message.
    """
    locked, clocks = lock_ticket(ticket)
    require_open(locked)
    when = not_before_opening(locked, when)
    old_status = locked.status
    changes: list[dict[str, Any]] = []
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE):
        found = clocks.get(kind)
        if found is not None and found.state in {ClockState.RUNNING, ClockState.PAUSED}:
            changes.append(stop(found, when, locked))
    answer_runs(locked, when)  # the closing answers runs breached before it
    locked.status = status
    locked.closed_at = when
    locked.close_reason = reason
    locked.out_of_scope_reason = out_of_scope
    locked.warranty_denial_cause = warranty_denied
    locked.is_closed_by_customer = by_customer
    locked.save(
        update_fields=[
            "status",
            "closed_at",
            "close_reason",
            "out_of_scope_reason",
            "warranty_denial_cause",
            "is_closed_by_customer",
        ]
    )
    sync_queue(locked, clocks.values())
    Message.objects.create(
        ticket=locked,
        kind=MessageKind.CUSTOMER if by_customer else MessageKind.REPLY,
        is_public=True,
        body=text,
        at=when,
        author=user_or_none(actor),
    )
    audit: dict[str, Any] = {
        "status": [old_status, locked.status],
        "reason": reason,
        "out_of_scope": out_of_scope or None,
        "clocks": changes,
    }
    if warranty_denied:
        audit["cause"] = warranty_denied
    record_event(
        actor=actor,
        verb=verb,
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes=audit,
        rules=rules,
        note=f"denied for {warranty_denied} (rule W2). {reason}" if warranty_denied else text,
        at=when,
        event=TicketClosed(
            ticket=TicketFacts.of(locked),
            closing_text=text,
            reason=reason,
            out_of_scope=out_of_scope,
            warranty_denied=warranty_denied,
            assignee_id=locked.assignee_id,
        ),
    )
    copy_back(locked, ticket)
    return ticket
