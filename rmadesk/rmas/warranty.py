"""Reads for R9: whether an asset is still under warranty (W1), and a ticket's repair quotes.

The warranty's end comes from the policy core (`warranty_terms`), computed on the vendor's
calendar date of the instant asked about: the warranty covers its last day whole (W1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from rmadesk.assets.models import Asset
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, customer_scope
from rmadesk.core.policies import active_policy
from rmadesk.policy.warranty import warranty_terms
from rmadesk.rmas.choices import QuoteStatus
from rmadesk.rmas.models import RepairQuote
from rmadesk.tickets.models import Ticket


@dataclass(frozen=True)
class WarrantyStatus:
    """An asset's warranty on one day (W1): its last covered day and whether it covers `on`."""

    serial: str
    ends_on: dt.date
    on: dt.date
    is_covered: bool


def warranty_status(asset: Asset, at: dt.datetime) -> WarrantyStatus:
    """Whether `asset` is under warranty at the instant `at` (W1), on the vendor's date."""
    policy = active_policy()
    terms = warranty_terms(
        policy,
        shipped_on=asset.shipped_on,
        years=asset.warranty_years,
        extended_to_years=asset.extended_to_years,
    )
    on = at.astimezone(policy.vendor_zone).date()
    return WarrantyStatus(
        serial=asset.serial,
        ends_on=terms.warranty_ends_on,
        on=on,
        is_covered=on <= terms.warranty_ends_on,
    )


def ticket_quotes(user: Actor, ticket: Ticket) -> QuerySet[RepairQuote]:
    """The repair quotes of a ticket the user may see (a customer: its own tickets' only)."""
    scope = customer_scope(user)
    quotes = RepairQuote.objects.filter(ticket=ticket).select_related("invoice")
    return quotes if scope is None else quotes.filter(ticket__customer_id=scope)


def quote_for(user: Actor, ticket: Ticket, quote_id: int) -> RepairQuote:
    """One quote of the ticket, if the user may see it; otherwise 404, the same as missing."""
    found = ticket_quotes(user, ticket).filter(pk=quote_id).first()
    if found is None:
        raise NotFound(f"no repair quote {quote_id} on ticket {ticket.number}", field="quote")
    return found


def accepted_quote(ticket: Ticket) -> RepairQuote | None:
    """The ticket's accepted repair quote, which lets its RMA open out of warranty (R9)."""
    return RepairQuote.objects.filter(ticket=ticket, status=QuoteStatus.ACCEPTED).first()
