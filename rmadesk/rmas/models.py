"""RMAs: authorisations, items, labels, advance-exchange shipments and receiving (R1-R8, F3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rmadesk.rmas.choices import Decision, QuoteStatus, RmaKind, RmaStatus, ShipmentKind
from rmadesk.tickets.choices import WarrantyDenialCause


class RepairQuote(models.Model):
    """A billable repair quote for an asset out of warranty (R9), recorded on its ticket.

    The customer accepts or declines it once; an accepted quote becomes an invoice (F1, in
    billing) and lets the ticket's RMA open as a billable out-of-warranty repair.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="repair_quotes"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    description = models.TextField()
    valid_until = models.DateField(null=True, blank=True)  # the last day it may be accepted
    status = models.CharField(
        max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.PENDING
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-recorded_at", "-id")
        constraints = [
            models.CheckConstraint(
                name="repair_quote_amount_positive", condition=models.Q(amount__gt=0)
            ),
            # One quote in play per ticket: a new one only after the customer declined.
            models.UniqueConstraint(
                fields=("ticket",),
                condition=models.Q(status__in=("pending", "accepted")),
                name="one_live_repair_quote_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"quote {self.pk} ({self.amount} {self.currency}, {self.status})"


class Rma(models.Model):
    """A return authorisation. It carries its ticket's number (P3, R1): one RMA per ticket."""

    number = models.BigIntegerField(unique=True)
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, related_name="rma")
    kind = models.CharField(max_length=20, choices=RmaKind.choices)
    status = models.CharField(max_length=24, choices=RmaStatus.choices, default=RmaStatus.ISSUED)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)  # R1
    expired_at = models.DateTimeField(null=True, blank=True)
    # R6: the customer's confirmations before a label is issued.
    data_backed_up = models.BooleanField(default=False)
    original_packaging = models.BooleanField(default=False)
    insured = models.BooleanField(default=False)
    removable_media_removed = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    label_issued_at = models.DateTimeField(null=True, blank=True)
    # The return label's carrier (a key of the policy's [carriers]) and tracking number.
    return_carrier = models.CharField(max_length=20, blank=True)
    return_tracking_number = models.CharField(max_length=64, blank=True)
    # R4: advance exchange.
    replacement_shipped_at = models.DateTimeField(null=True, blank=True)
    label_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    label_expired_at = models.DateTimeField(null=True, blank=True)
    invoice_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # R3: receiving.
    received_at = models.DateTimeField(null=True, blank=True)
    received_label_number = models.CharField(max_length=40, blank=True)
    receipt_flags = models.JSONField(default=list, blank=True)
    receipt_decision_reason = models.TextField(blank=True)
    # R7: inspection and decision.
    inspected_at = models.DateTimeField(null=True, blank=True)
    inspection_notes = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    refurbished = models.BooleanField(default=False)
    # R8: return shipping of a repaired system outside the continental US.
    freight_arrangement = models.TextField(blank=True)
    # F3: money-back returns. The refund is computed by the policy core when the return is
    # received (or accepted), and recomputed if an agent then waives the restocking fee.
    restocking_waived_reason = models.TextField(blank=True)
    # F3: what the clerk found in a money-back return's box (None: not checked, or not a
    # money-back return). A missing item refuses the refund unless an agent accepts it, with
    # the reason recorded here.
    returned_manuals = models.BooleanField(null=True, blank=True)
    returned_media = models.BooleanField(null=True, blank=True)
    returned_documentation = models.BooleanField(null=True, blank=True)
    missing_contents_accepted_reason = models.TextField(blank=True)
    refund_eligible = models.BooleanField(null=True, blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    restocking_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    refund_currency = models.CharField(max_length=3, blank=True)
    refund_explanation = models.TextField(blank=True)
    # W2: the warranty claim denied, naming its cause, with the agent's explanation.
    denial_cause = models.CharField(max_length=30, choices=WarrantyDenialCause.choices, blank=True)
    denial_explanation = models.TextField(blank=True)
    denied_at = models.DateTimeField(null=True, blank=True)
    # R9: an asset out of warranty returns only as a billable repair the customer accepted.
    repair_quote = models.OneToOneField(
        RepairQuote, null=True, blank=True, on_delete=models.PROTECT, related_name="rma"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-number",)
        indexes = [models.Index(fields=("kind", "status"))]
        constraints = [
            models.CheckConstraint(
                name="rma_expires_after_it_is_issued",
                condition=models.Q(expires_at__gt=models.F("issued_at")),
            ),
            models.CheckConstraint(
                name="rma_refund_not_negative",
                condition=models.Q(refund_amount__isnull=True) | models.Q(refund_amount__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"RMA {self.number} ({self.kind}, {self.status})"


class RmaItem(models.Model):
    """A part or system returned on an RMA, at the unit price an unreturned one is invoiced (R4)."""

    rma = models.ForeignKey(Rma, on_delete=models.CASCADE, related_name="items")
    part = models.CharField(max_length=200)
    serial = models.CharField(max_length=64, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(
                name="rma_item_price_not_negative", condition=models.Q(unit_price__gte=0)
            )
        ]

    def __str__(self) -> str:
        return f"{self.part} {self.serial}".strip()


class Shipment(models.Model):
    """A part or system the vendor ships to the customer on an RMA, with its promise (N1-N3).

    An advance exchange's replacement (R4), or a repaired or replacement system shipped back
    (R7, R8). The promise is computed once, when the part is identified, by the policy core
    (`parts_promise`): the dates are calendar dates in `promise_zone` (Pacific for N1, the
    cut-off offset for N2); N3 promises none. `is_promise_missed` is set when a shipment or a
    delivery is recorded after the promised date, for the console's lists.
    """

    rma = models.OneToOneField(Rma, on_delete=models.CASCADE, related_name="shipment")
    kind = models.CharField(max_length=20, choices=ShipmentKind.choices)
    part_identified_at = models.DateTimeField()
    region = models.CharField(max_length=4)  # us (N1), eu (N2), intl (N3)
    promised_ship_on = models.DateField(null=True, blank=True)
    promised_delivery_on = models.DateField(null=True, blank=True)
    promise_zone = models.CharField(max_length=64, blank=True)
    promise_rules = models.JSONField(default=list, blank=True)
    promise_explanation = models.TextField(blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    is_promise_missed = models.BooleanField(default=False, db_index=True)
    promise_misses = models.JSONField(default=list, blank=True)
    # R8, for a system shipped back: prepaid within the continental US, else the arrangement.
    is_prepaid = models.BooleanField(null=True, blank=True)
    # Who carries it (a key of the policy's [carriers]) and its tracking number.
    carrier = models.CharField(max_length=20, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("-part_identified_at", "id")
        constraints = [
            models.CheckConstraint(
                name="shipment_promise_is_both_dates_or_none",
                condition=models.Q(promised_ship_on__isnull=True, promised_delivery_on__isnull=True)
                | models.Q(
                    promised_ship_on__isnull=False,
                    promised_delivery_on__gt=models.F("promised_ship_on"),
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for RMA {self.rma_id}"
