"""Admin for the outbox: every notification, its state, attempts and last error; read-only.

Rows are queued by the notifications once a change commits (`rmadesk.mail.notifications`) and
moved only by the
outbox worker (`rmadesk outbox send`), whose claim and lease the admin would bypass: it looks.
"""

from __future__ import annotations

from django.contrib import admin

from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin
from rmadesk.mail.models_outbox import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "kind",
        "ticket_number",
        "recipients",
        "subject",
        "status",
        "attempts",
        "created_at" + IN_ZONE,
        "sent_at" + IN_ZONE,
    )
    list_display_links = ("id", "subject")
    list_filter = ("status", "kind")
    search_fields = ("=ticket_number", "message_id", "subject", "dedupe_key")
    date_hierarchy = "created_at"

    @admin.display(description="to")
    def recipients(self, row: OutboxMessage) -> str:
        return ", ".join(str(address) for address in row.to or ())
