"""Admin for RMAs and their items: read-only.

An RMA moves through rmas.services (open, confirm R6, issue label, ship replacement R4, receive
R3, inspect, decide R7, identify the part and ship back N1-N3, R8): they compute the dates from
the policy, lock the row and write the audit event. The admin only looks.
"""

from __future__ import annotations

from django.contrib import admin

from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin, ReadOnlyTabularInline
from rmadesk.rmas.models import RepairQuote, Rma, RmaItem, Shipment


class RmaItemInline(ReadOnlyTabularInline):
    model = RmaItem
    show_change_link = False


@admin.register(Rma)
class RmaAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = (RmaItemInline,)
    list_display = (
        "number",
        "kind",
        "status",
        "customer",
        "serial",
        "issued_at" + IN_ZONE,
        "expires_at" + IN_ZONE,
        "replacement_shipped_at" + IN_ZONE,
        "received_at" + IN_ZONE,
        "decision",
        "refurbished",
    )
    list_select_related = ("ticket__customer", "ticket__asset")
    list_filter = ("kind", "status", "decision", "refurbished")
    search_fields = (
        "number__exact",
        "ticket__customer__name",
        "ticket__asset__serial",
        "items__serial",
    )
    date_hierarchy = "issued_at"

    @admin.display(description="customer", ordering="ticket__customer__name")
    def customer(self, rma: Rma) -> str:
        return rma.ticket.customer.name

    @admin.display(description="serial", ordering="ticket__asset__serial")
    def serial(self, rma: Rma) -> str:
        return rma.ticket.asset.serial if rma.ticket.asset else "-"


@admin.register(RmaItem)
class RmaItemAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("rma_number", "part", "serial", "unit_price", "currency")
    list_select_related = ("rma",)
    search_fields = ("rma__number__exact", "serial", "part")

    @admin.display(description="RMA", ordering="rma__number")
    def rma_number(self, item: RmaItem) -> int:
        return item.rma.number


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "rma_number",
        "kind",
        "region",
        "part_identified_at" + IN_ZONE,
        "promised_ship_on",
        "promised_delivery_on",
        "shipped_at" + IN_ZONE,
        "delivered_at" + IN_ZONE,
        "is_promise_missed",
    )
    list_select_related = ("rma",)
    list_filter = ("kind", "region", "is_promise_missed")
    search_fields = ("rma__number__exact",)

    @admin.display(description="RMA", ordering="rma__number")
    def rma_number(self, shipment: Shipment) -> int:
        return shipment.rma.number


@admin.register(RepairQuote)
class RepairQuoteAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Billable repair quotes out of warranty (R9): recorded and answered through the services."""

    list_display = (
        "id",
        "ticket_number",
        "amount",
        "currency",
        "status",
        "valid_until",
        "recorded_at" + IN_ZONE,
        "answered_at" + IN_ZONE,
    )
    list_select_related = ("ticket",)
    list_filter = ("status",)
    search_fields = ("ticket__number__exact", "ticket__customer__name")

    @admin.display(description="ticket", ordering="ticket__number")
    def ticket_number(self, quote: RepairQuote) -> int:
        return quote.ticket.number
