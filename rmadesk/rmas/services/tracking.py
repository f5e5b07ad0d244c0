"""Carrier and tracking number of what travels on an RMA: the shipment to the customer (an
advance exchange's replacement, R4, or a system shipped back, R7) and the return label (R2).

The carrier is a key of the policy file's `[carriers]` table; its tracking page, if the table
gives one, is the link the customer follows. Staff give both with the shipment or the label
(`ship_replacement`, `ship_back`, `issue_label`), or later, or to correct them,
`record_tracking`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.policy.carriers import carrier_problem, tracking_problem
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma, Shipment
from rmadesk.rmas.permissions import require_rma_staff
from rmadesk.rmas.services.common import apply_changes, lock_rma, record, save_changes

TO_CUSTOMER = "to_customer"
RETURN = "return"
DIRECTIONS = (TO_CUSTOMER, RETURN)


def checked_tracking(carrier: object, tracking_number: object) -> tuple[str, str]:
    """(carrier key, tracking number), or a refusal naming the field."""
    problem = carrier_problem(active_policy().document.carriers, carrier)
    if problem is not None or not isinstance(carrier, str):
        raise InvalidInput(problem or "name the carrier", field="carrier")
    problem = tracking_problem(tracking_number)
    if problem is not None or not isinstance(tracking_number, str):
        raise InvalidInput(problem or "give the tracking number", field="tracking_number")
    return carrier.strip().lower(), tracking_number.strip()


def optional_tracking(carrier: object, tracking_number: object) -> tuple[str, str] | None:
    """Both or neither: a carrier without its number (or the reverse) is refused."""
    if carrier in (None, "") and tracking_number in (None, ""):
        return None
    if carrier in (None, ""):
        raise InvalidInput("name the carrier of this tracking number", field="carrier")
    if tracking_number in (None, ""):
        raise InvalidInput("give the carrier's tracking number", field="tracking_number")
    return checked_tracking(carrier, tracking_number)


@transaction.atomic
def record_tracking(
    *, actor: Actor, rma: Rma, direction: str, carrier: object, tracking_number: object
) -> Rma:
    """Record (or correct) who carries the shipment to the customer or the return, and its
    tracking number; the customer's RMA page links to the carrier's tracking page."""
    require_rma_staff(actor, "recording a tracking number")
    if direction not in DIRECTIONS:
        raise InvalidInput(
            f"direction is {' or '.join(DIRECTIONS)}, not {direction!r}", field="direction"
        )
    found_carrier, number = checked_tracking(carrier, tracking_number)
    locked = lock_rma(rma)
    changes: dict[str, list[Any]] = {}
    if direction == RETURN:
        if locked.label_issued_at is None:
            raise Conflict(
                f"RMA {locked.number} has no return label yet: its tracking number is recorded "
                f"once the label is issued (rule R2)",
                rule="R2",
                field="direction",
            )
        changes = apply_changes(locked, return_carrier=found_carrier, return_tracking_number=number)
        save_changes(locked, changes)
        rules: tuple[str, ...] = ("R2",)
    else:
        shipment = Shipment.objects.filter(rma=locked).first()
        rule = "R4" if locked.kind == RmaKind.ADVANCE_EXCHANGE else "R7"
        if shipment is None or shipment.shipped_at is None:
            raise Conflict(
                f"nothing has shipped to the customer on RMA {locked.number} yet: record the "
                f"tracking number with the shipment (rule {rule})",
                rule=rule,
                field="direction",
            )
        for name, value in (("carrier", found_carrier), ("tracking_number", number)):
            if getattr(shipment, name) != value:
                changes[f"shipment.{name}"] = [getattr(shipment, name), value]
                setattr(shipment, name, value)
        if changes:
            shipment.save(update_fields=["carrier", "tracking_number"])
        rules = (rule,)
    if changes:  # the same numbers sent again change nothing and record nothing
        record(
            locked,
            actor=actor,
            verb="rma.tracking_recorded",
            changes={"direction": direction, **changes},
            rules=rules,
            at=clock.now(),
        )
    return copy_back(locked, rma)
