"""Admin for tickets, their messages, service-level clocks, files and canned replies: read-only.

Every change to a ticket goes through tickets.services (open, reply, change severity, wait,
resume, close): they re-target the clocks from the policy (L5, L7), lock the row and write the
audit event that the ticket's history shows. The admin only looks; canned replies are kept
on the console's page (`/console/canned-replies/`), whose services check who keeps which.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin, ReadOnlyTabularInline, format_instant
from rmadesk.tickets.choices import ClockKind, ClockState
from rmadesk.tickets.models import (
    Attachment,
    CannedReply,
    ClockRun,
    Message,
    ServiceClock,
    Ticket,
)


class ServiceLevelFilter(admin.SimpleListFilter):
    """Tickets with a breached clock, or with a clock still running (L3, L5)."""

    title = "service level"
    parameter_name = "service_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (ClockState.BREACHED, "a clock breached"),
            (ClockState.RUNNING, "a clock running"),
            (ClockState.PAUSED, "a clock paused"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        state = self.value()
        if state not in ClockState.values:
            return queryset
        clocks = ServiceClock.objects.filter(ticket=OuterRef("pk"), state=state)
        return queryset.filter(Exists(clocks))


class MessageInline(ReadOnlyTabularInline):
    model = Message
    show_change_link = False


class ServiceClockInline(ReadOnlyTabularInline):
    model = ServiceClock
    show_change_link = False


def _clock_text(ticket: Ticket, kind: str) -> str:
    # Reads the prefetched clocks: one query for the whole page, not one per row.
    for clock in ticket.clocks.all():
        if clock.kind == kind:
            if clock.due_at is None:
                return f"no due time ({clock.state})"
            return f"{format_instant(clock.due_at)} ({clock.state})"
    return "-"


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = (ServiceClockInline, MessageInline)
    extra_fields = ("opened_in_customer_zone", "rma_link")
    list_display = (
        "number",
        "subject",
        "customer",
        "serial",
        "severity",
        "status",
        "channel",
        "plan",
        "opened_at" + IN_ZONE,
        "opened_in_customer_zone",
        "first_response_due",
        "next_update_due",
        "assignee",
    )
    list_display_links = ("number", "subject")
    list_select_related = ("customer", "asset", "assignee")
    list_filter = ("status", "severity", "channel", ServiceLevelFilter, "plan")
    search_fields = ("number__exact", "subject", "customer__name", "asset__serial")
    date_hierarchy = "opened_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return super().get_queryset(request).prefetch_related("clocks")

    @admin.display(description="serial", ordering="asset__serial")
    def serial(self, ticket: Ticket) -> str:
        return ticket.asset.serial if ticket.asset else "-"

    @admin.display(description="opened (customer's time)")
    def opened_in_customer_zone(self, ticket: Ticket) -> str:
        return format_instant(ticket.opened_at, ticket.customer.zone)

    @admin.display(description="first response due")
    def first_response_due(self, ticket: Ticket) -> str:
        return _clock_text(ticket, ClockKind.FIRST_RESPONSE)

    @admin.display(description="next update due")
    def next_update_due(self, ticket: Ticket) -> str:
        return _clock_text(ticket, ClockKind.NEXT_UPDATE)

    @admin.display(description="RMA")
    def rma_link(self, ticket: Ticket) -> str:
        rma = getattr(ticket, "rma", None)  # the reverse one-to-one raises when there is none
        return str(rma) if rma is not None else "-"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ticket_number", "kind", "is_public", "at" + IN_ZONE, "author")
    list_select_related = ("ticket", "author")
    list_filter = ("kind", "is_public")
    search_fields = ("ticket__number__exact", "body")
    date_hierarchy = "at"

    @admin.display(description="ticket", ordering="ticket__number")
    def ticket_number(self, message: Message) -> int:
        return message.ticket.number


@admin.register(ServiceClock)
class ServiceClockAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "ticket_number",
        "kind",
        "state",
        "target",
        "started_at" + IN_ZONE,
        "due_at" + IN_ZONE,
        "stopped_at" + IN_ZONE,
    )
    list_select_related = ("ticket",)
    list_filter = ("kind", "state")
    search_fields = ("ticket__number__exact",)
    date_hierarchy = "due_at"

    @admin.display(description="ticket", ordering="ticket__number")
    def ticket_number(self, clock: ServiceClock) -> int:
        return clock.ticket.number


@admin.register(ClockRun)
class ClockRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Finished clock runs, as the reports count them (issue 16): kept by the services only."""

    list_display = (
        "ticket_number",
        "kind",
        "plan",
        "severity",
        "state",
        "due_at" + IN_ZONE,
        "answered_at" + IN_ZONE,
        "business_seconds",
    )
    list_select_related = ("ticket",)
    list_filter = ("kind", "state", "plan", "severity")
    search_fields = ("ticket__number__exact",)
    date_hierarchy = "due_at"

    @admin.display(description="ticket", ordering="ticket__number")
    def ticket_number(self, run: ClockRun) -> int:
        return run.ticket.number


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Files on tickets: what, how big, who and when, with a link to download each one.

    The download and the preview are the console's (`console:attachment`), behind the ticket's
    own visibility check; the admin never serves a file itself.
    """

    extra_fields = ("download", "preview")
    list_display = (
        "ticket_number",
        "name",
        "content_type",
        "size",
        "message_kind",
        "uploaded_at" + IN_ZONE,
        "uploaded_by",
        "download",
        "preview",
    )
    list_select_related = ("ticket", "uploaded_by", "message")
    list_filter = ("content_type",)
    search_fields = ("ticket__number__exact", "name", "sha256")
    date_hierarchy = "uploaded_at"

    @admin.display(description="ticket", ordering="ticket__number")
    def ticket_number(self, attachment: Attachment) -> int:
        return attachment.ticket.number

    @admin.display(description="came with")
    def message_kind(self, attachment: Attachment) -> str:
        found = attachment.message
        if found is None:
            return "the ticket itself"
        return "an internal note" if not found.is_public else found.get_kind_display()

    @admin.display(description="download")
    def download(self, attachment: Attachment) -> str:
        url = reverse("console:attachment", args=[attachment.ticket.number, attachment.pk])
        return format_html('<a href="{}" download>download {}</a>', url, attachment.name)

    @admin.display(description="preview")
    def preview(self, attachment: Attachment) -> str:
        url = reverse("console:attachment_preview", args=[attachment.ticket.number, attachment.pk])
        return format_html('<a href="{}">preview</a>', url)


@admin.register(CannedReply)
class CannedReplyAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Reply texts agents insert: shared ones (no owner) and each staff user's own."""

    list_display = ("title", "owner", "updated_at" + IN_ZONE)
    list_select_related = ("owner",)
    search_fields = ("title", "body")
