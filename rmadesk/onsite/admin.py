"""Admin for on-site appointments: read-only.

Appointments are booked through onsite.services.book_appointment, which enforces the 48-hour
notice (W5) and writes the audit event the ticket's history shows. The admin only looks.
"""

from __future__ import annotations

from django.contrib import admin

from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin, format_instant
from rmadesk.onsite.models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    extra_fields = ("starts_in_customer_zone",)
    list_display = (
        "ticket_number",
        "customer",
        "starts_at" + IN_ZONE,
        "starts_in_customer_zone",
        "requested_at" + IN_ZONE,
        "status",
        "booked_by",
    )
    list_select_related = ("ticket__customer", "booked_by")
    list_filter = ("status",)
    search_fields = ("ticket__number__exact", "ticket__customer__name", "ticket__asset__serial")
    date_hierarchy = "starts_at"

    @admin.display(description="ticket", ordering="ticket__number")
    def ticket_number(self, appointment: Appointment) -> int:
        return appointment.ticket.number

    @admin.display(description="customer", ordering="ticket__customer__name")
    def customer(self, appointment: Appointment) -> str:
        return appointment.ticket.customer.name

    @admin.display(description="starts (customer's time)")
    def starts_in_customer_zone(self, appointment: Appointment) -> str:
        return format_instant(appointment.starts_at, appointment.ticket.customer.zone)
