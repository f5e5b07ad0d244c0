"""The RMA scans: expired numbers (R1), lapsed return labels (R4), and the customer's reminders.

Reminders for an advance exchange's defective part (R4): two days before each deadline — the
prepaid return label (valid 10 days: a reminder on day 8) and the unreturned-parts invoice (day
14: a reminder on day 12) — the customer is reminded, once per RMA, if the part has not
arrived. Days are calendar days on the vendor's wall clock, like the deadlines themselves
(`add_calendar_days`). Each reminder is an audit event on the ticket (its history shows it)
with a typed event the mail app turns into the reminder. The RMA row is claimed (skipping rows
a concurrent scan holds) and the reminder's audit event looked for under that lock, so a second
run, or two runs at once, remind nobody twice. A run after the deadline sends nothing: the
reminder would come too late to help.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core.locking import claim
from rmadesk.core.models import AuditEvent
from rmadesk.core.policies import active_policy
from rmadesk.core.scan_items import each_item
from rmadesk.core.validation import aware_instant
from rmadesk.policy.rma import add_calendar_days
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.events import LabelExpired, LabelExpiring, PartNotReturned, RmaEvent, RmaExpired
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services.common import AWAITING_RETURN, apply_changes, record, save_changes


def expire_rmas(*, now: dt.datetime) -> int:
    """Mark RMAs whose package has not arrived by `expires_at` as expired (R1); idempotent.

    Rows are claimed with a row lock that skips rows a concurrent scan holds, so two scans at
    once expire each RMA once. Returns how many this run expired.
    """
    now = aware_instant(now, "now")
    expired = 0
    with transaction.atomic():
        due = claim(
            Rma.objects.select_related("ticket", "ticket__customer")
            .filter(status__in=AWAITING_RETURN, received_at__isnull=True, expires_at__lt=now)
            .order_by("pk")
        ).prefetch_related("items")
        for rma in due:
            with each_item("rma", rma.number):  # a bad RMA is logged, the others go on
                changes = apply_changes(rma, status=RmaStatus.EXPIRED, expired_at=now)
                save_changes(rma, changes)
                record(
                    rma,
                    actor=None,
                    verb="rma.expired",
                    changes=changes,
                    rules=("R1",),
                    at=now,
                    note=f"no return arrived by {rma.expires_at.isoformat()} (rule R1)",
                    event=RmaExpired.of(rma),
                )
                expired += 1
    return expired


def expire_labels(*, now: dt.datetime) -> int:
    """Record, once, that an advance exchange's prepaid return label has lapsed (R4).

    Only for parts still out: a part that came back used its label. Returns how many labels
    this run marked.
    """
    now = aware_instant(now, "now")
    marked = 0
    with transaction.atomic():
        due = claim(
            Rma.objects.select_related("ticket", "ticket__customer")
            .filter(
                kind=RmaKind.ADVANCE_EXCHANGE,
                label_expires_at__lt=now,
                label_expired_at__isnull=True,
                received_at__isnull=True,
            )
            .exclude(status=RmaStatus.DENIED)  # W2: a denied claim has no return to wait for
            .order_by("pk")
        ).prefetch_related("items")
        for rma in due:
            with each_item("rma", rma.number):  # a bad RMA is logged, the others go on
                changes = apply_changes(rma, label_expired_at=now)
                save_changes(rma, changes)
                record(
                    rma,
                    actor=None,
                    verb="rma.label_expired",
                    changes=changes,
                    rules=("R4",),
                    at=now,
                    note=f"the prepaid return label lapsed {rma.label_expires_at.isoformat()}"
                    if rma.label_expires_at
                    else "",
                    event=LabelExpired.of(rma),
                )
                marked += 1
    return marked


REMINDER_LEAD_DAYS = 2  # day 8 of the 10-day label, day 12 of the 14 days before the invoice


def remind_label_expiring(*, now: dt.datetime) -> int:
    """Remind the customer, once per RMA, that the prepaid return label lapses in 2 days (R4)."""
    return _remind(
        now,
        deadline="label_expires_at",
        verb="rma.label_expiring",
        event=LabelExpiring,
        what="the prepaid return label expires",
    )


def remind_part_not_returned(*, now: dt.datetime) -> int:
    """Remind the customer, once per RMA, that the part is invoiced in 2 days if not back (R4)."""
    return _remind(
        now,
        deadline="invoice_at",
        verb="rma.part_not_returned",
        event=PartNotReturned,
        what="the unreturned parts are invoiced",
    )


def _remind(now: dt.datetime, *, deadline: str, verb: str, event: type[RmaEvent], what: str) -> int:
    now = aware_instant(now, "now")
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
    done = set(
        AuditEvent.objects.filter(
            verb=verb, ticket_number__in=[number for _, number in candidates]
        ).values_list("ticket_number", flat=True)
    )
    reminded = 0
    for pk, number in candidates:
        if number in done:
            continue
        with each_item("rma", number):  # a savepoint: a bad RMA is logged, the rest go on
            rma = (
                claim(Rma.objects.select_related("ticket", "ticket__customer"))
                .filter(pk=pk, status=RmaStatus.REPLACEMENT_SHIPPED, received_at__isnull=True)
                .first()
            )
            if rma is None:
                continue  # another scan holds it, or the part arrived meanwhile
            due = getattr(rma, deadline)
            if due is None or not add_calendar_days(due, -REMINDER_LEAD_DAYS, zone) <= now < due:
                continue
            if AuditEvent.objects.filter(verb=verb, ticket_number=rma.number).exists():
                continue  # a concurrent scan reminded first
            record(
                rma,
                actor=None,
                verb=verb,
                changes={deadline: due},
                rules=("R4",),
                note=f"reminder sent: {what} {due.isoformat()} (rule R4)",
                at=now,
                event=event.of(rma),
            )
            reminded += 1
    return reminded
