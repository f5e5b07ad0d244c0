"""Invoices, payments and credit notes (F1, F2, F4, R4), and on-site appointments (W3, W5).

Customers' contacts read their own customer's invoices only: another customer's invoice answers
404, like a missing one, and `GET /invoices?customer=<another id>` answers an empty list (the
filter narrows what the token may see; it never widens it). Payments and credit notes are for
the finance role.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, PlainSerializer

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import LONG_TEXT, length_of, non_blank
from rmadesk.api.schemas import Amount, In, Instant, Out
from rmadesk.billing import services as billing_services
from rmadesk.billing.models import CreditNote, Invoice, Payment
from rmadesk.billing.pdfs import (
    credit_note_filename,
    credit_note_pdf,
    invoice_filename,
    invoice_pdf,
)
from rmadesk.billing.selectors import (
    credit_note_for,
    invoice_for,
    invoice_status,
    invoice_totals,
    vendor_today,
    visible_invoices,
    with_totals,
)
from rmadesk.onsite import services as onsite_services
from rmadesk.tickets.selectors import ticket_for

router = Router(tags=["billing and on-site"])

# Ids and ticket numbers are 64-bit in the database: a larger number is a 4xx, never a 500.
MAX_ID = 2**63 - 1

# An invoice's number, as in the path (INV-000123): no longer than the column.
InvoiceNumber = Annotated[str, Path(max_length=length_of(Invoice, "number"))]
CreditNoteNumber = Annotated[str, Path(max_length=length_of(CreditNote, "number"))]

# Output money: a decimal string like Amount, but a balance may go below zero (a credit note
# voiding an invoice that was partly paid leaves money owed to the customer).
Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]


class InvoiceOut(Out):
    number: InvoiceNumber
    kind: str
    amount: Money = Field(description="principal plus late fees")
    principal: Money
    late_fees: Money
    credits: Money
    payments: Money
    balance: Money = Field(description="amount less credit notes and payments")
    currency: str
    issued_at: dt.datetime
    due_on: dt.date
    status: str = Field(description="open | paid | overdue | credited")
    rma: int | None


class LineOut(Out):
    kind: str
    description: str
    amount: Money
    late_fee_month: int | None
    added_at: dt.datetime


class CreditNoteOut(Out):
    number: InvoiceNumber
    invoice: str
    kind: str = Field(
        description="credit | late_fee_correction (a payment recorded late lowered a late fee, F2)"
    )
    amount: Money
    reason: str
    issued_at: dt.datetime


class PaymentOut(Out):
    invoice: str
    amount: Money
    received_at: dt.datetime
    reference: str


class InvoiceDetailOut(InvoiceOut):
    customer: int
    lines: list[LineOut]
    credit_notes: list[CreditNoteOut]
    payments_received: list[PaymentOut]


class PaymentIn(In):
    amount: Amount
    received_at: Instant | None = Field(
        None,
        description=(
            "when the money was received (default now): never in the future (T1), never before "
            "the invoice's issue date (F2); late fees follow this date"
        ),
    )
    reference: Annotated[str, Field(max_length=length_of(Payment, "reference"))] = ""


class PaymentRecordedOut(PaymentOut):
    status: str
    balance: Money


class CreditNoteIn(In):
    amount: Amount
    reason: Annotated[str, Field(max_length=LONG_TEXT), non_blank()]


class CreditNoteIssuedOut(CreditNoteOut):
    status: str
    balance: Money


class InvoiceFilters(Schema):
    customer: int | None = Field(None, ge=1, le=MAX_ID)


class AppointmentIn(In):
    ticket: int = Field(ge=1, le=MAX_ID)
    starts_at: Instant


class AppointmentOut(Out):
    id: int
    ticket: int
    starts_at: dt.datetime
    requested_at: dt.datetime
    status: str
    onsite: str


def _summary(invoice: Invoice, today: dt.date) -> dict[str, Any]:
    totals = invoice_totals(invoice)
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "amount": totals.amount,
        "principal": totals.principal,
        "late_fees": totals.late_fees,
        "credits": totals.credits,
        "payments": totals.payments,
        "balance": totals.balance,
        "currency": invoice.currency,
        "issued_at": invoice.issued_at,
        "due_on": invoice.due_on,
        "status": invoice_status(invoice, today),
        "rma": invoice.rma.number if invoice.rma is not None else None,
    }


def _detail(invoice: Invoice) -> dict[str, Any]:
    return {
        **_summary(invoice, vendor_today()),
        "customer": invoice.customer_id,
        "lines": list(invoice.lines.all()),
        "credit_notes": [
            {**_credit_note(note), "invoice": invoice.number} for note in invoice.credit_notes.all()
        ],
        "payments_received": [
            {
                "invoice": invoice.number,
                "amount": p.amount,
                "received_at": p.received_at,
                "reference": p.reference,
            }
            for p in invoice.payments.all()
        ],
    }


def _credit_note(note: Any) -> dict[str, Any]:
    return {
        "number": note.number,
        "kind": note.kind,
        "amount": note.amount,
        "reason": note.reason,
        "issued_at": note.issued_at,
    }


@router.get("/invoices", response=list[InvoiceOut])
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> list[dict[str, Any]]:
    """Invoices the token may see, newest first; `customer` narrows to one customer's.

    A customer's contact passing another customer's id gets an empty list.
    """
    invoices = with_totals(visible_invoices(user_of(request)))
    if filters.customer is not None:
        invoices = invoices.filter(customer_id=filters.customer)
    today = vendor_today()
    return [_summary(invoice, today) for invoice in invoices]


@router.get("/invoices/{number}", response=InvoiceDetailOut)
def get_invoice(request: HttpRequest, number: InvoiceNumber) -> dict[str, Any]:
    return _detail(invoice_for(user_of(request), number))


@router.get(
    "/invoices/{number}/invoice.pdf",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "the invoice as a PDF: lines, payments, credit notes, amount due",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_invoice_pdf(request: HttpRequest, number: InvoiceNumber) -> HttpResponse:
    """The invoice as a PDF; another customer's invoice is 404, like a missing one."""
    invoice = invoice_for(user_of(request), number)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice_filename(invoice)}"'
    return response


@router.get(
    "/credit-notes/{number}/credit-note.pdf",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "the credit note as a PDF: both parties, the invoice it credits",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_credit_note_pdf(request: HttpRequest, number: CreditNoteNumber) -> HttpResponse:
    """A credit note as a PDF; one on another customer's invoice is 404, like a missing one."""
    note = credit_note_for(user_of(request), number)
    response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{credit_note_filename(note)}"'
    return response


@router.post("/invoices/{number}/payments", response={201: PaymentRecordedOut})
def record_payment(
    request: HttpRequest, number: InvoiceNumber, payload: PaymentIn
) -> Status[object]:
    """Record a payment (finance); it may not exceed the balance, and settling it marks it paid.

    A payment received before the end of a month whose late fee is already charged lowers that
    fee: the invoice gets a late-fee correction credit note (F2)."""
    user = user_of(request)
    invoice = invoice_for(user, number)
    payment = billing_services.record_payment(
        actor=user,
        invoice=invoice,
        amount=payload.amount,
        received_at=payload.received_at,
        reference=payload.reference,
    )
    after = invoice_for(user, number)
    return Status(
        201,
        {
            "invoice": after.number,
            "amount": payment.amount,
            "received_at": payment.received_at.astimezone(dt.UTC),
            "reference": payment.reference,
            "status": invoice_status(after, vendor_today()),
            "balance": invoice_totals(after).balance,
        },
    )


@router.post("/invoices/{number}/credit-notes", response={201: CreditNoteIssuedOut})
def issue_credit_note(
    request: HttpRequest, number: InvoiceNumber, payload: CreditNoteIn
) -> Status[object]:
    """Credit part or all of an invoice's balance (finance); all of it marks it credited."""
    user = user_of(request)
    invoice = invoice_for(user, number)
    note = billing_services.issue_credit_note(
        actor=user, invoice=invoice, amount=payload.amount, reason=payload.reason
    )
    after = invoice_for(user, number)
    return Status(
        201,
        {
            **_credit_note(note),
            "invoice": after.number,
            "status": invoice_status(after, vendor_today()),
            "balance": invoice_totals(after).balance,
        },
    )


@router.post("/appointments", response={201: AppointmentOut})
def book_appointment(request: HttpRequest, payload: AppointmentIn) -> Status[object]:
    """Book an on-site visit on a ticket: its asset needs an on-site option (W3), and the
    start must be at least 48 hours away (W5); refusals answer 400 naming the rule."""
    user = user_of(request)
    ticket = ticket_for(user, payload.ticket)
    appointment = onsite_services.book_appointment(
        actor=user, ticket=ticket, starts_at=payload.starts_at
    )
    return Status(
        201,
        {
            "id": appointment.pk,
            "ticket": ticket.number,
            "starts_at": appointment.starts_at,
            "requested_at": appointment.requested_at,
            "status": appointment.status,
            "onsite": ticket.asset.onsite if ticket.asset is not None else "none",
        },
    )
