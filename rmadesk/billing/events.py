"""What happens to an invoice, as typed domain events (rmadesk.core.events).

Each carries the invoice as it stands after the change (`InvoiceFacts`: its lines and totals),
the customer it bills and, for an invoice that bills an RMA, the ticket's facts (whose requester
hears about it, in the ticket's mail thread).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rmadesk.billing.models import Invoice, InvoiceLine
from rmadesk.billing.totals import Totals
from rmadesk.core.events import DomainEvent
from rmadesk.tickets.events import CustomerFacts, TicketFacts


@dataclass(frozen=True)
class LineFacts:
    kind: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class InvoiceFacts:
    number: str
    kind: str
    currency: str
    issued_at: dt.datetime
    due_on: dt.date
    payment_terms_days: int
    rma_number: int | None
    lines: tuple[LineFacts, ...]
    principal: Decimal
    late_fees: Decimal
    credits: Decimal
    payments: Decimal

    @classmethod
    def of(cls, invoice: Invoice, *, lines: Iterable[InvoiceLine], totals: Totals) -> InvoiceFacts:
        return cls(
            number=invoice.number,
            kind=invoice.kind,
            currency=invoice.currency,
            issued_at=invoice.issued_at,
            due_on=invoice.due_on,
            payment_terms_days=invoice.customer.payment_terms_days,
            rma_number=invoice.rma.number if invoice.rma is not None else None,
            lines=tuple(
                LineFacts(kind=line.kind, description=line.description, amount=line.amount)
                for line in lines
            ),
            principal=totals.principal,
            late_fees=totals.late_fees,
            credits=totals.credits,
            payments=totals.payments,
        )

    @property
    def amount(self) -> Decimal:
        return self.principal + self.late_fees

    @property
    def balance(self) -> Decimal:
        return self.principal + self.late_fees - self.credits - self.payments


@dataclass(frozen=True, kw_only=True)
class InvoiceEvent(DomainEvent):
    invoice: InvoiceFacts
    customer: CustomerFacts
    ticket: TicketFacts | None


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(InvoiceEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class LateFeeAccrued(InvoiceEvent):
    months: tuple[int, ...]
    amounts: tuple[Decimal, ...]


@dataclass(frozen=True, kw_only=True)
class LateFeeCorrected(InvoiceEvent):
    """Late fees already charged were recomputed after a payment recorded late (F2): `amount`
    below zero was credited (`credit_note`), above zero added as a line."""

    amount: Decimal
    months: tuple[int, ...]
    credit_note: str | None


@dataclass(frozen=True, kw_only=True)
class CreditNoteIssued(InvoiceEvent):
    credit_note: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class PaymentRecorded(InvoiceEvent):
    amount: Decimal
