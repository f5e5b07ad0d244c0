"""Billable repair quotes for assets out of warranty (R9): an agent records one on the ticket,
the ticket's customer accepts or declines it once.

Accepting turns the quote into an invoice, so it lives in billing
(`rmadesk.billing.services.quotes.accept_repair_quote`); what both answers share is here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rmadesk.core.choices import Role
from rmadesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from rmadesk.core.locking import copy_back, lock
from rmadesk.core.permissions import Actor, customer_scope, instant_for, role_of, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.rmas.choices import QuoteStatus
from rmadesk.rmas.events import RepairQuoteAnswered, RepairQuoteRecorded
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.rmas.permissions import require_rma_staff
from rmadesk.rmas.services.common import CENT, MAX_PRICE
from rmadesk.rmas.warranty import warranty_status
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket

CURRENCY_LENGTH = 3


def quote_amount(value: Any) -> Decimal:
    """A quote's amount: a decimal exact to the cent, more than zero, never a float (F4)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidInput(
            'amount is a decimal such as "1250.00", never a float (rule F4)',
            rule="F4",
            field="amount",
        )
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount", rule="F4", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("a quote's amount is more than zero", rule="F4", field="amount")
    if amount != amount.quantize(CENT) or amount > MAX_PRICE:
        raise InvalidInput(
            f"a quote's amount is exact to the cent and at most {MAX_PRICE}, not {value}",
            rule="F4",
            field="amount",
        )
    return amount.quantize(CENT)


def _currency(value: Any, default: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str) or len(value.strip()) != CURRENCY_LENGTH:
        raise InvalidInput(
            "currency is a three-letter code such as USD", rule="F4", field="currency"
        )
    code = value.strip().upper()
    if not code.isalpha() or not code.isascii():
        raise InvalidInput(
            "currency is a three-letter code such as USD", rule="F4", field="currency"
        )
    return code


@transaction.atomic
def record_repair_quote(
    *,
    actor: Actor,
    ticket: Ticket,
    amount: Any,
    description: str,
    currency: str | None = None,
    valid_until: dt.date | None = None,
    at: dt.datetime | None = None,
) -> RepairQuote:
    """An agent records a billable repair quote on an open ticket, for the customer to accept.

    Meant for an asset out of warranty (R9): accepted, it becomes an invoice and the RMA may
    open as a billable repair. One quote is in play per ticket: a new one only after the
    customer declined the last. The currency defaults to the asset's.
    """
    require_rma_staff(actor, "recording a repair quote")
    when = instant_for(actor, at)
    price = quote_amount(amount)
    text = required_text(
        description, "description", max_length=2000, rule="R9", what="what the repair covers"
    )
    if valid_until is not None and not isinstance(valid_until, dt.date):
        raise InvalidInput("valid_until is a date such as 2026-12-31", field="valid_until")
    today = when.astimezone(active_policy().vendor_zone).date()
    if valid_until is not None and valid_until < today:
        raise InvalidInput(
            f"valid_until {valid_until} is in the past (today is {today})", field="valid_until"
        )
    # Lock the ticket: two agents quoting at once queue here, and the second is told.
    locked = lock(Ticket.objects.select_related("customer", "asset", "asset__model"), ticket.pk)
    if locked.status in CLOSED_STATUSES:
        raise Conflict(
            f"ticket {locked.number} is closed: a repair quote is recorded on an open ticket "
            f"(rule R9)",
            rule="R9",
            field="ticket",
        )
    asset = locked.asset
    if asset is None:
        raise Conflict(
            f"ticket {locked.number} names no serial-numbered asset to repair (rule R9)",
            rule="R9",
            field="ticket",
        )
    if Rma.objects.filter(ticket=locked).exists():
        raise Conflict(
            f"ticket {locked.number} already has RMA {locked.number}: a quote comes before the "
            f"RMA (rule R9)",
            rule="R9",
            field="ticket",
        )
    live = RepairQuote.objects.filter(
        ticket=locked, status__in=(QuoteStatus.PENDING, QuoteStatus.ACCEPTED)
    ).first()
    if live is not None:
        raise Conflict(
            f"ticket {locked.number} already has a repair quote {live.get_status_display()}: "
            f"a new one only after the customer declines it (rule R9)",
            rule="R9",
            field="ticket",
        )
    code = _currency(currency, asset.currency)
    try:
        with transaction.atomic():
            quote = RepairQuote.objects.create(
                ticket=locked,
                amount=price,
                currency=code,
                description=text,
                valid_until=valid_until,
                recorded_at=when,
                recorded_by=user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            f"ticket {locked.number} already has a repair quote in play (rule R9)",
            rule="R9",
            field="ticket",
        ) from None
    warranty = warranty_status(asset, when)
    record_event(
        actor=actor,
        verb="ticket.repair_quote_recorded",
        subject_type="ticket",
        subject_id=locked.number,
        ticket_number=locked.number,
        changes={
            "quote": quote.pk,
            "amount": price,
            "currency": code,
            "description": text,
            "valid_until": valid_until,
            "serial": asset.serial,
            "warranty_ends_on": warranty.ends_on,
        },
        rules=("R9", "W1", "F4"),
        note=(
            f"warranty of {asset.serial} ended {warranty.ends_on} (rule W1)"
            if not warranty.is_covered
            else f"{asset.serial} is under warranty until {warranty.ends_on} (rule W1)"
        ),
        at=when,
        event=RepairQuoteRecorded.of(
            quote, warranty_ended_on=None if warranty.is_covered else warranty.ends_on
        ),
    )
    return quote


def require_quote_customer(actor: Actor, quote: RepairQuote) -> None:
    """Only a contact of the ticket's own customer answers its quote; another's: 404."""
    if role_of(actor) != Role.CUSTOMER:
        raise PermissionDenied(
            "the customer accepts or declines a repair quote: staff record a new quote instead",
            rule="R9",
        )
    if customer_scope(actor) != quote.ticket.customer_id:
        raise NotFound(f"no repair quote {quote.pk}", field="quote")


def lock_pending_quote(actor: Actor, quote: RepairQuote) -> RepairQuote:
    """The quote's row (its ticket, customer and asset read along), locked; refused unless the
    actor is its customer and it still waits for an answer (a second answer is told why)."""
    require_quote_customer(actor, quote)
    locked = lock(
        RepairQuote.objects.select_related("ticket", "ticket__customer", "ticket__asset"),
        quote.pk,
    )
    if locked.status != QuoteStatus.PENDING:
        when = (
            _(" on %(day)s") % {"day": locked.answered_at.date().isoformat()}
            if locked.answered_at
            else ""
        )
        raise Conflict(
            _("this repair quote was already %(status)s%(when)s: it is answered once (rule R9)")
            % {"status": locked.status, "when": when},
            rule="R9",
            field="quote",
        )
    if locked.ticket.status in CLOSED_STATUSES:
        raise Conflict(
            _("ticket %(number)s is closed: its quote can no longer be answered (rule R9)")
            % {"number": locked.ticket.number},
            rule="R9",
            field="quote",
        )
    return locked


def answer_quote(
    *,
    actor: Actor,
    locked: RepairQuote,
    quote: RepairQuote,
    accepted: bool,
    at: dt.datetime,
    invoice: str = "",
) -> RepairQuote:
    """Record the customer's answer on the locked quote, its audit event and its event."""
    locked.status = QuoteStatus.ACCEPTED if accepted else QuoteStatus.DECLINED
    locked.answered_at = at
    locked.answered_by = user_or_none(actor)
    locked.save(update_fields=["status", "answered_at", "answered_by"])
    verb = "ticket.repair_quote_accepted" if accepted else "ticket.repair_quote_declined"
    changes: dict[str, Any] = {
        "quote": locked.pk,
        "status": [QuoteStatus.PENDING, locked.status],
        "amount": locked.amount,
        "currency": locked.currency,
    }
    if invoice:
        changes["invoice"] = invoice
    record_event(
        actor=actor,
        verb=verb,
        subject_type="ticket",
        subject_id=locked.ticket.number,
        ticket_number=locked.ticket.number,
        changes=changes,
        rules=("R9", "F1") if accepted else ("R9",),
        note=f"invoice {invoice} issued (rules R9, F1)" if invoice else "",
        at=at,
        event=RepairQuoteAnswered.of(
            locked, accepted=accepted, answered_by_id=locked.answered_by_id, invoice=invoice
        ),
    )
    return copy_back(locked, quote)


@transaction.atomic
def decline_repair_quote(*, actor: Actor, quote: RepairQuote) -> RepairQuote:
    """The customer declines the quote: the asset out of warranty still returns no RMA (R9)."""
    locked = lock_pending_quote(actor, quote)
    return answer_quote(
        actor=actor, locked=locked, quote=quote, accepted=False, at=instant_for(actor, None)
    )
