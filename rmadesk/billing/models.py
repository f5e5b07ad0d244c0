"""Invoices, their lines, payments and credit notes; late fees as lines (F1, F2, F4, R4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rmadesk.billing.choices import CreditNoteKind, InvoiceKind, InvoiceStatus, LineKind


class Invoice(models.Model):
    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices)
    rma = models.ForeignKey(
        "rmas.Rma", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    # R9: the accepted repair quote this invoice bills (one invoice per quote).
    repair_quote = models.OneToOneField(
        "rmas.RepairQuote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice",
    )
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    currency = models.CharField(max_length=3)
    issued_at = models.DateTimeField()
    due_on = models.DateField(db_index=True)
    principal = models.DecimalField(max_digits=12, decimal_places=2)  # lines other than late fees
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("rma",),
                condition=models.Q(kind=InvoiceKind.UNRETURNED_PARTS),
                name="one_automatic_invoice_per_advance_exchange",
            )
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # For late fees: which full month overdue this line charges (1, 2, ...).
    late_fee_month = models.PositiveSmallIntegerField(null=True, blank=True)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=("invoice", "late_fee_month"),
                condition=models.Q(kind=LineKind.LATE_FEE),
                name="one_late_fee_per_invoice_month",
            ),
            # A late-fee line names the month it charges, so the month constraint can hold (F2).
            models.CheckConstraint(
                condition=~models.Q(kind=LineKind.LATE_FEE) | models.Q(late_fee_month__gte=1),
                name="late_fee_lines_name_their_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.description} {self.amount}"


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_at = models.DateTimeField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("received_at", "id")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_are_positive")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} paid {self.amount}"


class CreditNote(models.Model):
    number = models.CharField(max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    kind = models.CharField(
        max_length=20, choices=CreditNoteKind.choices, default=CreditNoteKind.CREDIT
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.TextField()
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ("issued_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="credit_notes_are_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number
