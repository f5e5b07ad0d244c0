"""Reads for RMAs, limited to what the user may see, and what an RMA still needs (R6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rmadesk.core.errors import Conflict, NotFound
from rmadesk.core.permissions import Actor, customer_scope
from rmadesk.core.policies import active_policy
from rmadesk.core.wording import needs_text
from rmadesk.policy import sentences as S
from rmadesk.policy.addresses import return_shipping
from rmadesk.policy.carriers import carrier_title, tracking_url
from rmadesk.policy.rma import rma_dates
from rmadesk.policy.sentences import cited
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma, Shipment

# R6: every return needs the data backup and the removable media taken out before its label; a
# whole-system return also its packaging and insurance. An advance exchange returns a component,
# so packaging and insurance are not asked for.
WHOLE_SYSTEM_CONFIRMATIONS = (
    "data_backed_up",
    "removable_media_removed",
    "original_packaging",
    "insured",
)
COMPONENT_CONFIRMATIONS = ("data_backed_up", "removable_media_removed")
# R6: shown wherever a return is prepared (portal, console, label mail, the label itself).
NO_LIABILITY_NOTICE = _(
    "The vendor takes no liability for lost data or software: back up your data and remove "
    "any removable media (USB drives, SD cards, disks that are not part of the return) before "
    "you ship."
)


# F3: what the clerk checks in a money-back return's box, by the policy core's names.
CONTENT_FIELDS = {
    "manuals": "returned_manuals",
    "media": "returned_media",
    "documentation": "returned_documentation",
}


def returned_contents(rma: Rma) -> dict[str, bool] | None:
    """What came back in a money-back return's box (F3), or None while not checked."""
    found = {name: getattr(rma, field) for name, field in CONTENT_FIELDS.items()}
    if any(value is None for value in found.values()):
        return None
    return {name: bool(value) for name, value in found.items()}


def visible_rmas(user: Actor) -> QuerySet[Rma]:
    """Every RMA for staff; a customer's contact sees its own customer's RMAs only."""
    scope = customer_scope(user)
    rmas = Rma.objects.select_related(
        "ticket", "ticket__customer", "ticket__asset", "ticket__asset__model", "shipment"
    ).prefetch_related("items")
    return rmas if scope is None else rmas.filter(ticket__customer_id=scope)


def rma_for(user: Actor, number: int) -> Rma:
    """The RMA with this number if the user may see it; otherwise 404, the same as missing."""
    rma = visible_rmas(user).filter(number=number).first()
    if rma is None:
        raise NotFound(f"no RMA {number}", field="number")
    return rma


def shipment_of(rma: Rma) -> Shipment | None:
    """What the vendor ships to the customer on this RMA, if a part was identified (N1-N3)."""
    try:
        return rma.shipment
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class Tracking:
    """Who carries a package and its tracking number; `url` the carrier's tracking page for it
    (None when the policy file gives the carrier none)."""

    carrier: str
    carrier_title: str
    number: str
    url: str | None


def _tracking(carrier: str, number: str) -> Tracking | None:
    if not carrier or not number:
        return None
    carriers = active_policy().document.carriers
    return Tracking(
        carrier=carrier,
        carrier_title=carrier_title(carriers, carrier),
        number=number,
        url=tracking_url(carriers, carrier, number),
    )


def shipment_tracking(rma: Rma) -> Tracking | None:
    """The carrier and tracking number of what ships to the customer (R4, R7), if recorded."""
    shipment = shipment_of(rma)
    return None if shipment is None else _tracking(shipment.carrier, shipment.tracking_number)


def return_tracking(rma: Rma) -> Tracking | None:
    """The return label's carrier and tracking number (R2), if recorded."""
    return _tracking(rma.return_carrier, rma.return_tracking_number)


def required_confirmations(kind: str) -> tuple[str, ...]:
    """What the customer confirms before a label is issued for this kind of RMA (R6)."""
    if kind == RmaKind.ADVANCE_EXCHANGE:
        return COMPONENT_CONFIRMATIONS
    return WHOLE_SYSTEM_CONFIRMATIONS


def missing_confirmations(rma: Rma) -> list[str]:
    """The R6 confirmations still missing before this RMA's label may be issued."""
    return [name for name in required_confirmations(rma.kind) if not getattr(rma, name)]


def rma_explanation(rma: Rma) -> tuple[str, ...]:
    """Why the RMA's dates are what they are (R1, R4), and what R6 still asks for."""
    dates = rma_dates(
        active_policy(), issued=rma.issued_at, replacement_shipped=rma.replacement_shipped_at
    )
    explain = list(dates.explain)
    missing = missing_confirmations(rma)
    if rma.label_issued_at is None:
        if missing:
            label_after = S.LABEL_AFTER_CONFIRMATIONS(needs=needs_text(missing))
            explain.append(cited(label_after, "rule R6"))
        else:
            explain.append(cited(S.CONFIRMATIONS_COMPLETE(), "R6"))
    if rma.receipt_flags:
        explain.append(
            f"Flagged at receiving ({', '.join(rma.receipt_flags)}): a clerk rejects the package "
            f"or accepts it with a recorded reason (rule R3)."
        )
    if rma.refund_explanation:
        explain.extend(rma.refund_explanation.splitlines())
    if rma.kind == RmaKind.REPAIR:
        customer = rma.ticket.customer
        explain.append(return_shipping(customer.country, customer.region).explain)
    shipment = shipment_of(rma)
    if shipment is not None:
        explain.append(shipment.promise_explanation)
        explain.extend(S.PROMISE_MISSED(miss=miss) for miss in shipment.promise_misses)
    return tuple(explain)


def rma_with_label(user: Actor, number: int) -> Rma:
    """The RMA whose return label the user may print (R2); refused until it is issued (R6)."""
    rma = rma_for(user, number)
    if rma.label_issued_at is None:
        missing = missing_confirmations(rma)
        if missing:
            message = (
                f"no label yet: the customer confirms {', '.join(missing)} first, then the "
                f"label is issued (rule R6)"
            )
        else:
            message = "no label yet: the label is issued after the R6 confirmations (rule R6)"
        raise Conflict(message, rule="R6", field=missing[0] if missing else None)
    return rma
