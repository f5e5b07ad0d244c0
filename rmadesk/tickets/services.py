"""Writes for tickets: open, reply, re-target, wait, resume, assign, close, breach (L1-L7, P1-P3).

Every function here is a service (ARCHITECTURE rule 2): keyword-only `actor`, one transaction,
the ticket row locked for a transition, and one audit event per call carrying the ticket number,
so `ticket_history` shows what changed, when and by whom. Due times come from the policy core
(`response_due`); nothing here computes a date itself.

The clocks of a ticket (one row per kind, updated in place):

- `first_response` starts when the ticket opens (at the next opening when it opens outside the
  target's hours, T5/L4) and stops at the first public agent reply: met if on time, else breached.
- `next_update` (L5) starts at the first public agent reply and restarts at each one with the same
  target, counted from that reply. Waiting on the customer pauses it; resuming restarts it from the
  resume instant. Internal notes and customer replies move no clock (except that a customer's reply
  to a ticket waiting on them resumes it).

A clock found past due by any of these services is first recorded as breached at its due time,
exactly as `mark_breached_clocks` would have, so a late scan never hides a breach.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import Http404

from rmadesk.assets.models import Asset
from rmadesk.assets.selectors import asset_by_serial
from rmadesk.core import clock
from rmadesk.core.errors import ServiceError
from rmadesk.core.permissions import (
    PermissionDenied,
    customer_scope,
    is_staff,
    require_role,
    role_of,
)
from rmadesk.core.policies import active_policy
from rmadesk.core.services import allocate_number, record_event
from rmadesk.customers.models import Contract, Customer
from rmadesk.customers.selectors import contract_on
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.service_levels import (
    DueAnswer,
    find_target,
    local_text,
    response_due,
    target_calendar,
)
from rmadesk.tickets.choices import (
    CLOSED_STATUSES,
    Channel,
    ClockKind,
    ClockState,
    MessageKind,
    TicketStatus,
)
from rmadesk.tickets.models import Message, ServiceClock, Ticket

# Staff roles that work tickets (the clerk receives parcels, finance bills: neither answers).
TICKET_ROLES = frozenset({"agent", "manager"})
ASSIGNABLE_ROLES = frozenset({"agent", "manager", "admin"})
# Channels a customer's contact may open on; phone calls and voicemails are logged by staff.
CUSTOMER_CHANNELS = frozenset({Channel.PORTAL, Channel.EMAIL})

CLOCK_RULES = {ClockKind.FIRST_RESPONSE: ("L3",), ClockKind.NEXT_UPDATE: ("L5",)}


# --------------------------------------------------------------------------- open


@transaction.atomic
def open_ticket(
    *,
    actor: Any,
    serial: str,
    severity: str,
    subject: str,
    body: str,
    channel: str,
    opened_at: dt.datetime | None = None,
) -> Ticket:
    """A new ticket on a serial, its first message and its first-response clock (L1-L4, L6, P2, P3).

    Refusals come before the number is taken, so a refused ticket never consumes a number.
    """
    staff = _require_ticket_actor(actor, "opening a ticket")
    if opened_at is not None:
        if not staff:
            raise PermissionDenied("opened_at can only be set by the vendor's staff")
        require_aware(opened_at, "opened_at")
    at = clock.now() if opened_at is None else opened_at.astimezone(dt.UTC)
    asset = asset_by_serial(actor, serial)  # a customer sees only its own serials: else 404
    customer = asset.customer
    subject = _required_text(subject, "subject", max_length=300)
    body = _required_text(body, "body")
    if channel not in Channel.values:
        raise ServiceError(
            f"unknown channel {channel!r}; the channels are {', '.join(Channel.values)}",
            field="channel",
            status=400,
        )
    if not staff and channel not in CUSTOMER_CHANNELS:
        raise ServiceError(
            f"a customer opens tickets by {' or '.join(sorted(CUSTOMER_CHANNELS))}; "
            f"{channel} tickets are logged by the vendor's staff",
            field="channel",
            status=400,
        )

    policy = active_policy()
    plan = plan_for(policy, asset, at)
    answer = response_due(
        policy,
        plan=plan,
        severity=severity,
        start=at,
        country=customer.country,
        zone=customer.zone,
        field="opened_at",
    )  # L3: TrueCommand S1 and free-licence S1-S3 are refused here, naming the rule
    explain = list(answer.explain)
    rules = ["L1", *answer.rules, "L6", "P3"]
    if channel == Channel.PHONE and _goes_to_voicemail(policy, plan, severity, customer, at):
        channel = Channel.VOICEMAIL
        explain.insert(
            0,
            f"A {policy.document.plans[plan].title} {severity} call outside {answer.calendar} "
            f"goes to voicemail; the clock starts at the next opening (rules L4, T5).",
        )
        rules.append("L4")
    unsupported = _prerelease_marker(policy, asset.software_version)
    unsupported_reason = ""
    if unsupported is not None:
        unsupported_reason = (
            f"software version {asset.software_version!r} is pre-release ({unsupported}): "
            f"software support covers released software only (rule P2)"
        )
        rules.append("P2")

    number = allocate_number("ticket")  # P3: inside this transaction, never reused
    ticket = Ticket.objects.create(
        number=number,
        customer=customer,
        asset=asset,
        plan=plan,
        severity=severity,
        status=TicketStatus.OPEN,
        channel=channel,
        subject=subject,
        opened_at=at,
        policy_version=policy.version,
        is_unsupported_software=unsupported is not None,
        unsupported_software_reason=unsupported_reason,
        opened_by=_user_or_none(actor),
    )
    kind = (
        MessageKind.CALL if channel in {Channel.PHONE, Channel.VOICEMAIL} else MessageKind.CUSTOMER
    )
    Message.objects.create(
        ticket=ticket, kind=kind, is_public=True, body=body, at=at, author=_user_or_none(actor)
    )
    first = ServiceClock(ticket=ticket, kind=ClockKind.FIRST_RESPONSE)
    _run(first, answer, at, explain=explain)
    first.save()
    _sync_queue(ticket, [first])
    changes: dict[str, Any] = {
        "serial": asset.serial,
        "customer": customer.pk,
        "plan": plan,
        "severity": severity,
        "channel": channel,
        "subject": subject,
        "opened_at": at,
        "policy_version": policy.version,
        "first_response_due": first.due_at,
    }
    if opened_at is not None:
        changes["recorded_at"] = clock.now()
    if unsupported is not None:
        changes["unsupported_software"] = True
    record_event(
        actor=actor,
        verb="ticket.opened",
        subject_type="ticket",
        subject_id=number,
        ticket_number=number,
        changes=changes,
        rules=tuple(dict.fromkeys(rules)),
        note="; ".join(filter(None, [explain[0] if "L4" in rules else "", unsupported_reason])),
        at=at,
    )
    return ticket


def plan_for(policy: Policy, asset: Asset, at: dt.datetime) -> str:
    """The plan of the customer's contract in force on the opening day (vendor's date), L1.

    A customer with contracts for both product lines (a TrueNAS plan and a TrueCommand licence)
    gets the one matching the asset's product line; otherwise the contract `contract_on` names.
    """
    day = at.astimezone(policy.vendor_zone).date()
    in_force = list(
        Contract.objects.filter(
            customer_id=asset.customer_id, starts_on__lte=day, ends_on__gte=day
        ).order_by("-starts_on", "-id")
    )
    line = asset.model.product_line
    for contract in in_force:
        plan_doc = policy.document.plans.get(contract.plan)
        if plan_doc is not None and plan_doc.product_line == line:
            return contract.plan
    fallback = contract_on(asset.customer, day)
    if fallback is None:
        raise PolicyError(
            f"{asset.customer.name} has no support contract in force on {day.isoformat()}: "
            f"a ticket needs a plan",
            rule="L1",
            field="serial",
        )
    return fallback.plan


def _goes_to_voicemail(
    policy: Policy, plan: str, severity: str, customer: Customer, at: dt.datetime
) -> bool:
    """L4: a call outside the target's hours reaches voicemail, unless the plan answers it then.

    The policy file names the severities a plan answers at any hour (`after_hours_severities`:
    Gold S1 by default); Bronze and Silver name none.
    """
    plan_doc = policy.document.plans[plan]
    if severity in plan_doc.after_hours_severities:
        return False
    target = find_target(policy, plan, severity)
    if target.calendar is None:
        return False  # no service level (L3): nothing to start later
    calendar = target_calendar(policy, target, customer.country, customer.zone)
    return not calendar.is_open(at)


_MARKER_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _prerelease_marker(policy: Policy, version: str) -> str | None:
    """The P2 marker in a software version (any case), or None for released software.

    A marker counts as a word of its own, digits allowed after it (`24.10-RC1`, `13.0-BETA.2`,
    `master-20260101`), so a longer word that merely contains the letters does not.
    """
    if not version:
        return None
    markers = tuple(policy.document.scope.prerelease_markers)
    pattern = _MARKER_CACHE.get(markers)
    if pattern is None:
        alternatives = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
        pattern = re.compile(rf"(?<![A-Za-z])({alternatives})(?![A-Za-z])", re.IGNORECASE)
        _MARKER_CACHE[markers] = pattern
    found = pattern.search(version)
    return None if found is None else found.group(1).upper()


# -------------------------------------------------------------------------- replies


@transaction.atomic
def reply(
    *, actor: Any, ticket: Ticket, body: str, public: bool, at: dt.datetime | None = None
) -> Message:
    """A message on a ticket: a public agent reply, an internal note, or the customer's reply (L5).

    A public agent reply meets the first-response clock and (re)starts the next-update clock from
    the reply; an internal note changes no clock; a customer's reply is always public and resumes
    a ticket waiting on them.
    """
    staff = _require_ticket_actor(actor, "replying", ticket=ticket)
    when = _instant(actor, at, staff=staff)
    locked, clocks = _lock(ticket)
    _require_open(locked)
    when = _not_before_opening(locked, when)
    body = _required_text(body, "body")
    author = _user_or_none(actor)
    if not staff:
        message = Message.objects.create(
            ticket=locked,
            kind=MessageKind.CUSTOMER,
            is_public=True,
            body=body,
            at=when,
            author=author,
        )
        record_event(
            actor=actor,
            verb="ticket.customer_replied",
            subject_type="ticket",
            subject_id=locked.number,
            ticket_number=locked.number,
            changes={"message": message.pk, "public": True},
            at=when,
        )
        if locked.status == TicketStatus.WAITING_ON_CUSTOMER:
            _resume(actor, locked, clocks, when, note="resumed by the customer's reply")
        _copy_back(locked, ticket)
        return message

    if not public:
        message = Message.objects.create(
            ticket=locked, kind=MessageKind.NOTE, is_public=False, body=body, at=when, author=author
        )
        record_event(
            actor=actor,
            verb="ticket.note_added",
            subject_type="ticket",
            subject_id=locked.number,
            ticket_number=locked.number,
            changes={"message": message.pk, "public": False},
            note="internal note: no clock changes (rule L5)",
            at=when,
        )
        _copy_back(locked, ticket)
        return message

    message = Message.objects.create(
        ticket=locked, kind=MessageKind.REPLY, is_public=True, body=body, at=when, author=author
    )
    policy = active_policy()
    changes: list[dict[str, Any]] = []
    first = clocks.get(ClockKind.FIRST_RESPONSE)
    if first is not None and first.state == ClockState.RUNNING:
        changes.append(_stop(first, when))
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is None:
        update = ServiceClock(ticket=locked, kind=ClockKind.NEXT_UPDATE)
    before = _snapshot(update)
    if update.pk is not None:
        breach = _settle(update, when)
        if breach is not None:
            changes.append(breach)
            before = _snapshot(update)
    answer = _due(policy, locked, when)
    if locked.status == TicketStatus.WAITING_ON_CUSTOMER:
        # L5: waiting on the customer pauses the next update; resuming restarts it.
        _pause_new_target(update, answer, when)
    else:
        _run(update, answer, when, lead=[_update_sentence(when, "the last public agent reply")])
    update.save()
    changes.append(_change(update, before))
    _sync_queue(locked, [*clocks.values(), update])
    record_event(
        actor=actor,
        verb="ticket.replied",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={"message": message.pk, "public": True, "clocks": changes},
        rules=("L3", "L5"),
        at=when,
    )
    _copy_back(locked, ticket)
    return message


# ------------------------------------------------------------------------- severity


@transaction.atomic
def change_severity(
    *, actor: Any, ticket: Ticket, severity: str, at: dt.datetime | None = None
) -> Ticket:
    """A new severity re-targets the running clocks from the change time (L7).

    The ticket moves to the active policy's version (L6): a changed policy reaches a running
    ticket exactly when its severity changes.
    """
    _require_staff(actor, "changing a ticket's severity", ticket)
    when = _instant(actor, at, staff=True)
    locked, clocks = _lock(ticket)
    _require_open(locked)
    when = _not_before_opening(locked, when)
    if severity == locked.severity:
        raise ServiceError(f"the ticket is already {severity}", field="severity", status=400)
    policy = active_policy()
    answer = _due(policy, locked, when, severity=severity)  # refusals (L2, L3) before any write
    old_severity, old_version = locked.severity, locked.policy_version
    locked.severity = severity
    locked.policy_version = policy.version
    locked.save(update_fields=["severity", "policy_version"])
    changes: list[dict[str, Any]] = []
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE):
        found = clocks.get(kind)
        if found is None:
            continue
        breach = _settle(found, when)
        if breach is not None:
            changes.append(breach)
            continue
        before = _snapshot(found)
        if found.state == ClockState.RUNNING:
            lead = [
                f"Re-targeted at {_local(when)}: severity {old_severity} became {severity} "
                f"(rule L7)."
            ]
            if kind == ClockKind.NEXT_UPDATE:
                lead.append(_update_sentence(when, "the severity change"))
            _run(found, answer, when, lead=lead)
        elif found.state == ClockState.PAUSED:
            _pause_new_target(found, answer, found.paused_at or when)
        else:
            continue
        found.save()
        changes.append(_change(found, before))
    _sync_queue(locked, clocks.values())
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
    )
    _copy_back(locked, ticket)
    return ticket


# --------------------------------------------------------------------- wait / resume


@transaction.atomic
def wait_on_customer(*, actor: Any, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The ticket waits on the customer: the next-update clock pauses (L5)."""
    _require_staff(actor, "setting a ticket to wait on the customer", ticket)
    when = _instant(actor, at, staff=True)
    locked, clocks = _lock(ticket)
    if locked.status != TicketStatus.OPEN:
        raise ServiceError(
            f"only an open ticket can wait on the customer; this one is {locked.status}",
            field="status",
        )
    when = _not_before_opening(locked, when)
    changes: list[dict[str, Any]] = []
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is not None:
        breach = _settle(update, when)
        if breach is not None:
            changes.append(breach)
        elif update.state == ClockState.RUNNING:
            before = _snapshot(update)
            update.state = ClockState.PAUSED
            update.paused_at = when
            update.due_at = None  # nothing is owed while the customer holds the ticket (L5)
            update.save()
            changes.append(_change(update, before))
    locked.status = TicketStatus.WAITING_ON_CUSTOMER
    locked.save(update_fields=["status"])
    _sync_queue(locked, clocks.values())
    record_event(
        actor=actor,
        verb="ticket.waiting_on_customer",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={"status": [TicketStatus.OPEN, locked.status], "clocks": changes},
        rules=("L5",),
        note="next update paused while waiting on the customer (rule L5)",
        at=when,
    )
    _copy_back(locked, ticket)
    return ticket


@transaction.atomic
def resume_ticket(*, actor: Any, ticket: Ticket, at: dt.datetime | None = None) -> Ticket:
    """The ticket waits on the vendor again: the next-update clock restarts from now (L5)."""
    _require_staff(actor, "resuming a ticket", ticket)
    when = _instant(actor, at, staff=True)
    locked, clocks = _lock(ticket)
    if locked.status != TicketStatus.WAITING_ON_CUSTOMER:
        raise ServiceError(
            f"only a ticket waiting on the customer can be resumed; this one is {locked.status}",
            field="status",
        )
    when = _not_before_opening(locked, when)
    _resume(actor, locked, clocks, when, note="")
    _copy_back(locked, ticket)
    return ticket


def _resume(
    actor: Any,
    locked: Ticket,
    clocks: dict[str, ServiceClock],
    when: dt.datetime,
    *,
    note: str,
) -> None:
    changes: list[dict[str, Any]] = []
    update = clocks.get(ClockKind.NEXT_UPDATE)
    if update is not None and update.state == ClockState.PAUSED:
        before = _snapshot(update)
        answer = _due(active_policy(), locked, when)
        _run(update, answer, when, lead=[_update_sentence(when, "the resume")])
        update.save()
        changes.append(_change(update, before))
    locked.status = TicketStatus.OPEN
    locked.save(update_fields=["status"])
    _sync_queue(locked, clocks.values())
    record_event(
        actor=actor,
        verb="ticket.resumed",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={
            "status": [TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.OPEN],
            "clocks": changes,
        },
        rules=("L5",),
        note=" ".join(filter(None, [note, "next update restarted from the resume (rule L5)"])),
        at=when,
    )


# --------------------------------------------------------------------------- assign


@transaction.atomic
def assign_ticket(*, actor: Any, ticket: Ticket, assignee: Any) -> Ticket:
    """Give the ticket to an agent or a manager: a user, or their email; None unassigns it."""
    _require_staff(actor, "assigning a ticket", ticket)
    if isinstance(assignee, str):
        assignee = _user_by_email(assignee)
    if assignee is not None and role_of(assignee) not in ASSIGNABLE_ROLES:
        raise ServiceError(
            f"{getattr(assignee, 'email', assignee)} cannot work tickets: assign an agent or a "
            f"manager",
            field="assignee",
            status=400,
        )
    locked, _clocks = _lock(ticket)
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
    )
    _copy_back(locked, ticket)
    return ticket


def _user_by_email(email: str) -> Any:
    user = get_user_model().objects.filter(username=email.strip()).first()
    if user is None:
        raise ServiceError(f"no user {email!r}", field="assignee", status=400)
    return user


# ---------------------------------------------------------------------------- close


@transaction.atomic
def close_ticket(
    *,
    actor: Any,
    ticket: Ticket,
    reason: str,
    out_of_scope: str | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Close as resolved, or as out of scope naming one of P1's reasons; running clocks stop."""
    _require_staff(actor, "closing a ticket", ticket)
    when = _instant(actor, at, staff=True)
    reason = _required_text(reason, "reason", rule="P1" if out_of_scope else None)
    policy = active_policy()
    scope_reason = ""
    if out_of_scope is not None:
        allowed = policy.document.scope.out_of_scope_reasons
        matched = [r for r in allowed if r.casefold() == out_of_scope.strip().casefold()]
        if not matched:
            raise ServiceError(
                f"{out_of_scope!r} is not an out-of-scope reason; name one of: "
                f"{', '.join(allowed)}",
                rule="P1",
                field="out_of_scope",
                status=400,
            )
        scope_reason = matched[0]
    locked, clocks = _lock(ticket)
    _require_open(locked)
    when = _not_before_opening(locked, when)
    old_status = locked.status
    changes: list[dict[str, Any]] = []
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE):
        found = clocks.get(kind)
        if found is not None and found.state in {ClockState.RUNNING, ClockState.PAUSED}:
            changes.append(_stop(found, when))
    locked.status = TicketStatus.OUT_OF_SCOPE if scope_reason else TicketStatus.RESOLVED
    locked.closed_at = when
    locked.close_reason = reason
    locked.out_of_scope_reason = scope_reason
    locked.save(update_fields=["status", "closed_at", "close_reason", "out_of_scope_reason"])
    _sync_queue(locked, clocks.values())
    if scope_reason:
        text = f"Closed as out of scope: {scope_reason} (rule P1). {reason}"
    else:
        text = f"Closed as resolved. {reason}"
    Message.objects.create(
        ticket=locked,
        kind=MessageKind.REPLY,
        is_public=True,
        body=text,
        at=when,
        author=_user_or_none(actor),
    )
    record_event(
        actor=actor,
        verb="ticket.closed",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={
            "status": [old_status, locked.status],
            "reason": reason,
            "out_of_scope": scope_reason or None,
            "clocks": changes,
        },
        rules=("P1",) if scope_reason else (),
        note=text,
        at=when,
    )
    _copy_back(locked, ticket)
    return ticket


# --------------------------------------------------------------------------- breach


def mark_breached_clocks(*, now: dt.datetime) -> int:
    """Every running clock past its due instant becomes breached at that instant; the count.

    Idempotent (a breached clock is no longer running). Two scans at once on PostgreSQL do not
    both mark a clock: rows another scan holds are skipped (`SKIP LOCKED`), and a row that a
    service changed meanwhile is re-checked under its lock.
    """
    require_aware(now, "now")
    features = connection.features
    options: dict[str, Any] = {}
    if features.has_select_for_update_skip_locked:
        options["skip_locked"] = True
    if features.has_select_for_update_of:
        # The tickets too: their queue fields are rewritten below from all their clocks, which
        # no service changes without first locking the ticket (skipped here while one does).
        options["of"] = ("self", "ticket")
    marked = 0
    with transaction.atomic():
        overdue = list(
            ServiceClock.objects.select_for_update(**options)
            .select_related("ticket")
            .filter(state=ClockState.RUNNING, due_at__isnull=False, due_at__lt=now)
            .order_by("due_at", "id")
        )
        for found in overdue:
            assert found.due_at is not None
            found.state = ClockState.BREACHED
            found.stopped_at = found.due_at
            found.save(update_fields=["state", "stopped_at"])
            record_event(
                actor=None,
                verb="clock.breached",
                subject_type="ticket",
                subject_id=found.ticket.number,
                ticket_number=found.ticket.number,
                changes={
                    "clock": found.kind,
                    "state": [ClockState.RUNNING, ClockState.BREACHED],
                    "due_at": found.due_at,
                },
                rules=CLOCK_RULES[ClockKind(found.kind)],
                note=f"{ClockKind(found.kind).label} was due {found.due_at.isoformat()}",
                at=now,
            )
            marked += 1
        _sync_queues({found.ticket_id: found.ticket for found in overdue})
    return marked


# ------------------------------------------------------------------------- helpers


def _require_ticket_actor(actor: Any, action: str, ticket: Ticket | None = None) -> bool:
    """True for staff who work tickets, False for the ticket's customer; else a refusal.

    A customer acting on another customer's ticket gets 404, the same as a missing ticket.
    """
    if is_staff(actor):
        require_role(actor, TICKET_ROLES, action)
        return True
    scope = customer_scope(actor)  # PermissionDenied for a user with no role
    if ticket is not None and ticket.customer_id != scope:
        raise Http404("ticket")
    return False


def _require_staff(actor: Any, action: str, ticket: Ticket) -> None:
    if not _require_ticket_actor(actor, action, ticket):
        raise PermissionDenied(f"{action} is done by the vendor's staff")


def _instant(actor: Any, at: dt.datetime | None, *, staff: bool) -> dt.datetime:
    if at is None:
        return clock.now()
    if not staff:
        raise PermissionDenied("at can only be set by the vendor's staff")
    return require_aware(at, "at").astimezone(dt.UTC)


def _not_before_opening(ticket: Ticket, at: dt.datetime) -> dt.datetime:
    if at < ticket.opened_at:
        raise ServiceError(
            f"{at.isoformat()} is before the ticket was opened ({ticket.opened_at.isoformat()})",
            field="at",
            status=400,
        )
    return at


def _required_text(
    value: str, field: str, *, max_length: int | None = None, rule: str | None = None
) -> str:
    text = value.strip()
    if not text:
        raise ServiceError(f"{field} is required", field=field, rule=rule, status=400)
    if max_length is not None and len(text) > max_length:
        raise ServiceError(
            f"{field} is at most {max_length} characters", field=field, rule=rule, status=400
        )
    return text


def _require_open(ticket: Ticket) -> None:
    if ticket.status in CLOSED_STATUSES:
        raise ServiceError(
            f"ticket {ticket.number} is closed ({ticket.status})", field="status", status=409
        )


def _lock(ticket: Ticket) -> tuple[Ticket, dict[str, ServiceClock]]:
    """The ticket row and its clocks, locked for the rest of the transaction.

    Only those rows: the customer is read along, not locked (`of`), so two tickets of one
    customer never wait on each other.
    """
    only_self: dict[str, Any] = (
        {"of": ("self",)} if connection.features.has_select_for_update_of else {}
    )
    locked = (
        Ticket.objects.select_for_update(**only_self).select_related("customer").get(pk=ticket.pk)
    )
    clocks = {c.kind: c for c in ServiceClock.objects.select_for_update().filter(ticket=locked)}
    return locked, clocks


def _copy_back(locked: Ticket, ticket: Ticket) -> None:
    """The caller's instance sees the committed state (it may be used after the call)."""
    if locked is ticket:
        return
    for model_field in Ticket._meta.concrete_fields:
        setattr(ticket, model_field.attname, getattr(locked, model_field.attname))
    ticket._state.fields_cache.pop("assignee", None)


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


def _sync_queue(ticket: Ticket, clocks: Iterable[ServiceClock]) -> None:
    """Store the queue fields the clocks now give (one UPDATE, only when they changed)."""
    next_due_at, is_breached = queue_fields(ticket.status, clocks)
    if (ticket.next_due_at, ticket.is_breached) != (next_due_at, is_breached):
        ticket.next_due_at, ticket.is_breached = next_due_at, is_breached
        ticket.save(update_fields=["next_due_at", "is_breached"])


def _sync_queues(tickets: dict[int, Ticket]) -> None:
    """`_sync_queue` for many tickets at once (the breach scan): one read of their clocks."""
    if not tickets:
        return
    clocks: dict[int, list[ServiceClock]] = {pk: [] for pk in tickets}
    for found in ServiceClock.objects.filter(ticket_id__in=list(tickets)):
        clocks[found.ticket_id].append(found)
    changed = []
    for pk, ticket in tickets.items():
        fields = queue_fields(ticket.status, clocks[pk])
        if (ticket.next_due_at, ticket.is_breached) != fields:
            ticket.next_due_at, ticket.is_breached = fields
            changed.append(ticket)
    Ticket.objects.bulk_update(changed, ["next_due_at", "is_breached"])


def _due(
    policy: Policy, ticket: Ticket, start: dt.datetime, *, severity: str | None = None
) -> DueAnswer:
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


def _local(at: dt.datetime) -> str:
    return local_text(at, active_policy().vendor_zone)


def _update_sentence(at: dt.datetime, since: str) -> str:
    return (
        f"Next update owed at the first-response target, counted from {since} at "
        f"{_local(at)} (rule L5)."
    )


def _run(
    found: ServiceClock,
    answer: DueAnswer,
    at: dt.datetime,
    *,
    explain: list[str] | None = None,
    lead: list[str] | None = None,
) -> None:
    """(Re)start a clock from `at` with the answer's due time (T5: from the next opening).

    Its explanation is the policy core's (T8), after any `lead` sentences saying why it
    (re)started: a reply (L5), a resume (L5) or a severity change (L7).
    """
    found.state = ClockState.RUNNING
    found.started_at = answer.clock_starts or at
    found.due_at = answer.due
    found.paused_at = None
    found.stopped_at = None
    found.target = answer.target
    found.calendar = answer.calendar or ""
    found.explanation = [*(lead or []), *(explain if explain is not None else answer.explain)]


def _pause_new_target(found: ServiceClock, answer: DueAnswer, at: dt.datetime) -> None:
    """A paused clock keeps no due time; it takes the answer's target for when it resumes."""
    found.state = ClockState.PAUSED
    if found.pk is None:
        found.started_at = at
    found.paused_at = found.paused_at or at
    found.due_at = None
    found.stopped_at = None
    found.target = answer.target
    found.calendar = answer.calendar or ""
    found.explanation = [
        *answer.explain[:1],
        "Paused while the ticket waits on the customer; restarts when it resumes (rule L5).",
    ]


def _stop(found: ServiceClock, at: dt.datetime) -> dict[str, Any]:
    """Stop a running or paused clock at `at`: met, or breached at its due time if later."""
    before = _snapshot(found)
    if found.state == ClockState.RUNNING and found.due_at is not None and found.due_at < at:
        found.state = ClockState.BREACHED
        found.stopped_at = found.due_at
    else:
        found.state = ClockState.MET
        found.stopped_at = at
    found.save()
    return _change(found, before)


def _settle(found: ServiceClock, at: dt.datetime) -> dict[str, Any] | None:
    """A running clock already past due at `at` is breached at its due time (as the scan would)."""
    if found.state != ClockState.RUNNING or found.due_at is None or found.due_at >= at:
        return None
    before = _snapshot(found)
    found.state = ClockState.BREACHED
    found.stopped_at = found.due_at
    found.save()
    return _change(found, before)


def _snapshot(found: ServiceClock) -> dict[str, Any]:
    return {
        "state": found.state if found.pk is not None else None,
        "due_at": found.due_at if found.pk is not None else None,
    }


def _change(found: ServiceClock, before: dict[str, Any]) -> dict[str, Any]:
    """One clock's before/after for the audit event (L7: the history shows old and new due)."""
    return {
        "clock": found.kind,
        "state": [before["state"], found.state],
        "due_at": [before["due_at"], found.due_at],
        "started_at": found.started_at,
        "stopped_at": found.stopped_at,
        "target": found.target,
    }


def _user_or_none(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _email(user: Any) -> str | None:
    return None if user is None else str(getattr(user, "email", "") or user)
