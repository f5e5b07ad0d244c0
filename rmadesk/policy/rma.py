"""RMA dates: number validity (R1), the advance-exchange label and the day-N invoice (R4).

Days here are calendar days on the vendor's wall clock (`policy.vendor_zone`): an RMA issued at
10:00 on 20 October expires at 10:00 on 19 November even though a DST change lies between, which
is what a person counting days on a calendar expects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rmadesk.policy import sentences as S
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import UTC, require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import local_text


def add_calendar_days(at: dt.datetime, days: int, zone: dt.tzinfo) -> dt.datetime:
    """The same wall-clock time `days` calendar days later in `zone`, as UTC."""
    local = at.astimezone(zone)
    later = local.replace(tzinfo=None) + dt.timedelta(days=days)
    return later.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class RmaDates:
    issued_at: dt.datetime
    expires_at: dt.datetime
    replacement_shipped: dt.datetime | None
    label_expires_at: dt.datetime | None
    invoice_at: dt.datetime | None
    rules: tuple[str, ...]
    explain: tuple[str, ...]


def rma_dates(
    policy: Policy, *, issued: dt.datetime, replacement_shipped: dt.datetime | None = None
) -> RmaDates:
    """When an RMA number expires and, for an advance exchange, when its label and grace end."""
    issued = require_aware(issued, "issued").astimezone(UTC)
    spec = policy.document.rma
    zone = policy.vendor_zone
    expires = add_calendar_days(issued, spec.valid_days, zone)
    valid = S.RMA_VALID(
        issued=local_text(issued, zone), days=spec.valid_days, expires=local_text(expires, zone)
    )
    explain = [cited(valid, "rule R1")]
    label = invoice = None
    if replacement_shipped is not None:
        replacement_shipped = require_aware(replacement_shipped, "replacement_shipped")
        replacement_shipped = replacement_shipped.astimezone(UTC)
        if replacement_shipped < issued:
            raise PolicyError(
                "the replacement cannot ship before the RMA is issued",
                rule="R4",
                field="replacement_shipped",
            )
        label = add_calendar_days(replacement_shipped, spec.label_valid_days, zone)
        invoice = add_calendar_days(replacement_shipped, spec.invoice_after_days, zone)
        shipped = S.REPLACEMENT_SHIPPED(
            shipped=local_text(replacement_shipped, zone),
            days=spec.label_valid_days,
            until=local_text(label, zone),
        )
        invoiced = S.INVOICED_IF_NOT_RETURNED(
            at=local_text(invoice, zone), days=spec.invoice_after_days
        )
        explain.extend((cited(shipped, "rule R4"), cited(invoiced, "rule R4")))
    return RmaDates(
        issued,
        expires,
        replacement_shipped,
        label,
        invoice,
        ("R1", "R4") if label else ("R1",),
        tuple(explain),
    )


def is_rma_expired(expires_at: dt.datetime, received_at: dt.datetime) -> bool:
    """R3: a package received after `expires_at` carries an expired RMA number."""
    return require_aware(received_at, "received_at") > expires_at
