"""Writes for RMAs: open (R1, R5, F3), confirm (R6), label (R2), advance exchange (R4),
receiving (R3), inspection and decision (R7, R8), money-back refunds (F3), expiry scans.

Every function is a service in the house sense: keyword-only `actor`, one transaction, the RMA
row locked for a transition, and an audit event carrying the ticket's number (the RMA number is
the ticket number, P3), so the ticket's history shows what happened to its RMA. Dates come from
the policy core (`rma_dates`, `is_rma_expired`, `money_back_refund`), never from here.

Roles: agents and managers run RMAs; clerks receive packages and decide flagged ones; the
customer's own contacts (and staff) record the R6 confirmations; admins may do everything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from rmadesk.assets.models import Asset, ProductLine
from rmadesk.core import clock
from rmadesk.core.choices import Role
from rmadesk.core.errors import ServiceError
from rmadesk.core.permissions import PermissionDenied, customer_scope, require_role, role_of
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import UTC, require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import money_back_refund
from rmadesk.policy.rma import is_rma_expired, rma_dates
from rmadesk.rmas.choices import Decision, ReceiptFlag, RmaKind, RmaStatus
from rmadesk.rmas.models import Rma, RmaItem
from rmadesk.rmas.selectors import missing_confirmations
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket

RMA_ROLES = frozenset({Role.AGENT, Role.MANAGER})
RECEIVING_ROLES = frozenset({Role.CLERK})

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


# ------------------------------------------------------------------------------- helpers


def _instant(value: Any, field: str) -> dt.datetime:
    """An aware instant in UTC; a naive one is refused (T1)."""
    if not isinstance(value, dt.datetime):
        raise ServiceError(
            f"{field} must be an ISO 8601 instant with an offset",
            rule="T1",
            field=field,
            status=400,
        )
    return require_aware(value, field).astimezone(UTC)


def _text(value: Any, field: str, rule: str, what: str) -> str:
    """A required, non-blank text (a reason, notes): refused with 400 naming the rule."""
    if not isinstance(value, str) or not value.strip():
        raise ServiceError(f"{what} is required (rule {rule})", rule=rule, field=field, status=400)
    return value.strip()


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ServiceError(f"{field} must be true or false", field=field, status=400)
    return value


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock(rma: Rma) -> Rma:
    """The RMA's row, locked for the rest of the transaction (transitions are serialized)."""
    return Rma.objects.select_for_update().get(pk=rma.pk)


def _claim(queryset: QuerySet[Rma]) -> QuerySet[Rma]:
    """Lock the selected rows, skipping rows a concurrent scan holds (a no-op on SQLite)."""
    return queryset.select_for_update(skip_locked=True)


def _sync(target: Rma, source: Rma) -> Rma:
    """Copy the locked row's values onto the caller's instance, so it is not left stale."""
    if target is not source:
        for field in Rma._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return target


def _apply(rma: Rma, **values: Any) -> dict[str, list[Any]]:
    """Set fields and return the audit changes as {field: [before, after]} for those changed."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(rma, name)
        if before != value:
            changes[name] = [before, value]
            setattr(rma, name, value)
    return changes


FIELDS = frozenset(field.name for field in Rma._meta.concrete_fields)


def _save(rma: Rma, changes: Mapping[str, Any]) -> None:
    """Save the changed fields (audit changes may also name records elsewhere)."""
    names = [name for name in changes if name in FIELDS]
    if names:
        rma.save(update_fields=names)


def _event(
    rma: Rma,
    *,
    actor: Any,
    verb: str,
    changes: Mapping[str, Any],
    rules: Sequence[str],
    at: dt.datetime,
    note: str = "",
) -> None:
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
    )


def _require_staff_or_own_customer(actor: Any, rma: Rma, action: str) -> None:
    """Agents and managers (and admins), or a contact of the RMA's own customer."""
    if role_of(actor) == Role.CUSTOMER:
        if customer_scope(actor) != rma.ticket.customer_id:
            raise PermissionDenied(f"{action}: this RMA belongs to another customer")
        return
    if role_of(actor) in RMA_ROLES | {Role.ADMIN}:
        return
    raise PermissionDenied(f"{action} needs the customer, or the role agent or manager")


def _not_before_issue(rma: Rma, at: dt.datetime, field: str) -> None:
    if at < rma.issued_at:
        raise ServiceError(
            f"{field} {at.isoformat()} is before RMA {rma.number} was issued "
            f"({rma.issued_at.isoformat()})",
            rule="R1",
            field=field,
            status=400,
        )


def _still_valid(rma: Rma, at: dt.datetime, action: str) -> None:
    """R1: nothing more happens on an RMA whose number has expired (except receiving)."""
    if rma.status == RmaStatus.EXPIRED or is_rma_expired(rma.expires_at, at):
        raise ServiceError(
            f"RMA {rma.number} expired {rma.expires_at.isoformat()}: {action} is no longer "
            f"possible; open a new ticket for a new RMA (rule R1)",
            rule="R1",
        )


def _product_kind(asset: Asset) -> str:
    """F3 distinguishes hardware from software: TrueCommand is the software product line."""
    return "software" if asset.model.product_line == ProductLine.TRUECOMMAND else "hardware"


def _advance_exchange_offered(policy: Policy, asset: Asset) -> bool:
    """R5: the model's own flag, and the policy file's list of models never offered it."""
    refused = {name.strip().lower() for name in policy.document.rma.no_advance_exchange_models}
    return asset.model.advance_exchange and asset.model.name.strip().lower() not in refused


def _clean_items(items: Any) -> list[tuple[str, str, Decimal]]:
    """(part, serial, unit price) of each item; at least one, prices exact to the cent (F4)."""
    if not isinstance(items, (list, tuple)) or not items:
        raise ServiceError(
            "an RMA needs at least one item: {part, serial, unit_price}", field="items", status=400
        )
    cleaned = []
    for index, item in enumerate(items):
        where = f"items.{index}"
        if not isinstance(item, Mapping):
            raise ServiceError("an item is {part, serial, unit_price}", field=where, status=400)
        unknown = sorted(set(item) - ITEM_FIELDS)
        if unknown:
            raise ServiceError(
                f"unknown field {unknown[0]!r}", field=f"{where}.{unknown[0]}", status=400
            )
        part = item.get("part")
        if not isinstance(part, str) or not part.strip() or len(part.strip()) > 200:
            raise ServiceError(
                "every item names its part (at most 200 characters)",
                field=f"{where}.part",
                status=400,
            )
        serial = item.get("serial") or ""
        if not isinstance(serial, str) or len(serial.strip()) > 64:
            raise ServiceError(
                "an item's serial is text of at most 64 characters",
                field=f"{where}.serial",
                status=400,
            )
        cleaned.append((part.strip(), serial.strip(), _price(item.get("unit_price"), where)))
    return cleaned


def _price(value: Any, where: str) -> Decimal:
    field = f"{where}.unit_price"
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ServiceError(
            'unit_price is a decimal amount such as "450.00", never a float (rule F4)',
            rule="F4",
            field=field,
            status=400,
        )
    try:
        price = Decimal(value) if isinstance(value, (Decimal, int)) else Decimal(value.strip())
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite():
        raise ServiceError(f"{value!r} is not an amount", rule="F4", field=field, status=400)
    if price < 0:
        raise ServiceError("a unit price cannot be negative", rule="F4", field=field, status=400)
    if price != price.quantize(CENT) or price > MAX_PRICE:
        raise ServiceError(
            f"a unit price is exact to the cent and at most {MAX_PRICE}, not {value}",
            rule="F4",
            field=field,
            status=400,
        )
    return price.quantize(CENT)


# ------------------------------------------------------------------------------- opening


@transaction.atomic
def open_rma(
    *,
    actor: Any,
    ticket: Ticket,
    kind: str,
    items: Sequence[Mapping[str, Any]],
    issued_at: dt.datetime | None = None,
) -> Rma:
    """Open the RMA of a ticket, numbered with the ticket's number (P3, R1).

    The number is valid 30 calendar days on the vendor's wall clock (R1). An advance exchange is
    refused for models flagged so (R5); a money-back return only for hardware (F3: its 30-day
    window is checked when the product arrives). `issued_at` (staff only, like the whole
    service) records an RMA issued earlier, e.g. by phone.
    """
    require_role(actor, RMA_ROLES, "opening an RMA")
    if kind not in RmaKind.values:
        raise ServiceError(
            f"unknown RMA kind {kind!r}; the kinds are {', '.join(RmaKind.values)}",
            field="kind",
            status=400,
        )
    issued = clock.now() if issued_at is None else _instant(issued_at, "issued_at")
    lines = _clean_items(items)
    # Lock the ticket: two agents opening its RMA at once queue here, and the second is told.
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer", "asset", "asset__model")
        .get(pk=ticket.pk)
    )
    if ticket.status in CLOSED_STATUSES:
        raise ServiceError(
            f"ticket {ticket.number} is closed: an RMA is opened from an open ticket (rule R1)",
            rule="R1",
            field="ticket",
        )
    if Rma.objects.filter(ticket=ticket).exists():
        raise ServiceError(
            f"ticket {ticket.number} already has RMA {ticket.number}: one RMA per ticket, "
            f"carrying the ticket's number (rules P3, R1)",
            rule="R1",
            field="ticket",
        )
    asset = ticket.asset
    if asset is None:
        raise ServiceError(
            f"ticket {ticket.number} names no serial-numbered asset to return (rule R1)",
            rule="R1",
            field="ticket",
        )
    policy = active_policy()
    rules = ["R1", "P3"]
    if kind == RmaKind.ADVANCE_EXCHANGE:
        if not _advance_exchange_offered(policy, asset):
            raise PolicyError(
                f"advance exchange is not offered for {asset.model.name}; open a repair or "
                f"replacement RMA instead",
                rule="R5",
                field="kind",
            )
        rules.append("R5")
    if kind == RmaKind.MONEY_BACK:
        if _product_kind(asset) == "software":
            raise PolicyError(
                f"{asset.model.name} is software: software is not eligible for the money-back "
                f"guarantee",
                rule="F3",
                field="kind",
            )
        rules.append("F3")
    dates = rma_dates(policy, issued=issued)
    try:
        with transaction.atomic():
            rma = Rma.objects.create(
                number=ticket.number,
                ticket=ticket,
                kind=kind,
                status=RmaStatus.ISSUED,
                issued_at=issued,
                expires_at=dates.expires_at,
                created_by=_user(actor),
            )
    except IntegrityError:
        raise ServiceError(
            f"RMA {ticket.number} already exists (rules P3, R1)", rule="R1", field="ticket"
        ) from None
    RmaItem.objects.bulk_create(
        RmaItem(rma=rma, part=part, serial=serial, unit_price=price, currency=asset.currency)
        for part, serial, price in lines
    )
    _event(
        rma,
        actor=actor,
        verb="rma.opened",
        changes={
            "kind": kind,
            "status": RmaStatus.ISSUED,
            "issued_at": issued,
            "expires_at": dates.expires_at,
            "serial": asset.serial,
            "items": [
                {"part": part, "serial": serial, "unit_price": price, "currency": asset.currency}
                for part, serial, price in lines
            ],
        },
        rules=rules,
        at=issued,
        note=" ".join(dates.explain),
    )
    return rma


# ------------------------------------------------------------------------------- R6, R2, R4


@transaction.atomic
def confirm_rma(
    *,
    actor: Any,
    rma: Rma,
    data_backed_up: bool,
    original_packaging: bool,
    insured: bool,
    at: dt.datetime | None = None,
) -> Rma:
    """Record the customer's R6 confirmations (the customer's own contact, or staff for them).

    A whole-system return (repair, replacement, money-back) needs all three before its label; an
    advance exchange (a component) needs the data backup only. Answers can change until the
    label is issued; the RMA is `confirmed` exactly while the required ones are all true.
    """
    _require_staff_or_own_customer(actor, rma, "confirming an RMA")
    answers = {
        "data_backed_up": _flag(data_backed_up, "data_backed_up"),
        "original_packaging": _flag(original_packaging, "original_packaging"),
        "insured": _flag(insured, "insured"),
    }
    at = clock.now() if at is None else _instant(at, "at")
    locked = _lock(rma)
    if locked.status not in (RmaStatus.ISSUED, RmaStatus.CONFIRMED, RmaStatus.EXPIRED):
        raise ServiceError(
            f"RMA {locked.number} is {locked.status}: the confirmations are recorded before "
            f"its label is issued, and fixed after (rule R6)",
            rule="R6",
        )
    _not_before_issue(locked, at, "at")
    _still_valid(locked, at, "confirming")
    changes = _apply(locked, **answers)
    complete = not missing_confirmations(locked)
    changes |= _apply(
        locked,
        status=RmaStatus.CONFIRMED if complete else RmaStatus.ISSUED,
        confirmed_at=(locked.confirmed_at or at) if complete else None,
    )
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.confirmed" if complete else "rma.confirmations_recorded",
        changes=changes,
        rules=("R6",),
        at=at,
        note="" if complete else f"still missing: {', '.join(missing_confirmations(locked))}",
    )
    return _sync(rma, locked)


@transaction.atomic
def issue_label(*, actor: Any, rma: Rma, at: dt.datetime | None = None) -> Rma:
    """Issue the return label, printed with the RMA number and its barcode (R2).

    Only after the customer's R6 confirmations; never for an expired RMA (R1).
    """
    require_role(actor, RMA_ROLES, "issuing a return label")
    at = clock.now() if at is None else _instant(at, "at")
    locked = _lock(rma)
    if locked.label_issued_at is not None:
        raise ServiceError(
            f"RMA {locked.number}'s label was issued {locked.label_issued_at.isoformat()}",
            rule="R2",
        )
    _not_before_issue(locked, at, "at")
    _still_valid(locked, at, "issuing a label")
    missing = missing_confirmations(locked)
    if missing:
        raise ServiceError(
            f"the label is issued only after the customer confirms {', '.join(missing)} (rule R6)",
            rule="R6",
            field=missing[0],
        )
    if locked.status != RmaStatus.CONFIRMED:
        raise ServiceError(f"RMA {locked.number} is {locked.status}: no label now", rule="R2")
    changes = _apply(locked, label_issued_at=at, status=RmaStatus.LABEL_ISSUED)
    _save(locked, changes)
    _event(locked, actor=actor, verb="rma.label_issued", changes=changes, rules=("R2", "R6"), at=at)
    return _sync(rma, locked)


@transaction.atomic
def ship_replacement(*, actor: Any, rma: Rma, shipped_at: dt.datetime) -> Rma:
    """Ship an advance exchange's replacement with its prepaid return label (R4).

    The label is valid 10 days and the unreturned-parts invoice falls due 14 days after the
    shipment (both from `rma_dates`). The label ships in the box, so one is issued now if it
    was not already; the R6 confirmation (data backed up) must be on record either way.
    """
    require_role(actor, RMA_ROLES, "shipping a replacement")
    shipped = _instant(shipped_at, "shipped_at")
    locked = _lock(rma)
    if locked.kind != RmaKind.ADVANCE_EXCHANGE:
        raise ServiceError(
            f"RMA {locked.number} is a {locked.get_kind_display()}: only an advance exchange "
            f"ships its replacement before the return (rule R4)",
            rule="R4",
            field="kind",
        )
    if locked.replacement_shipped_at is not None:
        raise ServiceError(
            f"RMA {locked.number}'s replacement shipped "
            f"{locked.replacement_shipped_at.isoformat()}",
            rule="R4",
        )
    _still_valid(locked, shipped, "shipping the replacement")
    missing = missing_confirmations(locked)
    if missing:
        raise ServiceError(
            f"the replacement ships with the return label, issued only after the customer "
            f"confirms {', '.join(missing)} (rule R6)",
            rule="R6",
            field=missing[0],
        )
    if locked.status not in (RmaStatus.CONFIRMED, RmaStatus.LABEL_ISSUED):
        raise ServiceError(
            f"RMA {locked.number} is {locked.status}: too late to ship a replacement", rule="R4"
        )
    dates = rma_dates(active_policy(), issued=locked.issued_at, replacement_shipped=shipped)
    changes = _apply(
        locked,
        replacement_shipped_at=shipped,
        label_issued_at=locked.label_issued_at or shipped,
        label_expires_at=dates.label_expires_at,
        invoice_at=dates.invoice_at,
        status=RmaStatus.REPLACEMENT_SHIPPED,
    )
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.replacement_shipped",
        changes=changes,
        rules=("R4",),
        at=shipped,
        note=" ".join(dates.explain[1:]),
    )
    return _sync(rma, locked)


# ------------------------------------------------------------------------------- R3 receiving


def read_label_number(label: Any) -> int | None:
    """The RMA number read off a label, or None when there is none readable (R3)."""
    if isinstance(label, bool) or label is None:
        return None
    if isinstance(label, int):
        return label if label > 0 else None
    match = LABEL_NUMBER.match(str(label))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


@transaction.atomic
def receive_return(
    *,
    actor: Any,
    label_rma_number: Any,
    received_at: dt.datetime,
    expected: Rma | None = None,
) -> tuple[Rma | None, list[str]]:
    """Book a package in at receiving and flag it for rejection where R3 says so.

    The flags come from the label: `unreadable` (no readable RMA number), `unknown` (no such
    RMA), `expired` (the named RMA's number expired before `received_at`). A package is booked
    against the RMA its label names; when the label names none, against `expected` (the RMA the
    desk is receiving for), if given, so a clerk can still accept it with a reason. A label that
    names a different RMA than `expected` is refused, changing nothing: the scan wins, and the
    clerk receives it on that RMA. Unflagged: `received` (a money-back refund is computed, F3;
    an advance exchange's day-14 invoice is voided, R4). Flagged: `flagged`, waiting for
    accept_return or reject_return. A flagged package with no RMA is only recorded.
    """
    require_role(actor, RECEIVING_ROLES, "receiving a return")
    received = _instant(received_at, "received_at")
    label_text = "" if label_rma_number is None else str(label_rma_number).strip()
    number = read_label_number(label_rma_number)
    flags: list[str] = []
    named = None
    if number is None:
        flags.append(ReceiptFlag.UNREADABLE)
    else:
        named = Rma.objects.filter(number=number).first()
        if named is None:
            flags.append(ReceiptFlag.UNKNOWN)
    if named is not None and expected is not None and named.pk != expected.pk:
        raise ServiceError(
            f"the label reads RMA {named.number}, not {expected.number}: receive this package "
            f"on RMA {named.number} (rule R3)",
            rule="R3",
            field="label_rma_number",
        )
    target = named or expected
    if target is None:
        record_event(
            actor=actor,
            verb="rma.package_unmatched",
            subject_type="package",
            subject_id=label_text[:40] or "(no label)",
            changes={"label_rma_number": label_text, "received_at": received, "flags": flags},
            rules=("R3",),
            at=received,
            note="flagged for rejection: no RMA to book it against",
        )
        return None, flags
    locked = _lock(target)
    if locked.status not in RECEIVABLE:
        raise ServiceError(
            f"RMA {locked.number} is {locked.status}: a package was already booked against it "
            f"(rule R3)",
            rule="R3",
        )
    _not_before_issue(locked, received, "received_at")
    if named is not None and is_rma_expired(locked.expires_at, received):
        flags.append(ReceiptFlag.EXPIRED)
    changes = _apply(
        locked,
        received_at=received,
        received_label_number=label_text[:40],
        receipt_flags=[str(flag) for flag in flags],
        status=RmaStatus.FLAGGED if flags else RmaStatus.RECEIVED,
    )
    rules = ["R3"]
    if not flags:
        changes |= _on_received(locked, actor=actor, at=received, rules=rules)
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.flagged" if flags else "rma.received",
        changes=changes,
        rules=rules,
        at=received,
        note=f"flagged for rejection: {', '.join(flags)}" if flags else "",
    )
    booked = expected if expected is not None and expected.pk == locked.pk else locked
    return _sync(booked, locked), [str(flag) for flag in flags]


def _on_received(rma: Rma, *, actor: Any, at: dt.datetime, rules: list[str]) -> dict[str, Any]:
    """What receiving a return sets off: the money-back refund (F3), the R4 credit note."""
    changes: dict[str, Any] = {}
    if rma.kind == RmaKind.MONEY_BACK:
        changes |= _refund(rma, at)
        rules.append("F3")
    if rma.kind == RmaKind.ADVANCE_EXCHANGE:
        # Billing owns invoices; it credits the day-14 invoice if one was issued (R4).
        from rmadesk.billing.services import void_unreturned_parts_invoice  # noqa: PLC0415

        note = void_unreturned_parts_invoice(rma=rma, at=at, actor=actor)
        if note is not None:
            changes["credit_note"] = [None, note.number]
            rules.append("R4")
    return changes


def _refund(rma: Rma, arrived: dt.datetime) -> dict[str, list[Any]]:
    """Compute and store a money-back refund for a product that arrived at `arrived` (F3)."""
    policy = active_policy()
    asset = rma.ticket.asset
    if asset is None:  # open_rma refuses RMAs without an asset; a hand-made row may lack one
        raise ServiceError(f"RMA {rma.number} names no asset to refund", rule="F3")
    items = list(RmaItem.objects.filter(rma=rma))
    answer = money_back_refund(
        policy,
        price=sum((item.unit_price for item in items), Decimal("0.00")),
        shipped_on=asset.shipped_on,
        arrived_on=arrived.astimezone(policy.vendor_zone).date(),
        kind=_product_kind(asset),
        waive_restocking=rma.restocking_waived_reason or None,
        currency=asset.currency,
    )
    return _apply(
        rma,
        refund_eligible=answer.eligible,
        refund_amount=answer.refund,
        restocking_fee=answer.restocking_fee,
        refund_currency=answer.currency,
        refund_explanation=answer.reason[:1].upper() + answer.reason[1:] + ".",
    )


def _flagged(rma: Rma, action: str) -> Rma:
    locked = _lock(rma)
    if locked.status != RmaStatus.FLAGGED:
        raise ServiceError(
            f"RMA {locked.number} is {locked.status}: only a package flagged at receiving is "
            f"{action} (rule R3)",
            rule="R3",
        )
    return locked


@transaction.atomic
def accept_return(*, actor: Any, rma: Rma, reason: str) -> Rma:
    """A clerk accepts a flagged package with a recorded reason (R3); it counts as received."""
    require_role(actor, RECEIVING_ROLES, "accepting a flagged return")
    reason = _text(reason, "reason", "R3", "a reason for accepting a flagged package")
    locked = _flagged(rma, "accepted")
    arrived = locked.received_at or clock.now()
    at = max(clock.now(), arrived)  # a decision on a package never precedes its arrival
    rules = ["R3"]
    changes = _apply(locked, status=RmaStatus.RECEIVED, receipt_decision_reason=reason)
    changes |= _on_received(locked, actor=actor, at=arrived, rules=rules)
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.return_accepted",
        changes=changes,
        rules=rules,
        at=at,
        note=reason,
    )
    return _sync(rma, locked)


@transaction.atomic
def reject_return(*, actor: Any, rma: Rma, reason: str) -> Rma:
    """A clerk rejects a flagged package, recording why (R3)."""
    require_role(actor, RECEIVING_ROLES, "rejecting a flagged return")
    reason = _text(reason, "reason", "R3", "a reason for rejecting a package")
    locked = _flagged(rma, "rejected")
    at = max(clock.now(), locked.received_at or clock.now())
    changes = _apply(locked, status=RmaStatus.REJECTED, receipt_decision_reason=reason)
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.return_rejected",
        changes=changes,
        rules=("R3",),
        at=at,
        note=reason,
    )
    return _sync(rma, locked)


# ------------------------------------------------------------------------------- R7, R8, F3


@transaction.atomic
def inspect_return(*, actor: Any, rma: Rma, notes: str, at: dt.datetime | None = None) -> Rma:
    """Record the inspection of a received return: what the vendor found (before R7)."""
    require_role(actor, RMA_ROLES, "inspecting a return")
    notes = _text(notes, "notes", "R7", "inspection notes")
    at = clock.now() if at is None else _instant(at, "at")
    locked = _lock(rma)
    if locked.status != RmaStatus.RECEIVED:
        raise ServiceError(
            f"RMA {locked.number} is {locked.status}: only a received return is inspected",
            rule="R7",
        )
    if locked.received_at is not None and at < locked.received_at:
        raise ServiceError(
            f"at {at.isoformat()} is before the return arrived ({locked.received_at.isoformat()})",
            field="at",
            status=400,
        )
    changes = _apply(locked, inspected_at=at, inspection_notes=notes, status=RmaStatus.INSPECTED)
    _save(locked, changes)
    _event(locked, actor=actor, verb="rma.inspected", changes=changes, rules=("R7",), at=at)
    return _sync(rma, locked)


@transaction.atomic
def decide_rma(
    *,
    actor: Any,
    rma: Rma,
    decision: str,
    refurbished: bool,
    freight_arrangement: str = "",
) -> Rma:
    """The vendor's choice for an inspected repair or replacement RMA: repair or replace (R7).

    It records whether refurbished parts are used (R7). Return shipping of a repaired system is
    prepaid in the continental US; elsewhere the freight arrangement must be recorded (R8).
    "Continental US" is read from the customer's country (US), as no state is on record.
    """
    require_role(actor, RMA_ROLES, "deciding an RMA")
    if decision not in Decision.values:
        raise PolicyError(
            f"unknown decision {decision!r}; the vendor chooses {' or '.join(Decision.values)}",
            rule="R7",
            field="decision",
        )
    refurbished = _flag(refurbished, "refurbished")
    if not isinstance(freight_arrangement, str):
        raise ServiceError("freight_arrangement is text", field="freight_arrangement", status=400)
    freight = freight_arrangement.strip()
    locked = _lock(rma)
    if locked.kind not in (RmaKind.REPAIR, RmaKind.REPLACEMENT):
        raise ServiceError(
            f"RMA {locked.number} is a {locked.get_kind_display()}: the vendor decides repair or "
            f"replacement for repair and replacement RMAs only (rule R7)",
            rule="R7",
            field="kind",
        )
    if locked.status != RmaStatus.INSPECTED:
        raise ServiceError(
            f"RMA {locked.number} is {locked.status}: the decision follows the inspection "
            f"(rule R7)",
            rule="R7",
        )
    rules = ["R7"]
    if decision == Decision.REPAIR:
        rules.append("R8")
        country = locked.ticket.customer.country
        if country != "US" and not freight:
            raise PolicyError(
                f"a repaired system returns prepaid within the continental US only; for a "
                f"customer in {country} record the freight arrangement",
                rule="R8",
                field="freight_arrangement",
            )
    changes = _apply(
        locked,
        decision=decision,
        refurbished=refurbished,
        freight_arrangement=freight,
        status=RmaStatus.CLOSED,
    )
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.decided",
        changes=changes,
        rules=rules,
        at=max(clock.now(), locked.inspected_at or clock.now()),
    )
    return _sync(rma, locked)


@transaction.atomic
def waive_restocking_fee(
    *, actor: Any, rma: Rma, reason: str, at: dt.datetime | None = None
) -> Rma:
    """An agent waives a money-back return's restocking fee, with a reason (F3).

    Before the return arrives, the refund computed at receiving leaves the fee out; after, the
    stored refund is recomputed for the same arrival.
    """
    require_role(actor, RMA_ROLES, "waiving a restocking fee")
    reason = _text(reason, "reason", "F3", "a reason for waiving the restocking fee")
    at = clock.now() if at is None else _instant(at, "at")
    locked = _lock(rma)
    if locked.kind != RmaKind.MONEY_BACK:
        raise ServiceError(
            f"RMA {locked.number} is a {locked.get_kind_display()}: only a money-back return "
            f"has a restocking fee (rule F3)",
            rule="F3",
            field="kind",
        )
    if locked.restocking_waived_reason:
        raise ServiceError(
            f"RMA {locked.number}'s restocking fee is already waived: "
            f"{locked.restocking_waived_reason}",
            rule="F3",
        )
    if locked.status in (RmaStatus.REJECTED, RmaStatus.EXPIRED, RmaStatus.CLOSED):
        raise ServiceError(f"RMA {locked.number} is {locked.status}: nothing to refund", rule="F3")
    changes = _apply(locked, restocking_waived_reason=reason)
    if locked.refund_eligible is not None and locked.received_at is not None:
        changes |= _refund(locked, locked.received_at)
    _save(locked, changes)
    _event(
        locked,
        actor=actor,
        verb="rma.restocking_fee_waived",
        changes=changes,
        rules=("F3",),
        at=at,
        note=reason,
    )
    return _sync(rma, locked)


# ------------------------------------------------------------------------------- scans


def expire_rmas(*, now: dt.datetime) -> int:
    """Mark RMAs whose package has not arrived by `expires_at` as expired (R1); idempotent.

    Rows are claimed with a row lock that skips rows a concurrent scan holds, so two scans at
    once expire each RMA once. Returns how many this run expired.
    """
    now = _instant(now, "now")
    expired = 0
    with transaction.atomic():
        due = _claim(
            Rma.objects.filter(
                status__in=AWAITING_RETURN, received_at__isnull=True, expires_at__lt=now
            ).order_by("pk")
        )
        for rma in due:
            changes = _apply(rma, status=RmaStatus.EXPIRED, expired_at=now)
            _save(rma, changes)
            _event(
                rma,
                actor=None,
                verb="rma.expired",
                changes=changes,
                rules=("R1",),
                at=now,
                note=f"no return arrived by {rma.expires_at.isoformat()} (rule R1)",
            )
            expired += 1
    return expired


def expire_labels(*, now: dt.datetime) -> int:
    """Record, once, that an advance exchange's prepaid return label has lapsed (R4).

    Only for parts still out: a part that came back used its label. Returns how many labels
    this run marked.
    """
    now = _instant(now, "now")
    marked = 0
    with transaction.atomic():
        due = _claim(
            Rma.objects.filter(
                kind=RmaKind.ADVANCE_EXCHANGE,
                label_expires_at__lt=now,
                label_expired_at__isnull=True,
                received_at__isnull=True,
            ).order_by("pk")
        )
        for rma in due:
            changes = _apply(rma, label_expired_at=now)
            _save(rma, changes)
            _event(
                rma,
                actor=None,
                verb="rma.label_expired",
                changes=changes,
                rules=("R4",),
                at=now,
                note=f"the prepaid return label lapsed {rma.label_expires_at.isoformat()}"
                if rma.label_expires_at
                else "",
            )
            marked += 1
    return marked
