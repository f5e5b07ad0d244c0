"""After the return arrives: inspection, the vendor's repair-or-replace decision (R7, R8) and
the money-back refund (F3)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for
from rmadesk.core.validation import required_text, yes_or_no
from rmadesk.policy.addresses import return_shipping
from rmadesk.policy.errors import PolicyError
from rmadesk.rmas.choices import Decision, RmaKind, RmaStatus
from rmadesk.rmas.events import RmaDecided
from rmadesk.rmas.models import Rma
from rmadesk.rmas.permissions import (
    require_rma_staff,
)
from rmadesk.rmas.services.common import apply_changes, lock_rma, record, refund_for, save_changes


@transaction.atomic
def inspect_return(*, actor: Actor, rma: Rma, notes: str, at: dt.datetime | None = None) -> Rma:
    """Record the inspection of a received return: what the vendor found (before R7)."""
    require_rma_staff(actor, "inspecting a return")
    notes = required_text(notes, "notes", rule="R7", what="inspection notes")
    at = instant_for(actor, at)
    locked = lock_rma(rma)
    if locked.status != RmaStatus.RECEIVED:
        raise Conflict(
            f"RMA {locked.number} is {locked.status}: only a received return is inspected",
            rule="R7",
        )
    if locked.received_at is not None and at < locked.received_at:
        raise InvalidInput(
            f"at {at.isoformat()} is before the return arrived ({locked.received_at.isoformat()})",
            field="at",
        )
    changes = apply_changes(
        locked, inspected_at=at, inspection_notes=notes, status=RmaStatus.INSPECTED
    )
    save_changes(locked, changes)
    record(locked, actor=actor, verb="rma.inspected", changes=changes, rules=("R7",), at=at)
    return copy_back(locked, rma)


@transaction.atomic
def decide_rma(
    *,
    actor: Actor,
    rma: Rma,
    decision: str,
    refurbished: bool,
    freight_arrangement: str = "",
) -> Rma:
    """The vendor's choice for an inspected repair or replacement RMA: repair or replace (R7).

    It records whether refurbished parts are used (R7). Return shipping of a repaired system is
    prepaid in the continental US (the 48 contiguous states and DC, read from the customer's
    address by `return_shipping`); elsewhere the freight arrangement must be recorded (R8).
    """
    require_rma_staff(actor, "deciding an RMA")
    if decision not in Decision.values:
        raise PolicyError(
            f"unknown decision {decision!r}; the vendor chooses {' or '.join(Decision.values)}",
            rule="R7",
            field="decision",
        )
    refurbished = yes_or_no(refurbished, "refurbished")
    if not isinstance(freight_arrangement, str):
        raise InvalidInput("freight_arrangement is text", field="freight_arrangement")
    freight = freight_arrangement.strip()
    locked = lock_rma(rma)
    if locked.kind not in (RmaKind.REPAIR, RmaKind.REPLACEMENT):
        raise Conflict(
            f"RMA {locked.number} is a {locked.get_kind_display()}: the vendor decides repair or "
            f"replacement for repair and replacement RMAs only (rule R7)",
            rule="R7",
            field="kind",
        )
    if locked.status != RmaStatus.INSPECTED:
        raise Conflict(
            f"RMA {locked.number} is {locked.status}: the decision follows the inspection "
            f"(rule R7)",
            rule="R7",
        )
    rules = ["R7"]
    if decision == Decision.REPAIR:
        rules.append("R8")
        customer = locked.ticket.customer
        shipping = return_shipping(customer.country, customer.region)
        if not shipping.is_prepaid and not freight:
            raise PolicyError(
                f"{shipping.explain} Record the freight arrangement for RMA {locked.number}",
                rule="R8",
                field="freight_arrangement",
            )
    changes = apply_changes(
        locked,
        decision=decision,
        refurbished=refurbished,
        freight_arrangement=freight,
        status=RmaStatus.CLOSED,
    )
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.decided",
        changes=changes,
        rules=rules,
        at=max(clock.now(), locked.inspected_at or clock.now()),
        event=RmaDecided.of(locked, decision=decision),
    )
    return copy_back(locked, rma)


@transaction.atomic
def waive_restocking_fee(
    *, actor: Actor, rma: Rma, reason: str, at: dt.datetime | None = None
) -> Rma:
    """An agent waives a money-back return's restocking fee, with a reason (F3).

    Before the return arrives, the refund computed at receiving leaves the fee out; after, the
    stored refund is recomputed for the same arrival.
    """
    require_rma_staff(actor, "waiving a restocking fee")
    reason = required_text(
        reason, "reason", rule="F3", what="a reason for waiving the restocking fee"
    )
    at = instant_for(actor, at)
    locked = lock_rma(rma)
    if locked.kind != RmaKind.MONEY_BACK:
        raise Conflict(
            f"RMA {locked.number} is a {locked.get_kind_display()}: only a money-back return "
            f"has a restocking fee (rule F3)",
            rule="F3",
            field="kind",
        )
    if locked.restocking_waived_reason:
        raise Conflict(
            f"RMA {locked.number}'s restocking fee is already waived: "
            f"{locked.restocking_waived_reason}",
            rule="F3",
        )
    if locked.status in (RmaStatus.REJECTED, RmaStatus.EXPIRED, RmaStatus.CLOSED):
        raise Conflict(f"RMA {locked.number} is {locked.status}: nothing to refund", rule="F3")
    changes = apply_changes(locked, restocking_waived_reason=reason)
    if locked.refund_eligible is not None and locked.received_at is not None:
        changes |= refund_for(locked, locked.received_at)
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.restocking_fee_waived",
        changes=changes,
        rules=("F3",),
        at=at,
        note=reason,
    )
    return copy_back(locked, rma)
