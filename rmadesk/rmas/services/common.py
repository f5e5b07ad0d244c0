"""What the RMA services share: the RMA's lock, its audit record, and the checks of R1 and F4."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rmadesk.assets.models import Asset, ProductLine
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import money_back_refund
from rmadesk.policy.rma import is_rma_expired
from rmadesk.rmas.choices import RmaStatus
from rmadesk.rmas.events import RmaEvent
from rmadesk.rmas.models import Rma, RmaItem
from rmadesk.rmas.selectors import returned_contents

# An RMA in one of these states still waits for its package (R1 expiry applies to them).

AWAITING_RETURN = (
    RmaStatus.ISSUED,
    RmaStatus.CONFIRMED,
    RmaStatus.LABEL_ISSUED,
    RmaStatus.REPLACEMENT_SHIPPED,
)
# A package can be booked against these; an expired RMA's package is flagged (R3).
RECEIVABLE = (*AWAITING_RETURN, RmaStatus.EXPIRED)
ITEM_FIELDS = frozenset({"part", "serial", "unit_price"})
CENT = Decimal("0.01")

MAX_PRICE = Decimal("9999999999.99")  # what RmaItem.unit_price holds (12 digits, 2 decimals)
# What a scanner or a person may read off a label: the digits, optionally after "RMA" or "#".
LABEL_NUMBER = re.compile(r"^\s*(?:RMA)?\s*[#:-]?\s*(\d{1,18})\s*$", re.IGNORECASE)


def lock_rma(rma: Rma) -> Rma:
    """The RMA's row (its ticket and customer read along), locked for the transaction.

    Transitions of one RMA are serialized on this lock.
    """
    return lock(Rma.objects.select_related("ticket", "ticket__customer"), rma.pk)


def apply_changes(rma: Rma, **values: Any) -> dict[str, list[Any]]:
    """Set fields and return the audit changes as {field: [before, after]} for those changed."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(rma, name)
        if before != value:
            changes[name] = [before, value]
            setattr(rma, name, value)
    return changes


FIELDS = frozenset(field.name for field in Rma._meta.concrete_fields)


def save_changes(rma: Rma, changes: Mapping[str, Any]) -> None:
    """Save the changed fields (audit changes may also name records elsewhere)."""
    names = [name for name in changes if name in FIELDS]
    if names:
        rma.save(update_fields=names)


def record(
    rma: Rma,
    *,
    actor: Actor,
    verb: str,
    changes: Mapping[str, Any],
    rules: Sequence[str],
    at: dt.datetime,
    note: str = "",
    event: RmaEvent | None = None,
) -> None:
    """The audit event of a change to an RMA, under its ticket's number (P3), with its event."""
    record_event(
        actor=actor,
        verb=verb,
        subject_type="rma",
        subject_id=rma.number,
        ticket_number=rma.number,
        changes=changes,
        rules=tuple(rules),
        note=note,
        at=at,
        event=event,
    )


def not_before_issue(rma: Rma, at: dt.datetime, field: str) -> None:
    if at < rma.issued_at:
        raise InvalidInput(
            f"{field} {at.isoformat()} is before RMA {rma.number} was issued "
            f"({rma.issued_at.isoformat()})",
            rule="R1",
            field=field,
        )


def still_valid(rma: Rma, at: dt.datetime, action: str) -> None:
    """R1: nothing more happens on an RMA whose number has expired (except receiving)."""
    if rma.status == RmaStatus.EXPIRED or is_rma_expired(rma.expires_at, at):
        raise Conflict(
            f"RMA {rma.number} expired {rma.expires_at.isoformat()}: {action} is no longer "
            f"possible; open a new ticket for a new RMA (rule R1)",
            rule="R1",
        )


def product_kind(asset: Asset) -> str:
    """F3 distinguishes hardware from software: TrueCommand is the software product line."""
    return "software" if asset.model.product_line == ProductLine.TRUECOMMAND else "hardware"


def advance_exchange_offered(policy: Policy, asset: Asset) -> bool:
    """R5: the model's own flag, and the policy file's list of models never offered it."""
    refused = {name.strip().lower() for name in policy.document.rma.no_advance_exchange_models}
    return asset.model.advance_exchange and asset.model.name.strip().lower() not in refused


def clean_items(items: Any) -> list[tuple[str, str, Decimal]]:
    """(part, serial, unit price) of each item; at least one, prices exact to the cent (F4)."""
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidInput(
            "an RMA needs at least one item: {part, serial, unit_price}", field="items"
        )
    cleaned = []
    for index, item in enumerate(items):
        where = f"items.{index}"
        if not isinstance(item, Mapping):
            raise InvalidInput("an item is {part, serial, unit_price}", field=where)
        unknown = sorted(set(item) - ITEM_FIELDS)
        if unknown:
            raise InvalidInput(f"unknown field {unknown[0]!r}", field=f"{where}.{unknown[0]}")
        part = item.get("part")
        if not isinstance(part, str) or not part.strip() or len(part.strip()) > 200:
            raise InvalidInput(
                "every item names its part (at most 200 characters)",
                field=f"{where}.part",
            )
        serial = item.get("serial") or ""
        if not isinstance(serial, str) or len(serial.strip()) > 64:
            raise InvalidInput(
                "an item's serial is text of at most 64 characters",
                field=f"{where}.serial",
            )
        cleaned.append((part.strip(), serial.strip(), price_of(item.get("unit_price"), where)))
    return cleaned


def price_of(value: Any, where: str) -> Decimal:
    field = f"{where}.unit_price"
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidInput(
            'unit_price is a decimal amount such as "450.00", never a float (rule F4)',
            rule="F4",
            field=field,
        )
    try:
        price = Decimal(value) if isinstance(value, (Decimal, int)) else Decimal(value.strip())
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite():
        raise InvalidInput(f"{value!r} is not an amount", rule="F4", field=field)
    if price < 0:
        raise InvalidInput("a unit price cannot be negative", rule="F4", field=field)
    if price != price.quantize(CENT) or price > MAX_PRICE:
        raise InvalidInput(
            f"a unit price is exact to the cent and at most {MAX_PRICE}, not {value}",
            rule="F4",
            field=field,
        )
    return price.quantize(CENT)


def refund_for(rma: Rma, arrived: dt.datetime) -> dict[str, list[Any]]:
    """Compute and store a money-back refund for a product that arrived at `arrived` (F3).

    The product price is the sum of the RMA's items; the shipping and handling of the original
    order (the asset's) is never refunded; the contents the clerk checked (manuals, media,
    documentation) decide eligibility unless an agent accepted them missing, with a reason.
    The explanation is stored line by line.
    """
    policy = active_policy()
    asset = rma.ticket.asset
    if asset is None:  # open_rma refuses RMAs without an asset; a hand-made row may lack one
        raise Conflict(f"RMA {rma.number} names no asset to refund", rule="F3")
    items = list(RmaItem.objects.filter(rma=rma))
    answer = money_back_refund(
        policy,
        price=sum((item.unit_price for item in items), Decimal("0.00")),
        shipped_on=asset.shipped_on,
        arrived_on=arrived.astimezone(policy.vendor_zone).date(),
        kind=product_kind(asset),
        waive_restocking=rma.restocking_waived_reason or None,
        currency=asset.currency,
        shipping_and_handling=asset.shipping_and_handling,
        contents=returned_contents(rma),
        accept_missing=rma.missing_contents_accepted_reason or None,
    )
    return apply_changes(
        rma,
        refund_eligible=answer.eligible,
        refund_amount=answer.refund,
        restocking_fee=answer.restocking_fee,
        refund_currency=answer.currency,
        refund_explanation="\n".join(answer.lines),
    )
