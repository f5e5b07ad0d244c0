"""What happens to an RMA, as typed domain events (rmadesk.core.events).

The RMA number is the ticket number (P3), so every event carries the ticket's facts (who hears
about it, its mail thread) beside the RMA's own: kind, dates, items and R6 confirmations, as
they stand after the change. Billing subscribes to the arrival of a part (R4: the day-14
invoice is credited); the mail app to the events the customer is told about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from rmadesk.core.events import DomainEvent
from rmadesk.rmas.models import RepairQuote, Rma, RmaItem
from rmadesk.rmas.selectors import (
    Tracking,
    missing_confirmations,
    required_confirmations,
    return_tracking,
    shipment_of,
    shipment_tracking,
)
from rmadesk.tickets.events import TicketFacts


@dataclass(frozen=True)
class ItemFacts:
    part: str
    serial: str
    unit_price: Decimal
    currency: str


@dataclass(frozen=True)
class RmaFacts:
    number: int
    kind: str
    status: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    label_issued_at: dt.datetime | None
    replacement_shipped_at: dt.datetime | None
    label_expires_at: dt.datetime | None
    invoice_at: dt.datetime | None
    items: tuple[ItemFacts, ...]
    required_confirmations: tuple[str, ...]
    missing_confirmations: tuple[str, ...]
    # N1-N3: what was promised for the shipment to the customer, if a part was identified.
    promised_delivery_on: dt.date | None = None
    promise_explanation: str = ""
    # Who carries the shipment to the customer and the return, with the tracking pages.
    shipment_tracking: Tracking | None = None
    return_tracking: Tracking | None = None

    @classmethod
    def of(cls, rma: Rma, items: Iterable[RmaItem] | None = None) -> RmaFacts:
        """The facts of an RMA; `items` spares reading back the items just written."""
        shipment = shipment_of(rma)
        return cls(
            number=rma.number,
            kind=rma.kind,
            status=rma.status,
            issued_at=rma.issued_at,
            expires_at=rma.expires_at,
            label_issued_at=rma.label_issued_at,
            replacement_shipped_at=rma.replacement_shipped_at,
            label_expires_at=rma.label_expires_at,
            invoice_at=rma.invoice_at,
            items=tuple(
                ItemFacts(
                    part=item.part,
                    serial=item.serial,
                    unit_price=item.unit_price,
                    currency=item.currency,
                )
                for item in (rma.items.all() if items is None else items)
            ),
            required_confirmations=required_confirmations(rma.kind),
            missing_confirmations=tuple(missing_confirmations(rma)),
            promised_delivery_on=shipment.promised_delivery_on if shipment else None,
            promise_explanation=shipment.promise_explanation if shipment else "",
            shipment_tracking=shipment_tracking(rma),
            return_tracking=return_tracking(rma),
        )


@dataclass(frozen=True, kw_only=True)
class RmaEvent(DomainEvent):
    ticket: TicketFacts
    rma: RmaFacts

    @classmethod
    def of(cls, rma: Rma, items: Iterable[RmaItem] | None = None, **facts: Any) -> Self:
        """The event for an RMA whose ticket and customer are loaded (`lock_rma` loads them)."""
        return cls(ticket=TicketFacts.of(rma.ticket), rma=RmaFacts.of(rma, items), **facts)


@dataclass(frozen=True, kw_only=True)
class RmaOpened(RmaEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ConfirmationsRecorded(RmaEvent):
    is_complete: bool


@dataclass(frozen=True, kw_only=True)
class LabelIssued(RmaEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ReplacementShipped(RmaEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class PartReceived(RmaEvent):
    """A return arrived and counts as received (unflagged, or accepted by a clerk, R3).

    `received_by_id` is the clerk who booked or accepted it: a credit note it causes (R4) is
    recorded as theirs.
    """

    received_at: dt.datetime
    received_by_id: int | None


@dataclass(frozen=True, kw_only=True)
class ReturnFlagged(RmaEvent):
    flags: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ReturnRejected(RmaEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class RmaDecided(RmaEvent):
    decision: str


@dataclass(frozen=True, kw_only=True)
class RmaExpired(RmaEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class LabelExpired(RmaEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class LabelExpiring(RmaEvent):
    """Reminder (R4, day 8): the prepaid return label lapses in two days."""


@dataclass(frozen=True, kw_only=True)
class PartNotReturned(RmaEvent):
    """Reminder (R4, day 12): the unreturned part is invoiced in two days."""


@dataclass(frozen=True, kw_only=True)
class RmaDenied(RmaEvent):
    """The warranty claim of an RMA is denied naming W2's cause (`cause`, a key)."""

    cause: str
    cause_words: str
    explanation: str


@dataclass(frozen=True)
class QuoteFacts:
    id: int
    amount: Decimal
    currency: str
    description: str
    valid_until: dt.date | None
    status: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, quote: RepairQuote) -> QuoteFacts:
        return cls(
            id=quote.pk,
            amount=quote.amount,
            currency=quote.currency,
            description=quote.description,
            valid_until=quote.valid_until,
            status=quote.status,
            recorded_at=quote.recorded_at,
        )


@dataclass(frozen=True, kw_only=True)
class RepairQuoteEvent(DomainEvent):
    """A billable repair quote on a ticket (R9), with the ticket's facts (who hears of it)."""

    ticket: TicketFacts
    quote: QuoteFacts
    serial: str
    warranty_ended_on: dt.date | None

    @classmethod
    def of(
        cls, quote: RepairQuote, *, warranty_ended_on: dt.date | None = None, **facts: Any
    ) -> Self:
        """The event for a quote whose ticket, customer and asset are loaded."""
        asset = quote.ticket.asset
        return cls(
            ticket=TicketFacts.of(quote.ticket),
            quote=QuoteFacts.of(quote),
            serial=asset.serial if asset is not None else "",
            warranty_ended_on=warranty_ended_on,
            **facts,
        )


@dataclass(frozen=True, kw_only=True)
class RepairQuoteRecorded(RepairQuoteEvent):
    """An agent recorded a quote: the customer is asked to accept or decline it."""


@dataclass(frozen=True, kw_only=True)
class RepairQuoteAnswered(RepairQuoteEvent):
    """The customer accepted (`invoice` names the invoice it became) or declined the quote."""

    accepted: bool
    answered_by_id: int | None
    invoice: str = ""
