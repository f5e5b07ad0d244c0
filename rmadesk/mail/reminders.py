"""Reminder scans for an advance exchange's defective part (R4): label expiring, part not returned.

Two days before each deadline of the policy's R4 — the prepaid return label (valid 10 days: a
reminder on day 8) and the unreturned-parts invoice (day 14: a reminder on day 12) — the
customer is reminded, once per RMA, if the part has not arrived. Days are calendar days on the
vendor's wall clock, like the deadlines themselves (`add_calendar_days`).

Each reminder is an audit event on the ticket (so its history shows it) whose notification is
queued under a key naming the RMA (`label_expiring:<number>`), in one transaction. The RMA row
is locked (skipping rows a concurrent scan holds) and the key re-checked under the lock, so a
second run, or two runs at once, remind nobody twice. A run after the deadline sends nothing:
the reminder would come too late to help.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core.models import AuditEvent
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.policy.instants import UTC, require_aware
from rmadesk.policy.rma import add_calendar_days
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.models import Rma

REMINDER_LEAD_DAYS = 2  # day 8 of the 10-day label, day 12 of the 14 days before the invoice


def remind_label_expiring(*, now: dt.datetime) -> int:
    """Remind the customer, once per RMA, that the prepaid return label lapses in 2 days (R4)."""
    return _remind(
        now,
        deadline="label_expires_at",
        verb="rma.label_expiring",
        key="label_expiring",
        what="the prepaid return label expires",
    )


def remind_part_not_returned(*, now: dt.datetime) -> int:
    """Remind the customer, once per RMA, that the part is invoiced in 2 days if not back (R4)."""
    return _remind(
        now,
        deadline="invoice_at",
        verb="rma.part_not_returned",
        key="part_not_returned",
        what="the unreturned parts are invoiced",
    )


def _remind(now: dt.datetime, *, deadline: str, verb: str, key: str, what: str) -> int:
    now = require_aware(now, "now").astimezone(UTC)
    zone = active_policy().vendor_zone
    # Coarse filter in the database (the deadline within the lead plus a day for DST), exact
    # calendar-day check below.
    window = {
        f"{deadline}__gt": now,
        f"{deadline}__lte": now + dt.timedelta(days=REMINDER_LEAD_DAYS + 1),
    }
    candidates = list(
        Rma.objects.filter(
            kind=RmaKind.ADVANCE_EXCHANGE,
            status=RmaStatus.REPLACEMENT_SHIPPED,
            received_at__isnull=True,
            **window,
        )
        .order_by("pk")
        .values_list("pk", "number")
    )
    queued = set(
        OutboxMessage.objects.filter(
            dedupe_key__in=[f"{key}:{number}" for _, number in candidates]
        ).values_list("dedupe_key", flat=True)
    )
    reminded = 0
    for pk, number in candidates:
        dedupe_key = f"{key}:{number}"
        if dedupe_key in queued:
            continue
        with transaction.atomic():
            rma = (
                Rma.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=RmaStatus.REPLACEMENT_SHIPPED, received_at__isnull=True)
                .first()
            )
            if rma is None:
                continue  # another scan holds it, or the part arrived meanwhile
            due = getattr(rma, deadline)
            if due is None or not add_calendar_days(due, -REMINDER_LEAD_DAYS, zone) <= now < due:
                continue
            if (
                OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists()
                or AuditEvent.objects.filter(verb=verb, ticket_number=rma.number).exists()
            ):
                continue  # a concurrent scan reminded first
            record_event(
                actor=None,
                verb=verb,
                subject_type="rma",
                subject_id=rma.number,
                ticket_number=rma.number,
                changes={deadline: due},
                rules=("R4",),
                note=f"reminder sent: {what} {due.isoformat()} (rule R4)",
                at=now,
            )
            reminded += 1
    return reminded
