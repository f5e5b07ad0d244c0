"""Reads for invoices, limited to what the user may see, with their totals and status (F2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from rmadesk.billing.choices import LATE_FEE_KINDS, CreditNoteKind, InvoiceStatus
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from rmadesk.billing.totals import Totals, totals_of
from rmadesk.core import clock
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, customer_scope
from rmadesk.core.policies import active_policy

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def _sum_of(queryset: QuerySet[Any]) -> Coalesce:
    """The sum of `amount` over rows of one invoice, as a correlated subquery (0 when none).

    A subquery per total rather than joins: joining lines, credit notes and payments at once
    would multiply the rows and the sums.
    """
    summed = (
        queryset.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=_MONEY), _ZERO, output_field=_MONEY)


def with_totals(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Invoices annotated with `late_fee_total`, `credit_total`, `late_fee_credit_total` and
    `payment_total`, one query."""
    return invoices.annotate(
        late_fee_total=_sum_of(InvoiceLine.objects.filter(kind__in=LATE_FEE_KINDS)),
        credit_total=_sum_of(CreditNote.objects.all()),
        late_fee_credit_total=_sum_of(
            CreditNote.objects.filter(kind=CreditNoteKind.LATE_FEE_CORRECTION)
        ),
        payment_total=_sum_of(Payment.objects.all()),
    )


def visible_invoices(user: Actor) -> QuerySet[Invoice]:
    """Every invoice for staff; a customer contact's own customer's invoices only."""
    scope = customer_scope(user)
    invoices = Invoice.objects.select_related("rma", "customer")
    return invoices if scope is None else invoices.filter(customer_id=scope)


def invoice_for(user: Actor, number: str) -> Invoice:
    """The invoice with this number if the user may see it; otherwise 404, like a missing one."""
    invoice = with_totals(visible_invoices(user)).filter(number=number.strip().upper()).first()
    if invoice is None:
        raise NotFound(f"no invoice {number}", field="number")
    return invoice


def credit_note_for(user: Actor, number: str) -> CreditNote:
    """The credit note with this number if the user may see its invoice; otherwise 404, like a
    missing one (the invoice's authorization decides)."""
    scope = customer_scope(user)
    notes = CreditNote.objects.select_related("invoice__customer", "invoice__rma")
    if scope is not None:
        notes = notes.filter(invoice__customer_id=scope)
    note = notes.filter(number=number.strip().upper()).first()
    if note is None:
        raise NotFound(f"no credit note {number}", field="number")
    return note


def invoice_totals(invoice: Invoice) -> Totals:
    """Totals from `with_totals` annotations when present, else read from the database."""
    if hasattr(invoice, "late_fee_total"):
        return Totals(
            principal=invoice.principal,
            late_fees=getattr(invoice, "late_fee_total"),  # noqa: B009 -- an annotation
            credits=getattr(invoice, "credit_total"),  # noqa: B009
            payments=getattr(invoice, "payment_total"),  # noqa: B009
            late_fee_credits=getattr(invoice, "late_fee_credit_total", Decimal("0.00")),
        )
    return totals_of(invoice)


def vendor_today() -> dt.date:
    """Today's date in the vendor's zone: the day due dates and overdue status refer to."""
    return clock.now().astimezone(active_policy().vendor_zone).date()


def invoice_status(invoice: Invoice, on_date: dt.date | None = None) -> str:
    """`credited`, `paid`, `overdue` (open past its due date) or `open`, on a date (F1, F2)."""
    if invoice.status == InvoiceStatus.CREDITED:
        return "credited"
    if invoice.status == InvoiceStatus.PAID:
        return "paid"
    on_date = on_date or vendor_today()
    return "overdue" if on_date > invoice.due_on else "open"
