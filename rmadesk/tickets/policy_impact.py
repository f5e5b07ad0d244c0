"""What activating a policy file would do to tickets (L6): read only, shown before activating.

Tickets opened from now on get the new file's targets; open tickets keep their own version
unless the activation re-targets them. A re-targeted clock counts from the instant its rule
names, under the new file: a first response from the ticket's opening (L3, T5: from the next
opening of the new calendar), a next update from the last public agent reply (L5). When the
ticket's own version does not give the clock's stored due time from that instant, the clock was
restarted since (a severity change, L7): it counts from its stored start then. A clock resumed
after a pause (L5) runs the new target less what its pauses kept used, from the resume.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from rmadesk.core.policies import ticket_policy
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.pauses import remainder_due, split_at_pause
from rmadesk.policy.service_levels import DueAnswer, response_due
from rmadesk.policy.versions import TargetChange, response_text, target_changes
from rmadesk.tickets.choices import CLOSED_STATUSES, ClockKind, ClockState, MessageKind
from rmadesk.tickets.models import ServiceClock, Ticket

ZERO = dt.timedelta(0)
FROM_OPENING = "its opening"
FROM_REPLY = "the last public agent reply"
FROM_RESTART = "its last restart"
FROM_RESUME = "its resume, less the target used before its pauses"


@dataclass(frozen=True)
class OpenGroup:
    """Open tickets of one plan and severity, and the target a new one would get."""

    plan: str
    severity: str
    count: int
    old: str
    new: str

    @property
    def changes(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class ClockRetarget:
    """One clock of an open ticket, under its own version and under the new file."""

    ticket_number: int
    kind: str
    state: str
    counted_from: dt.datetime
    counted_from_what: str
    old_due: dt.datetime | None
    old_target: str
    answer: DueAnswer
    used: dt.timedelta = dt.timedelta(0)  # L5: kept used by earlier pauses of this run

    @property
    def new_due(self) -> dt.datetime | None:
        return self.answer.due if self.state == ClockState.RUNNING else None

    @property
    def changes(self) -> bool:
        """A running clock's due time moves; a paused one's target for its resume changes."""
        if self.state == ClockState.RUNNING:
            return self.new_due != self.old_due
        return self.answer.target != self.old_target


@dataclass
class Impact:
    """Everything `rmadesk policy activate` prints before asking."""

    current: Policy
    new: Policy
    changes: list[TargetChange]
    groups: list[OpenGroup]
    open_count: int
    on_other_versions: int
    retargets: list[ClockRetarget] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (ticket, why) kept as is


def open_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.exclude(status__in=CLOSED_STATUSES)


def with_last_reply(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    public_reply = Q(messages__kind=MessageKind.REPLY, messages__is_public=True)
    return tickets.annotate(last_public_reply_at=Max("messages__at", filter=public_reply))


def activation_impact(current: Policy, new: Policy, *, retarget_open: bool) -> Impact:
    """The targets that change, the open tickets by plan and severity, and (if asked) each
    open clock's due time under the new file."""
    counts = Counter(open_tickets().values_list("plan", "severity"))
    groups = [
        OpenGroup(
            plan,
            severity,
            count,
            response_text(current, plan, severity),
            response_text(new, plan, severity),
        )
        for (plan, severity), count in sorted(counts.items())
    ]
    others = open_tickets().exclude(policy_version=new.version)
    impact = Impact(
        current=current,
        new=new,
        changes=target_changes(current, new),
        groups=groups,
        open_count=sum(counts.values()),
        on_other_versions=others.count(),
    )
    if retarget_open:
        tickets = with_last_reply(others.select_related("customer")).order_by("number")
        clocks: dict[int, list[ServiceClock]] = {}
        for found in ServiceClock.objects.filter(ticket__in=tickets).order_by("kind"):
            clocks.setdefault(found.ticket_id, []).append(found)
        for ticket in tickets:
            try:
                impact.retargets += ticket_retargets(ticket, clocks.get(ticket.pk, []), new)
            except PolicyError as error:  # e.g. the new file no longer offers its severity
                impact.refused.append((ticket.number, str(error)))
    return impact


def ticket_retargets(
    ticket: Ticket, clocks: list[ServiceClock], new: Policy
) -> list[ClockRetarget]:
    """Each running or paused clock of the ticket, timed under `new` (see the module's doc).

    `ticket` carries `last_public_reply_at` (`with_last_reply`). Raises PolicyError when the
    new file refuses the ticket's plan or severity.
    """
    own = ticket_policy(ticket)
    found = []
    for clock in clocks:
        if clock.state not in {ClockState.RUNNING, ClockState.PAUSED}:
            continue  # met or breached: what happened stays as it happened
        if clock.state == ClockState.RUNNING and clock.used > ZERO:
            found.append(_resumed(ticket, clock, new))
            continue
        if clock.kind == ClockKind.FIRST_RESPONSE:
            raw, what = ticket.opened_at, FROM_OPENING
        else:
            raw = getattr(ticket, "last_public_reply_at", None) or clock.started_at
            what = FROM_REPLY
        if clock.state == ClockState.RUNNING and _due(own, ticket, raw).due != clock.due_at:
            raw, what = clock.started_at, FROM_RESTART
        found.append(
            ClockRetarget(
                ticket_number=ticket.number,
                kind=clock.kind,
                state=clock.state,
                counted_from=raw,
                counted_from_what=what,
                old_due=clock.due_at,
                old_target=clock.target,
                answer=_due(new, ticket, raw),
            )
        )
    return found


def _resumed(ticket: Ticket, clock: ServiceClock, new: Policy) -> ClockRetarget:
    """A clock resumed after a pause (L5): the new target less what the pauses kept used, run
    from the resume (its stored start)."""
    customer = ticket.customer
    full = _due(new, ticket, clock.started_at)
    answer = full
    if full.due is not None:
        whole = split_at_pause(
            new,
            plan=ticket.plan,
            severity=ticket.severity,
            started=clock.started_at,
            paused=clock.started_at,
            due=full.due,
            country=customer.country,
            zone=customer.zone,
        ).remaining
        answer = remainder_due(
            new,
            plan=ticket.plan,
            severity=ticket.severity,
            resume=clock.started_at,
            used=clock.used,
            remaining=max(whole - clock.used, ZERO),
            country=customer.country,
            zone=customer.zone,
        )
    return ClockRetarget(
        ticket_number=ticket.number,
        kind=clock.kind,
        state=clock.state,
        counted_from=clock.started_at,
        counted_from_what=FROM_RESUME,
        old_due=clock.due_at,
        old_target=clock.target,
        answer=answer,
        used=clock.used,
    )


def _due(policy: Policy, ticket: Ticket, start: dt.datetime) -> DueAnswer:
    customer = ticket.customer
    return response_due(
        policy,
        plan=ticket.plan,
        severity=ticket.severity,
        start=start,
        country=customer.country,
        zone=customer.zone,
        field="policy",
    )


def tickets_per_version() -> dict[str, tuple[int, int]]:
    """(open, all) tickets on each policy version they run on (the console's version list)."""
    found: dict[str, tuple[int, int]] = {}
    rows = Ticket.objects.values("policy_version").annotate(
        total=Count("pk"), open=Count("pk", filter=~Q(status__in=CLOSED_STATUSES))
    )
    for row in rows.order_by():
        found[row["policy_version"]] = (row["open"], row["total"])
    return found
