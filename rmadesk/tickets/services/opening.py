"""Opening a ticket: its number, first message and first-response clock (L1-L4, L6, P2, P3, T3)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.assets.models import Asset
from rmadesk.assets.selectors import asset_by_serial
from rmadesk.core import clock
from rmadesk.core.choices import Role
from rmadesk.core.message_ids import new_message_id
from rmadesk.core.permissions import Actor, instant_for, role_of, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.core.services import allocate_number, record_event
from rmadesk.core.validation import required_text
from rmadesk.customers.models import Contract, Customer
from rmadesk.policy import sentences as S
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.phone_line import warranty_call
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import find_target, response_due, target_calendar
from rmadesk.tickets.choices import Channel, ClockKind, JailsAndPlugins, MessageKind, TicketStatus
from rmadesk.tickets.events import ClockFacts, TicketFacts, TicketOpened
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.permissions import require_channel, require_ticket_actor
from rmadesk.tickets.services.clocks import queue_fields, run

SUBJECT_MAX = 300  # Ticket.subject


@transaction.atomic
def open_ticket(
    *,
    actor: Actor,
    serial: str,
    severity: str,
    subject: str,
    body: str,
    channel: str,
    opened_at: dt.datetime | None = None,
    requester: str = "",
    mail_thread_id: str = "",
    warranty_event: bool = False,
    about_jails_or_plugins: bool = False,
) -> Ticket:
    """A new ticket on a serial, its first message and its first-response clock (L1-L4, L6, P2, P3).

    `opened_at` (staff only: `instant_for`) records a ticket opened earlier, e.g. a phone call.
    `requester` and `mail_thread_id` are set by mail intake: the sender of the mail that opened
    the ticket hears about it, in a thread hanging from that mail's Message-ID. Refusals come
    before the number is taken, so a refused ticket never consumes a number.

    `warranty_event`: a phone call about a hardware failure reached the warranty line (T3):
    outside its hours it is a voicemail whose clock starts when the line opens.
    `about_jails_or_plugins`: the ticket is about jails or plugins, supported only where the
    contract records a prior arrangement (P2); otherwise it is flagged unsupported.
    """
    staff = require_ticket_actor(actor, "opening a ticket")
    at = instant_for(actor, opened_at, field="opened_at")
    asset = asset_by_serial(actor, serial)  # a customer sees only its own serials: else 404
    customer = asset.customer
    subject = required_text(subject, "subject", max_length=SUBJECT_MAX)
    body = required_text(body, "body")
    require_channel(staff, channel)

    policy = active_policy()
    contract = contract_for(policy, asset, at)
    plan = contract.plan
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
    line = (
        warranty_call(policy, at)
        if channel == Channel.PHONE
        and warranty_event
        and severity not in policy.document.plans[plan].after_hours_severities
        else None
    )
    if line is not None and not line.is_open:
        # T3: the warranty line's voicemail is heard when the line opens; the clock starts then.
        channel = Channel.VOICEMAIL
        answer = response_due(
            policy,
            plan=plan,
            severity=severity,
            start=line.heard_at,
            country=customer.country,
            zone=customer.zone,
            field="opened_at",
        )
        explain = [line.explain, *answer.explain]
        rules = ["L1", *answer.rules, "L6", "P3", "T3", "L4"]
    elif channel == Channel.PHONE and _goes_to_voicemail(policy, plan, severity, customer, at):
        channel = Channel.VOICEMAIL
        explain.insert(
            0,
            cited(
                S.CALL_TO_VOICEMAIL(
                    head=f"{policy.document.plans[plan].title} {severity}",
                    calendar=answer.calendar,
                ),
                "rules L4, T5",
            ),
        )
        rules.append("L4")
    unsupported = prerelease_marker(policy, asset.software_version)
    unsupported_reason = ""
    if unsupported is not None:
        unsupported_reason = (
            f"software version {asset.software_version!r} is pre-release ({unsupported}): "
            f"software support covers released software only (rule P2)"
        )
        rules.append("P2")
    jails = JailsAndPlugins.NOT_ABOUT
    if about_jails_or_plugins:
        rules.append("P2")
        if contract.jails_and_plugins:
            jails = JailsAndPlugins.ARRANGED
        else:
            jails = JailsAndPlugins.UNSUPPORTED
            unsupported_reason = "; ".join(
                filter(
                    None,
                    [
                        unsupported_reason,
                        "jails and plugins are supported only where the contract records a "
                        "prior arrangement, and this contract records none (rule P2)",
                    ],
                )
            )

    first = ServiceClock(kind=ClockKind.FIRST_RESPONSE)
    run(first, answer, at, explain=explain)
    next_due_at, is_breached = queue_fields(TicketStatus.OPEN, [first])
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
        is_unsupported_software=bool(unsupported_reason),
        unsupported_software_reason=unsupported_reason[:300],
        jails_and_plugins=jails,
        opened_by=user_or_none(actor),
        requester_email=requester.strip() or _requester(actor, customer),
        mail_thread_id=mail_thread_id.strip() or new_message_id(),
        next_due_at=next_due_at,
        is_breached=is_breached,
        updated_at=clock.now(),
    )
    kind = (
        MessageKind.CALL if channel in {Channel.PHONE, Channel.VOICEMAIL} else MessageKind.CUSTOMER
    )
    Message.objects.create(
        ticket=ticket, kind=kind, is_public=True, body=body, at=at, author=user_or_none(actor)
    )
    first.ticket = ticket
    first.save()
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
    if unsupported_reason:
        changes["unsupported_software"] = True
    if jails:
        changes["jails_and_plugins"] = jails
    if warranty_event:
        changes["warranty_event"] = True
    record_event(
        actor=actor,
        verb="ticket.opened",
        subject_type="ticket",
        subject_id=number,
        ticket_number=number,
        changes=changes,
        rules=tuple(dict.fromkeys(rules)),
        note="; ".join(
            filter(
                None,
                [
                    explain[0] if "L4" in rules else "",
                    unsupported_reason,
                    _ARRANGED if jails == JailsAndPlugins.ARRANGED else "",
                ],
            )
        ),
        at=at,
        event=TicketOpened(
            ticket=TicketFacts.of(ticket), body=body, first_response=ClockFacts.of(first)
        ),
    )
    return ticket


def _requester(actor: Actor, customer: Customer) -> str:
    """The contact who opened the ticket hears about it; else the customer's own address.

    Not the intake's stand-in user for senders without a login (inactive, `.invalid` address).
    """
    user = user_or_none(actor)
    email = str(getattr(user, "email", "") or "")
    if user is not None and user.is_active and email and role_of(user) == Role.CUSTOMER:
        return email
    return customer.email


_ARRANGED = "about jails or plugins: covered by the contract's prior arrangement (rule P2)"


def plan_for(policy: Policy, asset: Asset, at: dt.datetime) -> str:
    """The plan of the customer's contract in force on the opening day (vendor's date), L1."""
    return contract_for(policy, asset, at).plan


def contract_for(policy: Policy, asset: Asset, at: dt.datetime) -> Contract:
    """The customer's contract in force on the opening day (vendor's date), L1.

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
            return contract
    if not in_force:
        raise PolicyError(
            _("%(customer)s has no support contract in force on %(day)s: a ticket needs a plan")
            % {"customer": asset.customer.name, "day": day.isoformat()},
            rule="L1",
            field="serial",
        )
    return in_force[0]  # the latest-starting contract, whatever its line


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


def prerelease_marker(policy: Policy, version: str) -> str | None:
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
