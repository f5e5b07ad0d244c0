"""Admin for invoices, their lines, payments and credit notes: read-only.

Money moves only through billing.services (issue, record a payment, credit note, late fees
F2, the day-14 invoice R4): they round at the end (F4), keep the one-invoice-per-exchange and
one-fee-per-month constraints, and write the audit event. The admin only looks.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from rmadesk.billing.choices import LATE_FEE_KINDS
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin, ReadOnlyTabularInline


class InvoiceLineInline(ReadOnlyTabularInline):
    model = InvoiceLine
    show_change_link = False


class PaymentInline(ReadOnlyTabularInline):
    model = Payment


class CreditNoteInline(ReadOnlyTabularInline):
    model = CreditNote


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = (InvoiceLineInline, PaymentInline, CreditNoteInline)
    list_display = (
        "number",
        "customer",
        "kind",
        "status",
        "principal",
        "late_fees",
        "currency",
        "issued_at" + IN_ZONE,
        "due_on",
        "paid_at" + IN_ZONE,
        "rma_number",
    )
    list_select_related = ("customer", "rma")
    list_filter = ("kind", "status", "currency")
    search_fields = ("number", "customer__name", "rma__number__exact")
    date_hierarchy = "issued_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        # The late fees summed in the page's one query, not one query per row (F2).
        fees = Sum("lines__amount", filter=Q(lines__kind__in=LATE_FEE_KINDS))
        zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
        invoices: QuerySet[Invoice] = super().get_queryset(request)
        return invoices.annotate(late_fee_total=Coalesce(fees, zero))

    @admin.display(description="late fees", ordering="late_fee_total")
    def late_fees(self, invoice: Invoice) -> Decimal:
        return getattr(invoice, "late_fee_total", Decimal("0.00"))

    @admin.display(description="RMA", ordering="rma__number")
    def rma_number(self, invoice: Invoice) -> str:
        return str(invoice.rma.number) if invoice.rma else "-"


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "invoice",
        "kind",
        "description",
        "amount",
        "late_fee_month",
        "added_at" + IN_ZONE,
    )
    list_select_related = ("invoice",)
    list_filter = ("kind",)
    search_fields = ("invoice__number", "description")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("invoice", "amount", "received_at" + IN_ZONE, "reference", "recorded_by")
    list_select_related = ("invoice", "recorded_by")
    search_fields = ("invoice__number", "reference")
    date_hierarchy = "received_at"


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "invoice", "kind", "amount", "issued_at" + IN_ZONE, "reason")
    list_select_related = ("invoice",)
    list_filter = ("kind",)
    search_fields = ("number", "invoice__number", "reason")
    date_hierarchy = "issued_at"
