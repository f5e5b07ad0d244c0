"""The service-level clocks of a ticket, as the ticket services move them (L3, L5, L7, T8).

One row per kind, updated in place:

- `first_response` starts when the ticket opens (at the next opening when it opens outside the
  target's hours, T5/L4) and stops at the first public agent reply: met if on time, else breached.
- `next_update` (L5) starts at the first public agent reply and restarts at each one with the same
  target, counted from that reply. Waiting on the customer pauses it, keeping the part of the
  target already used; resuming runs only the remainder from the resume instant (pause means
  pause, `rmadesk.policy.pauses`). A reply or a severity change restarts the full target.

Due times come from the policy core (`response_due`); nothing here computes a date itself. A
clock found past due by a service is first recorded as breached at its due time, exactly as the
breach scan would have, so a late scan never hides a breach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import lock, locked
from rmadesk.core.policies import active_policy, ticket_policy
from rmadesk.policy import sentences as S
from rmadesk.policy.loader import Policy
from rmadesk.policy.pauses import ZERO, remainder_due, split_at_pause
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import DueAnswer, local_text, response_due, response_time
from rmadesk.tickets.choices import CLOSED_STATUSES, ClockKind, ClockState, TicketStatus
from rmadesk.tickets.models import ClockRun, ServiceClock, Ticket

CLOCK_RULES = {ClockKind.FIRST_RESPONSE: ("L3",), ClockKind.NEXT_UPDATE: ("L5",)}

Clocks = dict[str, ServiceClock]


def lock_ticket(ticket: Ticket) -> tuple[Ticket, Clocks]:
    """The ticket row (its customer read along) and its clocks, locked for the transaction.

    Every service that changes a ticket locks it here first, so this is where the ticket is
    marked updated (the queue's "updated" column); a refusal later rolls the mark back with
    the rest of the transaction.
    """
    row = lock(Ticket.objects.select_related("customer"), ticket.pk)
    row.updated_at = clock.now()
    Ticket.objects.filter(pk=row.pk).update(updated_at=row.updated_at)
    clocks = {c.kind: c for c in locked(ServiceClock.objects.filter(ticket=row))}
    return row, clocks


def require_open(ticket: Ticket) -> None:
    if ticket.status in CLOSED_STATUSES:
        raise Conflict(
            _("ticket %(number)s is closed (%(status)s)")
            % {"number": ticket.number, "status": ticket.get_status_display()},
            field="status",
        )


def not_before_opening(ticket: Ticket, at: dt.datetime) -> dt.datetime:
    if at < ticket.opened_at:
        raise InvalidInput(
            f"{at.isoformat()} is before the ticket was opened ({ticket.opened_at.isoformat()})",
            field="at",
        )
    return at


def due(
    policy: Policy, ticket: Ticket, start: dt.datetime, *, severity: str | None = None
) -> DueAnswer:
    """The policy core's answer for the ticket's plan and severity from `start` (L3, T5)."""
    customer = ticket.customer
    return response_due(
        policy,
        plan=ticket.plan,
        severity=severity or ticket.severity,
        start=start,
        country=customer.country,
        zone=customer.zone,
        field="at",
    )


def vendor_local(at: dt.datetime) -> str:
    return local_text(at, active_policy().vendor_zone)


def update_sentence(at: dt.datetime, since: str) -> str:
    return cited(S.NEXT_UPDATE_OWED(since=since, at=vendor_local(at)), "rule L5")


def run(
    found: ServiceClock,
    answer: DueAnswer,
    at: dt.datetime,
    *,
    explain: list[str] | None = None,
    lead: list[str] | None = None,
    used: dt.timedelta = ZERO,
) -> None:
    """(Re)start a clock from `at` with the answer's due time (T5: from the next opening).

    Its explanation is the policy core's (T8), after any `lead` sentences saying why it
    (re)started: a reply (L5), a resume (L5) or a severity change (L7). `used` is the part of
    the target earlier pauses kept used (a resume, L5); a fresh target has used nothing.
    """
    found.state = ClockState.RUNNING
    found.started_at = answer.clock_starts or at
    found.due_at = answer.due
    found.paused_at = None
    found.stopped_at = None
    found.used = used
    found.remaining = None
    found.target = answer.target
    found.calendar = answer.calendar or ""
    found.explanation = [*(lead or []), *(explain if explain is not None else answer.explain)]


def pause(policy: Policy, ticket: Ticket, found: ServiceClock, at: dt.datetime) -> None:
    """Pause a running clock at `at`, keeping the part of its target already used (L5).

    The policy core measures the used and remaining open time of the target's calendar; a
    clock without a due time (no service level, L3) keeps nothing.
    """
    found.state = ClockState.PAUSED
    found.paused_at = at
    if found.due_at is not None:
        customer = ticket.customer
        split = split_at_pause(
            policy,
            plan=ticket.plan,
            severity=ticket.severity,
            started=found.started_at,
            paused=at,
            due=found.due_at,
            used_before=found.used,
            country=customer.country,
            zone=customer.zone,
        )
        found.used, found.remaining = split.used, split.remaining
        found.explanation = [*split.explain]
    found.due_at = None  # nothing is owed while the customer holds the ticket (L5)


def resumed_due(policy: Policy, ticket: Ticket, found: ServiceClock, at: dt.datetime) -> DueAnswer:
    """The answer for a paused clock resuming at `at`: only the remainder runs (L5).

    A clock that kept nothing at its pause (a reply or a severity change while paused) runs
    its full target from the resume.
    """
    if found.remaining is None:
        return due(policy, ticket, at)
    customer = ticket.customer
    return remainder_due(
        policy,
        plan=ticket.plan,
        severity=ticket.severity,
        resume=at,
        used=found.used,
        remaining=found.remaining,
        country=customer.country,
        zone=customer.zone,
    )


def pause_new_target(found: ServiceClock, answer: DueAnswer, at: dt.datetime) -> None:
    """A paused clock keeps no due time; it takes the answer's full target for when it resumes.

    A public reply (L5) or a severity change (L7) while the ticket waits on the customer: the
    target restarts, so nothing used before stays used.
    """
    found.state = ClockState.PAUSED
    if found.pk is None:
        found.started_at = at
    found.paused_at = found.paused_at or at
    found.due_at = None
    found.stopped_at = None
    found.used = ZERO
    found.remaining = None
    found.target = answer.target
    found.calendar = answer.calendar or ""
    found.explanation = [
        *answer.explain[:1],
        cited(S.PAUSED_FULL_TARGET(), "rule L5"),
    ]


def stop(found: ServiceClock, at: dt.datetime, ticket: Ticket) -> dict[str, Any]:
    """Stop a running or paused clock at `at`: met, or breached at its due time if later."""
    before = snapshot(found)
    if found.state == ClockState.RUNNING and found.due_at is not None and found.due_at < at:
        found.state = ClockState.BREACHED
        found.stopped_at = found.due_at
    else:
        found.state = ClockState.MET
        found.stopped_at = at
    found.save()
    record_run(found, ticket, answered=at)
    return change(found, before)


def settle(found: ServiceClock, at: dt.datetime, ticket: Ticket) -> dict[str, Any] | None:
    """A running clock already past due at `at` is breached at its due time (as the scan would)."""
    if found.state != ClockState.RUNNING or found.due_at is None or found.due_at >= at:
        return None
    before = snapshot(found)
    found.state = ClockState.BREACHED
    found.stopped_at = found.due_at
    found.save()
    record_run(found, ticket, answered=None)
    return change(found, before)


def meet_running(found: ServiceClock, at: dt.datetime, ticket: Ticket) -> None:
    """A running clock answered in time by a reply that restarts it: its run was met (L5)."""
    if found.state == ClockState.RUNNING and found.due_at is not None and found.due_at >= at:
        record_run(found, ticket, answered=at, state=ClockState.MET)


def new_run(
    found: ServiceClock,
    ticket: Ticket,
    *,
    answered: dt.datetime | None,
    state: str | None = None,
) -> ClockRun | None:
    """The finished run of a clock with a due time, its business time from the policy core.

    None for a clock without a service level (nothing was promised, L3).
    """
    if found.due_at is None:
        return None
    customer = ticket.customer
    due_on = found.due_at.astimezone(active_policy().vendor_zone).date()
    measured = response_time(
        ticket_policy(ticket),
        plan=ticket.plan,
        severity=ticket.severity,
        started=found.started_at,
        due=found.due_at,
        answered=answered,
        used=found.used,
        country=customer.country,
        zone=customer.zone,
    )
    return ClockRun(
        ticket=ticket,
        kind=found.kind,
        plan=ticket.plan,
        severity=ticket.severity,
        state=state or found.state,
        started_at=found.started_at,
        due_at=found.due_at,
        answered_at=answered,
        business_seconds=(
            None if measured.business is None else int(measured.business.total_seconds())
        ),
        target_seconds=int(measured.target.total_seconds()),
        is_due_in_hours=measured.is_due_in_hours,
        due_on=due_on,
        due_week=due_on - dt.timedelta(days=due_on.weekday()),
        due_month=due_on.replace(day=1),
    )


def record_run(
    found: ServiceClock,
    ticket: Ticket,
    *,
    answered: dt.datetime | None,
    state: str | None = None,
) -> None:
    run_row = new_run(found, ticket, answered=answered, state=state)
    if run_row is not None:
        run_row.save()


def answer_runs(ticket: Ticket, at: dt.datetime) -> None:
    """A public reply or a closing answers the ticket's breached runs nobody had answered yet.

    Their business time counts to this answer on each run's own calendar (the reports' response
    time of a late answer: 9 business hours, not the wall-clock span).
    """
    waiting = list(ClockRun.objects.filter(ticket=ticket, answered_at__isnull=True))
    if not waiting:
        return
    policy = ticket_policy(ticket)
    customer = ticket.customer
    for found in waiting:
        measured = response_time(
            policy,
            plan=found.plan,
            severity=found.severity,
            started=found.started_at,
            due=found.due_at,
            answered=max(at, found.started_at),
            country=customer.country,
            zone=customer.zone,
        )
        assert measured.business is not None
        found.answered_at = at
        found.business_seconds = int(measured.business.total_seconds())
    ClockRun.objects.bulk_update(waiting, ["answered_at", "business_seconds"])


def snapshot(found: ServiceClock) -> dict[str, Any]:
    return {
        "state": found.state if found.pk is not None else None,
        "due_at": found.due_at if found.pk is not None else None,
    }


def change(found: ServiceClock, before: dict[str, Any]) -> dict[str, Any]:
    """One clock's before/after for the audit event (L7: the history shows old and new due)."""
    return {
        "clock": found.kind,
        "state": [before["state"], found.state],
        "due_at": [before["due_at"], found.due_at],
        "started_at": found.started_at,
        "stopped_at": found.stopped_at,
        "target": found.target,
    }


# ------------------------------------------------------------------------ the queue


def queue_fields(status: str, clocks: Iterable[ServiceClock]) -> tuple[dt.datetime | None, bool]:
    """(next_due_at, is_breached) of a ticket from its clocks, as the agent queue stores them.

    The next due time is the earliest due instant still owed: a running clock's, or a breached
    clock's while its obligation is outstanding (no first response given yet; a next update
    while the ticket waits on the vendor), so an overdue ticket sorts first. None when nothing
    is owed: closed, paused (L5), or no service level (L3).
    """
    found = list(clocks)
    kinds = {c.kind for c in found}
    breached = any(c.state == ClockState.BREACHED for c in found)
    if status in CLOSED_STATUSES:
        return None, breached
    owed = [c.due_at for c in found if c.due_at is not None and _owed(c, kinds, status)]
    return (min(owed) if owed else None), breached


def _owed(found: ServiceClock, kinds: set[str], status: str) -> bool:
    if found.state == ClockState.RUNNING:
        return True
    if found.state != ClockState.BREACHED:
        return False
    if found.kind == ClockKind.FIRST_RESPONSE:
        return ClockKind.NEXT_UPDATE not in kinds  # no public agent reply yet
    return status == TicketStatus.OPEN  # an update is owed while the ticket waits on the vendor


def sync_queue(ticket: Ticket, clocks: Iterable[ServiceClock]) -> None:
    """Store the queue fields the clocks now give (one UPDATE, only when they changed)."""
    next_due_at, is_breached = queue_fields(ticket.status, clocks)
    if (ticket.next_due_at, ticket.is_breached) != (next_due_at, is_breached):
        ticket.next_due_at, ticket.is_breached = next_due_at, is_breached
        ticket.save(update_fields=["next_due_at", "is_breached"])


def sync_queues(tickets: dict[int, Ticket]) -> None:
    """`sync_queue` for many tickets at once (the breach scan): one read of their clocks."""
    if not tickets:
        return
    by_ticket: dict[int, list[ServiceClock]] = {pk: [] for pk in tickets}
    for found in ServiceClock.objects.filter(ticket_id__in=list(tickets)):
        by_ticket[found.ticket_id].append(found)
    changed = []
    # Only the breach flag changed (a breach leaves the due time owed): one plain UPDATE per
    # value, not bulk_update's CASE over every row, which is slow on PostgreSQL.
    flagged: dict[bool, list[int]] = {True: [], False: []}
    for pk, ticket in tickets.items():
        next_due_at, is_breached = queue_fields(ticket.status, by_ticket[pk])
        if ticket.next_due_at == next_due_at and ticket.is_breached != is_breached:
            flagged[is_breached].append(pk)
        elif (ticket.next_due_at, ticket.is_breached) != (next_due_at, is_breached):
            changed.append(ticket)
        ticket.next_due_at, ticket.is_breached = next_due_at, is_breached
    for is_breached, pks in flagged.items():
        if pks:
            Ticket.objects.filter(pk__in=pks).update(is_breached=is_breached)
    Ticket.objects.bulk_update(changed, ["next_due_at", "is_breached"])
