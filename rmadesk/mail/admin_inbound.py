"""Admin for inbound mail: every message received, its outcome and its files; read-only.

Rows are written by `ingest_message` and changed only by `link_held_message` (an agent linking
a held mail), which opens the ticket and records the audit event an admin edit would skip.
The raw message is shown by size only here (it can be megabytes).
"""

from __future__ import annotations

from django.contrib import admin

from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin, ReadOnlyTabularInline
from rmadesk.mail.models_inbound import InboundMessage, MailAttachment


class MailAttachmentInline(ReadOnlyTabularInline):
    model = MailAttachment


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    hidden_fields = ("raw",)
    list_display = (
        "id",
        "received_at" + IN_ZONE,
        "from_address",
        "subject",
        "status",
        "ticket",
        "source",
        "deliveries",
    )
    list_display_links = ("id", "subject")
    list_filter = ("status", "source")
    list_select_related = ("ticket",)
    search_fields = ("message_id", "from_address", "subject", "=ticket__number")
    date_hierarchy = "received_at"
    inlines = (MailAttachmentInline,)


@admin.register(MailAttachment)
class MailAttachmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "filename", "content_type", "size", "inbound", "dropped_reason")
    list_select_related = ("inbound",)
    search_fields = ("filename", "sha256")
