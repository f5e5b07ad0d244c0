"""What the vendor ships to the customer on an RMA, and the promise it keeps (N1-N3, R8).

A shipment is an advance exchange's replacement (R4, shipped by `returns.ship_replacement`,
which records its shipment here) or a repaired or replacement system shipped back after the
decision (R7, `ship_back`). When the part is identified (`identify_part`, or with the shipment)
the policy core's `parts_promise` fixes the promised ship and delivery dates: N1 for a US
customer, N2 for an EU customer whose contract in force has the "extended spare parts
replacement" option, N3 (no date, and why) for everyone else. Recording the shipment and its
delivery (`record_delivery`) marks a missed promise for the console's lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for
from rmadesk.core.policies import active_policy
from rmadesk.core.validation import aware_instant
from rmadesk.customers.models import Customer
from rmadesk.customers.selectors import contract_on
from rmadesk.policy.addresses import return_shipping
from rmadesk.policy.instants import zone_named
from rmadesk.policy.parts import PartsAnswer, parts_promise, promise_misses
from rmadesk.rmas.choices import Decision, RmaKind, RmaStatus, ShipmentKind
from rmadesk.rmas.models import Rma, Shipment
from rmadesk.rmas.permissions import require_rma_staff
from rmadesk.rmas.services.common import lock_rma, not_before_issue, record, still_valid
from rmadesk.rmas.services.tracking import optional_tracking

FIELD = "part_identified_at"
# An advance exchange's replacement is identified while the RMA waits to ship it (R4).
BEFORE_REPLACEMENT = (RmaStatus.ISSUED, RmaStatus.CONFIRMED, RmaStatus.LABEL_ISSUED)


def promise_for(customer: Customer, identified: dt.datetime) -> PartsAnswer:
    """The promise the customer gets for a part identified then (N1, N2 or N3).

    N2 is the contract option "extended spare parts replacement": the contract in force on the
    day of the identification (the vendor's calendar day) decides.
    """
    policy = active_policy()
    contract = contract_on(customer, identified.astimezone(policy.vendor_zone).date())
    return parts_promise(
        policy,
        identified=identified,
        country=customer.country,
        extended_spare_parts=contract is not None and contract.extended_spare_parts,
    )


def checked_identification(rma: Rma, value: object) -> dt.datetime:
    """When the part was identified: aware (T1), not in the future, not before the RMA."""
    identified = aware_instant(value, FIELD)
    if identified > clock.now():
        raise InvalidInput(
            f"{FIELD} {identified.isoformat()} is in the future: record when the part was "
            f"identified, once it is (rule N1)",
            rule="N1",
            field=FIELD,
        )
    not_before_issue(rma, identified, FIELD)
    return identified


def _promise_values(rma: Rma, kind: str, identified: dt.datetime) -> dict[str, Any]:
    answer = promise_for(rma.ticket.customer, identified)
    return {
        "kind": kind,
        "part_identified_at": identified,
        "region": answer.region,
        "promised_ship_on": answer.ships_on,
        "promised_delivery_on": answer.delivers_on,
        "promise_zone": answer.zone_name,
        "promise_rules": list(answer.rules),
        "promise_explanation": " ".join(answer.explain),
    }


def _misses(shipment: Shipment, customer: Customer) -> list[str]:
    if not shipment.promise_zone:
        return []
    return list(
        promise_misses(
            rule=shipment.promise_rules[0] if shipment.promise_rules else "N1",
            zone=zone_named(shipment.promise_zone, field="promise_zone"),
            ships_on=shipment.promised_ship_on,
            delivers_on=shipment.promised_delivery_on,
            shipped_at=shipment.shipped_at,
            delivered_at=shipment.delivered_at,
            delivery_zone=zone_named(customer.zone),
        )
    )


def _store(rma: Rma, values: dict[str, Any]) -> tuple[Shipment, dict[str, list[Any]]]:
    """Create or update the RMA's shipment; the audit changes under `shipment.<field>`."""
    shipment = Shipment.objects.filter(rma=rma).first() or Shipment(rma=rma)
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(shipment, name, None) if shipment.pk else None
        if before != value:
            changes[f"shipment.{name}"] = [before, value]
            setattr(shipment, name, value)
    misses = _misses(shipment, rma.ticket.customer)
    if misses != shipment.promise_misses or bool(misses) != shipment.is_promise_missed:
        changes["shipment.promise_misses"] = [shipment.promise_misses, misses]
        shipment.promise_misses = misses
        shipment.is_promise_missed = bool(misses)
    shipment.save()
    return shipment, changes


def _not_shipped(rma: Rma) -> None:
    shipment = Shipment.objects.filter(rma=rma).first()
    if shipment is not None and shipment.shipped_at is not None:
        raise Conflict(
            f"RMA {rma.number}'s {shipment.get_kind_display()} shipped "
            f"{shipment.shipped_at.isoformat()}: its promise is fixed (rule N1)",
            rule="N1",
            field=FIELD,
        )


def _ships_back(rma: Rma) -> None:
    if rma.kind not in (RmaKind.REPAIR, RmaKind.REPLACEMENT) or not rma.decision:
        raise Conflict(
            f"RMA {rma.number} is a {rma.get_kind_display()} ({rma.get_status_display()}): a "
            f"system ships back after the vendor decides repair or replacement (rule R7)",
            rule="R7",
            field="decision",
        )


def _shipment_kind(rma: Rma) -> str:
    """Which shipment of this RMA a part is identified for; refused where none ships."""
    if rma.kind == RmaKind.ADVANCE_EXCHANGE:
        if rma.status not in BEFORE_REPLACEMENT:
            raise Conflict(
                f"RMA {rma.number} is {rma.get_status_display()}: an advance exchange's part is "
                f"identified before its replacement ships (rule R4)",
                rule="R4",
                field=FIELD,
            )
        return ShipmentKind.ADVANCE_REPLACEMENT
    _ships_back(rma)
    return ShipmentKind.SHIP_BACK


@transaction.atomic
def identify_part(*, actor: Actor, rma: Rma, identified_at: dt.datetime | None = None) -> Rma:
    """Record when the part to ship was identified, and the promise that follows (N1-N3).

    `identified_at` None means now. The promise can be recomputed until the shipment leaves.
    """
    require_rma_staff(actor, "identifying a part")
    at = instant_for(actor, identified_at, field=FIELD)
    locked = lock_rma(rma)
    identified = checked_identification(locked, at)
    kind = _shipment_kind(locked)
    if kind == ShipmentKind.ADVANCE_REPLACEMENT:
        still_valid(locked, identified, "identifying the replacement")
    _not_shipped(locked)
    shipment, changes = _store(locked, _promise_values(locked, kind, identified))
    record(
        locked,
        actor=actor,
        verb="rma.part_identified",
        changes=changes,
        rules=tuple(shipment.promise_rules),
        at=identified,
        note=shipment.promise_explanation,
    )
    return copy_back(locked, rma)


def ship_with_promise(
    rma: Rma,
    *,
    kind: str,
    shipped: dt.datetime,
    identified: object | None,
    tracking: tuple[str, str] | None = None,
) -> tuple[Shipment, dict[str, list[Any]]]:
    """Record the shipment of a locked RMA: its promise (from `identified`, or the one
    recorded before, or else the RMA's issue), whether it left late, and its carrier and
    tracking number if given (`tracking.checked_tracking`). The audit changes."""
    shipment = Shipment.objects.filter(rma=rma).first()
    values: dict[str, Any] = {}
    if identified is not None:
        when = checked_identification(rma, identified)
        values = _promise_values(rma, kind, when)
    elif shipment is None:
        # An advance exchange names its part when it is issued (its items): that is the
        # identification unless one was recorded (`identify_part`) or given with the shipment.
        when = rma.issued_at
        values = _promise_values(rma, kind, when)
    else:
        when = shipment.part_identified_at
    if shipped < when:
        raise InvalidInput(
            f"shipped_at {shipped.isoformat()} is before the part was identified "
            f"({when.isoformat()})",
            rule="N1",
            field="shipped_at",
        )
    values["shipped_at"] = shipped
    if tracking is not None:
        values["carrier"], values["tracking_number"] = tracking
    return _store(rma, values)


@transaction.atomic
def ship_back(
    *,
    actor: Actor,
    rma: Rma,
    shipped_at: dt.datetime,
    part_identified_at: dt.datetime | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Rma:
    """Ship a repaired or replacement system back to the customer (R7), prepaid within the
    continental US (R8), against the promise made when its part was identified (N1-N3).

    The identification is the one recorded by `identify_part`, or `part_identified_at`. The
    carrier and tracking number go together, or neither (`record_tracking` adds them later).
    """
    require_rma_staff(actor, "shipping a system back")
    shipped = aware_instant(shipped_at, "shipped_at")
    tracking = optional_tracking(carrier, tracking_number)
    locked = lock_rma(rma)
    _ships_back(locked)
    _not_shipped(locked)
    if part_identified_at is None and not Shipment.objects.filter(rma=locked).exists():
        raise InvalidInput(
            "record when the part was identified (part_identified_at): the promised ship and "
            "delivery dates count from it (rule N1)",
            rule="N1",
            field=FIELD,
        )
    if locked.received_at is not None and shipped < locked.received_at:
        raise InvalidInput(
            f"shipped_at {shipped.isoformat()} is before the return arrived", field="shipped_at"
        )
    customer = locked.ticket.customer
    shipment, changes = ship_with_promise(
        locked,
        kind=ShipmentKind.SHIP_BACK,
        shipped=shipped,
        identified=part_identified_at,
        tracking=tracking,
    )
    rules = ["R7", *shipment.promise_rules]
    if locked.decision == Decision.REPAIR:
        verdict = return_shipping(customer.country, customer.region)
        rules.append("R8")
        if not verdict.is_prepaid and not locked.freight_arrangement:
            raise Conflict(
                f"{verdict.explain} No freight arrangement is recorded for RMA {locked.number}",
                rule="R8",
                field="freight_arrangement",
            )
        if shipment.is_prepaid != verdict.is_prepaid:
            changes["shipment.is_prepaid"] = [shipment.is_prepaid, verdict.is_prepaid]
            shipment.is_prepaid = verdict.is_prepaid
            shipment.save(update_fields=["is_prepaid"])
    record(
        locked,
        actor=actor,
        verb="rma.shipped_back",
        changes=changes,
        rules=rules,
        at=shipped,
    )
    return copy_back(locked, rma)


@transaction.atomic
def record_delivery(*, actor: Actor, rma: Rma, delivered_at: dt.datetime) -> Rma:
    """Record that the shipment reached the customer, and whether it kept its promise."""
    require_rma_staff(actor, "recording a delivery")
    delivered = aware_instant(delivered_at, "delivered_at")
    locked = lock_rma(rma)
    shipment = Shipment.objects.filter(rma=locked).first()
    if shipment is None or shipment.shipped_at is None:
        raise Conflict(f"RMA {locked.number} has no shipment on its way to the customer", rule="N1")
    if shipment.delivered_at is not None:
        raise Conflict(
            f"RMA {locked.number}'s shipment was delivered {shipment.delivered_at.isoformat()}",
            rule="N1",
        )
    if delivered < shipment.shipped_at:
        raise InvalidInput(
            f"delivered_at {delivered.isoformat()} is before the shipment left "
            f"({shipment.shipped_at.isoformat()})",
            field="delivered_at",
        )
    _, changes = _store(locked, {"delivered_at": delivered})
    record(
        locked,
        actor=actor,
        verb="rma.shipment_delivered",
        changes=changes,
        rules=tuple(shipment.promise_rules),
        at=delivered,
    )
    return copy_back(locked, rma)
