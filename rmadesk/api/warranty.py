"""Warranty decisions: a claim denied naming W2's cause (a ticket or an RMA), and billable
repair quotes for assets out of warranty (R9).

Staff deny a claim (`POST /tickets/{number}/deny-warranty`, `POST /rmas/{number}/deny`) with a
`cause` (`acts_of_god`, `war_or_terrorism`, `customer_negligence`) and an `explanation`; any
other cause is refused naming the field `cause` and rule W2. Staff record a repair quote on a
ticket (`POST /tickets/{number}/repair-quotes`); the ticket's customer accepts or declines it
once (`.../repair-quotes/{id}/accept`, `.../decline`): accepted, it becomes an invoice (F1) and
the ticket's RMA may open although the warranty ended (R9). Another customer's quote is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Status
from pydantic import Field

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import LONG_TEXT, non_blank, one_of
from rmadesk.api.rmas import RmaOut
from rmadesk.api.rmas import _fresh as rma_answer
from rmadesk.api.schemas import Amount, Currency, Day, In, Instant, Out
from rmadesk.api.tickets import MAX_ID, TicketNumber, TicketOut
from rmadesk.api.tickets import _fresh as ticket_answer
from rmadesk.billing.services import accept_repair_quote
from rmadesk.rmas import services as rma_services
from rmadesk.rmas.models import RepairQuote
from rmadesk.rmas.selectors import rma_for
from rmadesk.rmas.warranty import quote_for, ticket_quotes, warranty_status
from rmadesk.tickets import services as ticket_services
from rmadesk.tickets.choices import WarrantyDenialCause
from rmadesk.tickets.selectors import ticket_for

router = Router(tags=["warranty"])
QuoteId = Annotated[int, Path(ge=1, le=MAX_ID)]


Explanation = Annotated[str, Field(max_length=LONG_TEXT), non_blank()]


class DenyIn(In):
    cause: Annotated[str, one_of(WarrantyDenialCause.values)]  # one of W2's causes
    explanation: Explanation
    at: Instant | None = None  # staff only


class QuoteIn(In):
    amount: Amount
    currency: Currency | None = None  # default: the asset's currency
    description: Explanation
    valid_until: Day | None = None  # the last day the customer may accept it


class QuoteOut(Out):
    id: int
    ticket: int
    amount: Amount
    currency: str
    description: str
    valid_until: dt.date | None
    status: str
    recorded_at: dt.datetime
    answered_at: dt.datetime | None
    invoice: str | None
    warranty_ends_on: dt.date | None
    rules: list[str]


def _quote_out(quote: RepairQuote) -> dict[str, Any]:
    invoice = getattr(quote, "invoice", None) if quote.status == "accepted" else None
    asset = quote.ticket.asset
    return {
        "id": quote.pk,
        "ticket": quote.ticket.number,
        "amount": quote.amount,
        "currency": quote.currency,
        "description": quote.description,
        "valid_until": quote.valid_until,
        "status": quote.status,
        "recorded_at": quote.recorded_at,
        "answered_at": quote.answered_at,
        "invoice": invoice.number if invoice is not None else None,
        "warranty_ends_on": warranty_status(asset, quote.recorded_at).ends_on if asset else None,
        "rules": ["R9", "W1", "F1"],
    }


def _fresh_quote(user: Any, number: int, quote_id: int) -> dict[str, Any]:
    ticket = ticket_for(user, number)
    return _quote_out(quote_for(user, ticket, quote_id))


@router.post("/tickets/{number}/deny-warranty", response=TicketOut)
def deny_warranty(request: HttpRequest, payload: DenyIn, number: TicketNumber) -> object:
    """Close the ticket as a denied warranty claim naming W2's cause (staff)."""
    user = user_of(request)
    ticket = ticket_for(user, number)
    ticket_services.deny_warranty_claim(
        actor=user,
        ticket=ticket,
        cause=payload.cause,
        explanation=payload.explanation,
        at=payload.at,
    )
    return ticket_answer(user, number)


@router.post("/rmas/{number}/deny", response=RmaOut)
def deny_rma(request: HttpRequest, payload: DenyIn, number: TicketNumber) -> dict[str, Any]:
    """Deny the RMA's warranty claim naming W2's cause, before or after inspection (staff)."""
    user = user_of(request)
    rma = rma_for(user, number)
    rma_services.deny_rma(
        actor=user, rma=rma, cause=payload.cause, explanation=payload.explanation, at=payload.at
    )
    return rma_answer(user, rma)


@router.get("/tickets/{number}/repair-quotes", response=list[QuoteOut])
def list_quotes(request: HttpRequest, number: TicketNumber) -> list[dict[str, Any]]:
    """The ticket's repair quotes, newest first (R9)."""
    user = user_of(request)
    ticket = ticket_for(user, number)
    return [_quote_out(quote) for quote in ticket_quotes(user, ticket).select_related("ticket")]


@router.post("/tickets/{number}/repair-quotes", response={201: QuoteOut})
def record_quote(request: HttpRequest, payload: QuoteIn, number: TicketNumber) -> Status[object]:
    """Record a billable repair quote on the ticket and mail it to the customer (staff, R9)."""
    user = user_of(request)
    ticket = ticket_for(user, number)
    quote = rma_services.record_repair_quote(
        actor=user,
        ticket=ticket,
        amount=payload.amount,
        currency=payload.currency,
        description=payload.description,
        valid_until=payload.valid_until,
    )
    return Status(201, _fresh_quote(user, number, quote.pk))


@router.post("/tickets/{number}/repair-quotes/{quote_id}/accept", response=QuoteOut)
def accept_quote(request: HttpRequest, number: TicketNumber, quote_id: QuoteId) -> object:
    """The ticket's customer accepts the quote, once: it becomes an invoice (R9, F1)."""
    user = user_of(request)
    quote = quote_for(user, ticket_for(user, number), quote_id)
    accept_repair_quote(actor=user, quote=quote)
    return _fresh_quote(user, number, quote_id)


@router.post("/tickets/{number}/repair-quotes/{quote_id}/decline", response=QuoteOut)
def decline_quote(request: HttpRequest, number: TicketNumber, quote_id: QuoteId) -> object:
    """The ticket's customer declines the quote, once: no RMA opens out of warranty (R9)."""
    user = user_of(request)
    quote = quote_for(user, ticket_for(user, number), quote_id)
    rma_services.decline_repair_quote(actor=user, quote=quote)
    return _fresh_quote(user, number, quote_id)
