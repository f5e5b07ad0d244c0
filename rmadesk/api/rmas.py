"""RMAs: open from a ticket (R1, R5, F3), confirm (R6), label (R2), advance exchange (R4),
receiving (R3), inspection and decision (R7, R8), money-back refunds (F3).

Times in the answers are shown in the viewer's zone (T1): a customer's contact sees its
customer's zone, staff see the vendor's zone, where RMAs are counted and packages received.

A money-back return's box is checked at receiving (F3): `manuals`, `media` and `documentation`
are required in its `receive`; a missing one refuses the refund until an agent accepts it with
a reason (`accept-missing-contents`); a clerk corrects the check with `contents`.

Receiving: `POST /rmas/{number}/receive` names in its path the RMA the desk is receiving for;
the flags come from `label_rma_number`, what was scanned off the label (R3). A package whose
label names no readable or known RMA is booked, flagged, against the path's RMA, so a clerk can
accept it with a reason or reject it; a label naming another RMA is refused (409) and nothing
changes, because the scan, not the path, says which RMA a package belongs to.

Tracking: `carrier` (a key of the policy file's `[carriers]`) and `tracking_number` travel
together on `ship-replacement`, `ship-back` and `label`, or later on `POST /rmas/{number}/tracking`
(`direction` "to_customer" or "return"); an unknown carrier is refused with 422 naming it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from pydantic import AfterValidator, Field, StrictBool

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import LONG_TEXT, PathId, length_of, non_blank, one_of
from rmadesk.api.schemas import Amount, In, Instant, Out
from rmadesk.core import clock
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy, configured_policy
from rmadesk.policy.addresses import return_shipping
from rmadesk.policy.carriers import (
    MAX_TRACKING_NUMBER,
    TRACKING_NUMBER_PATTERN,
    carrier_problem,
    tracking_problem,
)
from rmadesk.rmas import services
from rmadesk.rmas.choices import Decision, RmaKind
from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.models import Rma, RmaItem
from rmadesk.rmas.selectors import (
    NO_LIABILITY_NOTICE,
    Tracking,
    missing_confirmations,
    return_tracking,
    returned_contents,
    rma_explanation,
    rma_for,
    rma_with_label,
    shipment_of,
    shipment_tracking,
    visible_rmas,
)
from rmadesk.tickets.selectors import ticket_for

router = Router(tags=["rmas"])


def _known_carrier(value: str) -> str:
    """A key of the active policy's [carriers]: checked at the edge, so 422 names the field."""
    problem = carrier_problem(active_policy().document.carriers, value)
    if problem is not None:
        raise ValueError(problem)
    return value.strip().lower()


def _carrier_keys(schema: dict[str, Any]) -> None:
    """The document lists the carriers of the configured policy file, as the server checks
    them: a vendor's own `[carriers]` appear without a release. Read without the database (the
    document is also built where there is none); a file activated later with other carriers
    (`rmadesk policy activate`) shows in it after a restart."""
    schema["enum"] = sorted(configured_policy().document.carriers)


def _tracking_number(value: str) -> str:
    problem = tracking_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


Carrier = Annotated[
    str, Field(max_length=20, json_schema_extra=_carrier_keys), AfterValidator(_known_carrier)
]
TrackingNumber = Annotated[
    str,
    Field(min_length=1, max_length=MAX_TRACKING_NUMBER, pattern=TRACKING_NUMBER_PATTERN),
    AfterValidator(_tracking_number),
]


# A reason, notes: text a rule requires (R3, R7, F3), stored in a text column.
Reason = Annotated[str, Field(max_length=LONG_TEXT), non_blank()]
RmaStatusName = Literal[
    "issued", "confirmed", "label_issued", "replacement_shipped", "received", "flagged",
    "rejected", "inspected", "closed", "expired", "denied",
]  # fmt: skip
LabelText = Annotated[str, Field(max_length=length_of(Rma, "received_label_number"))]
RmaKindName = Literal["repair", "replacement", "advance_exchange", "money_back"]


class RmaItemIn(In):
    part: Annotated[str, Field(max_length=length_of(RmaItem, "part")), non_blank()]
    serial: Annotated[str, Field(max_length=length_of(RmaItem, "serial"))] = ""
    unit_price: Amount


class RmaIn(In):
    kind: Annotated[str, one_of(RmaKind.values)]
    items: list[RmaItemIn]
    issued_at: Instant | None = None


class ConfirmIn(In):
    data_backed_up: StrictBool
    original_packaging: StrictBool
    insured: StrictBool
    # R6: left out, the answer stays as it was (clients that predate the question).
    removable_media_removed: StrictBool | None = None
    at: Instant | None = None  # staff recording a confirmation given earlier


class LabelIn(In):
    at: Instant | None = None
    # The return label's carrier and tracking number: both, or neither.
    carrier: Carrier | None = None
    tracking_number: TrackingNumber | None = None


class ShipIn(In):
    shipped_at: Instant
    # N1-N3: when the part was identified (else the one recorded, or the RMA's issue).
    part_identified_at: Instant | None = None
    # Who carries the replacement, and its tracking number: both, or neither.
    carrier: Carrier | None = None
    tracking_number: TrackingNumber | None = None


class TrackingIn(In):
    direction: Literal["to_customer", "return"]
    carrier: Carrier
    tracking_number: TrackingNumber


class IdentifyIn(In):
    identified_at: Instant | None = None


class ShipBackIn(In):
    shipped_at: Instant
    part_identified_at: Instant | None = None
    carrier: Carrier | None = None
    tracking_number: TrackingNumber | None = None


class DeliveredIn(In):
    delivered_at: Instant


class ReceiveIn(In):
    # What was read off the label (the barcode or the printed number); "" or null: nothing.
    label_rma_number: (
        Annotated[str, Field(max_length=length_of(Rma, "received_label_number"))] | None
    )
    received_at: Instant | None = None
    # F3: required for a money-back return: whether each came back in the box.
    manuals: StrictBool | None = None
    media: StrictBool | None = None
    documentation: StrictBool | None = None


class ContentsIn(In):
    manuals: StrictBool
    media: StrictBool
    documentation: StrictBool


class ReasonIn(In):
    reason: Reason


class InspectIn(In):
    notes: Reason
    at: Instant | None = None


class DecideIn(In):
    decision: Annotated[str, one_of(Decision.values)]
    refurbished: StrictBool
    freight_arrangement: Annotated[str, Field(max_length=LONG_TEXT)] = ""


class RmaItemOut(Out):
    part: str
    serial: str
    unit_price: Amount
    currency: str


class ContentsOut(Out):
    manuals: bool
    media: bool
    documentation: bool


class RefundOut(Out):
    eligible: bool | None
    amount: Amount | None
    restocking_fee: Amount | None
    shipping_and_handling: Amount = Field(description="of the original order: never refunded (F3)")
    currency: str
    restocking_waived_reason: str
    contents: ContentsOut | None = Field(
        description="what came back in the box, checked at receiving (F3); null until then"
    )
    missing_contents_accepted_reason: str
    explanation: str = Field(description="the refund line by line, one line each")


class TrackingOut(Out):
    carrier: str
    carrier_title: str
    tracking_number: str
    url: str | None = Field(description="the carrier's tracking page; null: the policy gives none")


class ShipmentOut(Out):
    kind: str
    part_identified_at: dt.datetime
    region: str
    promised_ship_on: dt.date | None
    promised_delivery_on: dt.date | None
    promise_zone: str
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    is_promise_missed: bool
    promise_misses: list[str]
    is_prepaid: bool | None
    tracking: TrackingOut | None = None
    rules: list[str]
    explanation: str


class RmaOut(Out):
    number: PathId
    ticket: int
    customer: int
    serial: str | None
    kind: str
    status: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    expired_at: dt.datetime | None
    items: list[RmaItemOut]
    data_backed_up: bool
    original_packaging: bool
    insured: bool
    removable_media_removed: bool
    confirmations_missing: list[str]
    confirmed_at: dt.datetime | None
    label_issued_at: dt.datetime | None
    label_url: str | None
    return_tracking: TrackingOut | None = None
    replacement_shipped_at: dt.datetime | None
    label_expires_at: dt.datetime | None
    label_expired_at: dt.datetime | None
    invoice_at: dt.datetime | None
    received_at: dt.datetime | None
    received_label_number: str
    flags: list[str]
    receipt_decision_reason: str
    inspected_at: dt.datetime | None
    inspection_notes: str
    decision: str | None
    refurbished: bool
    freight_arrangement: str
    return_shipping_prepaid: bool | None
    shipment: ShipmentOut | None
    refund: RefundOut | None
    liability_notice: str
    denial_cause: str | None = None  # W2's cause when the warranty claim was denied
    denial_explanation: str = ""
    denied_at: dt.datetime | None = None
    billable_repair_quote: int | None = None  # R9: the accepted quote of an out-of-warranty repair
    rules: list[str]
    explain: list[str]


INSTANTS = (
    "issued_at",
    "expires_at",
    "expired_at",
    "confirmed_at",
    "label_issued_at",
    "replacement_shipped_at",
    "label_expires_at",
    "label_expired_at",
    "invoice_at",
    "received_at",
    "inspected_at",
    "denied_at",
)
# The rules an RMA's answer draws on, by kind.
RULES = {
    "repair": ["R1", "R2", "R3", "R6", "R7", "R8", "N1", "N2", "N3"],
    "replacement": ["R1", "R2", "R3", "R6", "R7", "N1", "N2", "N3"],
    "advance_exchange": ["R1", "R2", "R3", "R4", "R5", "R6", "N1", "N2", "N3"],
    "money_back": ["R1", "R2", "R3", "R6", "F3"],
}


def _out(user: Actor, rma: Rma) -> dict[str, Any]:
    # Instants as stored: the API's renderer writes every one in the viewer's zone (T1).
    body: dict[str, Any] = {name: getattr(rma, name) for name in INSTANTS}
    asset = rma.ticket.asset
    refund = None
    if rma.kind == "money_back":
        refund = {
            "eligible": rma.refund_eligible,
            "amount": rma.refund_amount,
            "restocking_fee": rma.restocking_fee,
            "currency": rma.refund_currency or (asset.currency if asset else ""),
            "shipping_and_handling": asset.shipping_and_handling if asset else Decimal("0.00"),
            "restocking_waived_reason": rma.restocking_waived_reason,
            "contents": returned_contents(rma),
            "missing_contents_accepted_reason": rma.missing_contents_accepted_reason,
            "explanation": rma.refund_explanation,
        }
    body |= {
        "number": rma.number,
        "ticket": rma.ticket.number,
        "customer": rma.ticket.customer_id,
        "serial": asset.serial if asset else None,
        "kind": rma.kind,
        "status": rma.status,
        "items": [
            {
                "part": item.part,
                "serial": item.serial,
                "unit_price": item.unit_price,
                "currency": item.currency,
            }
            for item in rma.items.all()
        ],
        "data_backed_up": rma.data_backed_up,
        "original_packaging": rma.original_packaging,
        "insured": rma.insured,
        "removable_media_removed": rma.removable_media_removed,
        "confirmations_missing": missing_confirmations(rma),
        "label_url": f"/api/v1/rmas/{rma.number}/label.pdf" if rma.label_issued_at else None,
        "return_tracking": _tracking_out(return_tracking(rma)),
        "received_label_number": rma.received_label_number,
        "flags": list(rma.receipt_flags),
        "receipt_decision_reason": rma.receipt_decision_reason,
        "inspection_notes": rma.inspection_notes,
        "decision": rma.decision or None,
        "refurbished": rma.refurbished,
        "freight_arrangement": rma.freight_arrangement,
        "return_shipping_prepaid": _prepaid(rma),
        "shipment": _shipment(rma),
        "refund": refund,
        "liability_notice": str(NO_LIABILITY_NOTICE),
        "denial_cause": rma.denial_cause or None,
        "denial_explanation": rma.denial_explanation,
        "billable_repair_quote": rma.repair_quote_id,
        "rules": [
            *RULES.get(rma.kind, []),
            *(["W2"] if rma.denial_cause else []),
            *(["R9"] if rma.repair_quote_id else []),
        ],
        "explain": list(rma_explanation(rma)),
    }
    return body


def _prepaid(rma: Rma) -> bool | None:
    """R8, for a repair: is the repaired system's return shipping prepaid to this address."""
    if rma.kind != RmaKind.REPAIR:
        return None
    customer = rma.ticket.customer
    return return_shipping(customer.country, customer.region).is_prepaid


def _shipment(rma: Rma) -> dict[str, Any] | None:
    shipment = shipment_of(rma)
    if shipment is None:
        return None
    return {
        "kind": shipment.kind,
        "part_identified_at": shipment.part_identified_at,
        "region": shipment.region,
        "promised_ship_on": shipment.promised_ship_on,
        "promised_delivery_on": shipment.promised_delivery_on,
        "promise_zone": shipment.promise_zone,
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "is_promise_missed": shipment.is_promise_missed,
        "promise_misses": list(shipment.promise_misses),
        "is_prepaid": shipment.is_prepaid,
        "tracking": _tracking_out(shipment_tracking(rma)),
        "rules": list(shipment.promise_rules),
        "explanation": shipment.promise_explanation,
    }


def _tracking_out(tracking: Tracking | None) -> dict[str, Any] | None:
    if tracking is None:
        return None
    return {
        "carrier": tracking.carrier,
        "carrier_title": tracking.carrier_title,
        "tracking_number": tracking.number,
        "url": tracking.url,
    }


def _fresh(user: Actor, rma: Rma) -> dict[str, Any]:
    """The answer after a change: re-read through the visible selector (items, related rows)."""
    return _out(user, rma_for(user, rma.number))


@router.post("/tickets/{number}/rma", response={201: RmaOut})
def open_rma(request: HttpRequest, number: PathId, payload: RmaIn) -> Status[object]:
    """Open the ticket's RMA: it carries the ticket's number and is valid 30 days (P3, R1)."""
    user = user_of(request)
    ticket = ticket_for(user, number)
    rma = services.open_rma(
        actor=user,
        ticket=ticket,
        kind=payload.kind,
        items=[item.dict() for item in payload.items],
        issued_at=payload.issued_at,
    )
    return Status(201, _fresh(user, rma))


@router.get("/rmas", response=list[RmaOut])
def list_rmas(
    request: HttpRequest, status: RmaStatusName | None = None, kind: RmaKindName | None = None
) -> list[dict[str, Any]]:
    """The RMAs the caller may see, newest first, optionally by status and kind."""
    user = user_of(request)
    rmas = visible_rmas(user)
    if status:
        rmas = rmas.filter(status=status)
    if kind:
        rmas = rmas.filter(kind=kind)
    return [_out(user, rma) for rma in rmas]


@router.get("/rmas/{number}", response=RmaOut)
def get_rma(request: HttpRequest, number: PathId) -> dict[str, Any]:
    user = user_of(request)
    return _out(user, rma_for(user, number))


@router.post("/rmas/{number}/confirm", response=RmaOut)
def confirm_rma(request: HttpRequest, number: PathId, payload: ConfirmIn) -> dict[str, Any]:
    """The customer confirms data backup, packaging and insurance before the label (R6)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.confirm_rma(
        actor=user,
        rma=rma,
        data_backed_up=payload.data_backed_up,
        original_packaging=payload.original_packaging,
        insured=payload.insured,
        removable_media_removed=payload.removable_media_removed,
        at=payload.at,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/label", response=RmaOut)
def issue_label(request: HttpRequest, number: PathId, payload: LabelIn) -> dict[str, Any]:
    """Issue the return label (R2), only after the customer's confirmations (R6)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.issue_label(
        actor=user,
        rma=rma,
        at=payload.at,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _fresh(user, rma)


@router.get(
    "/rmas/{number}/label.pdf",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "the return label: RMA number and Code 128 barcode (R2)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_label(request: HttpRequest, number: PathId) -> HttpResponse:
    """The return label as a PDF; 409 (rule R6) until the confirmations and the label issue."""
    rma = rma_with_label(user_of(request), number)
    response = HttpResponse(label_pdf(rma), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rma-{rma.number}-label.pdf"'
    return response


@router.post("/rmas/{number}/ship-replacement", response=RmaOut)
def ship_replacement(request: HttpRequest, number: PathId, payload: ShipIn) -> dict[str, Any]:
    """Ship an advance exchange's replacement: label valid 10 days, invoice on day 14 (R4)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.ship_replacement(
        actor=user,
        rma=rma,
        shipped_at=payload.shipped_at,
        part_identified_at=payload.part_identified_at,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/tracking", response=RmaOut)
def record_tracking(request: HttpRequest, number: PathId, payload: TrackingIn) -> dict[str, Any]:
    """Record or correct the carrier and tracking number of the shipment to the customer
    (`to_customer`, once it shipped) or of the return label (`return`, once it is issued)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.record_tracking(
        actor=user,
        rma=rma,
        direction=payload.direction,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/identify-part", response=RmaOut)
def identify_part(request: HttpRequest, number: PathId, payload: IdentifyIn) -> dict[str, Any]:
    """Record when the part to ship was identified: the promised dates follow (N1-N3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.identify_part(actor=user, rma=rma, identified_at=payload.identified_at)
    return _fresh(user, rma)


@router.post("/rmas/{number}/ship-back", response=RmaOut)
def ship_back(request: HttpRequest, number: PathId, payload: ShipBackIn) -> dict[str, Any]:
    """Ship the repaired or replacement system back (R7), prepaid in the continental US (R8)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.ship_back(
        actor=user,
        rma=rma,
        shipped_at=payload.shipped_at,
        part_identified_at=payload.part_identified_at,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/delivered", response=RmaOut)
def record_delivery(request: HttpRequest, number: PathId, payload: DeliveredIn) -> dict[str, Any]:
    """Record the shipment's delivery; a delivery after the promised date is flagged (N1-N3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.record_delivery(actor=user, rma=rma, delivered_at=payload.delivered_at)
    return _fresh(user, rma)


@router.post("/rmas/{number}/receive", response=RmaOut)
def receive_return(request: HttpRequest, number: PathId, payload: ReceiveIn) -> dict[str, Any]:
    """Book a package in at receiving (clerk); flags come from the scanned label (R3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.receive_return(
        actor=user,
        label_rma_number=payload.label_rma_number,
        received_at=payload.received_at or clock.now(),
        expected=rma,
        manuals=payload.manuals,
        media=payload.media,
        documentation=payload.documentation,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/contents", response=RmaOut)
def record_return_contents(
    request: HttpRequest, number: PathId, payload: ContentsIn
) -> dict[str, Any]:
    """A clerk records again what came back in a money-back return's box (F3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.record_return_contents(
        actor=user,
        rma=rma,
        manuals=payload.manuals,
        media=payload.media,
        documentation=payload.documentation,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/accept-missing-contents", response=RmaOut)
def accept_missing_contents(
    request: HttpRequest, number: PathId, payload: ReasonIn
) -> dict[str, Any]:
    """An agent refunds a money-back return missing manuals, media or documentation, with a
    reason (F3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.accept_missing_contents(actor=user, rma=rma, reason=payload.reason)
    return _fresh(user, rma)


@router.post("/rmas/{number}/accept", response=RmaOut)
def accept_return(request: HttpRequest, number: PathId, payload: ReasonIn) -> dict[str, Any]:
    """A clerk accepts a flagged package, with a reason (R3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.accept_return(actor=user, rma=rma, reason=payload.reason)
    return _fresh(user, rma)


@router.post("/rmas/{number}/reject", response=RmaOut)
def reject_return(request: HttpRequest, number: PathId, payload: ReasonIn) -> dict[str, Any]:
    """A clerk rejects a flagged package, with a reason (R3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.reject_return(actor=user, rma=rma, reason=payload.reason)
    return _fresh(user, rma)


@router.post("/rmas/{number}/inspect", response=RmaOut)
def inspect_return(request: HttpRequest, number: PathId, payload: InspectIn) -> dict[str, Any]:
    user = user_of(request)
    rma = rma_for(user, number)
    services.inspect_return(actor=user, rma=rma, notes=payload.notes, at=payload.at)
    return _fresh(user, rma)


@router.post("/rmas/{number}/decide", response=RmaOut)
def decide_rma(request: HttpRequest, number: PathId, payload: DecideIn) -> dict[str, Any]:
    """Repair or replace, refurbished or not (R7); freight outside the continental US (R8)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.decide_rma(
        actor=user,
        rma=rma,
        decision=payload.decision,
        refurbished=payload.refurbished,
        freight_arrangement=payload.freight_arrangement,
    )
    return _fresh(user, rma)


@router.post("/rmas/{number}/waive-restocking-fee", response=RmaOut)
def waive_restocking_fee(request: HttpRequest, number: PathId, payload: ReasonIn) -> dict[str, Any]:
    """An agent waives a money-back return's 20% restocking fee, with a reason (F3)."""
    user = user_of(request)
    rma = rma_for(user, number)
    services.waive_restocking_fee(actor=user, rma=rma, reason=payload.reason)
    return _fresh(user, rma)
