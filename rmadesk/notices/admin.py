"""Admin for staff notifications: read-only (each user reads and chooses their own in the
console), for an administrator looking into who was told what."""

from __future__ import annotations

from django.contrib import admin

from rmadesk.core.admin import IN_ZONE, ReadOnlyAdmin
from rmadesk.notices.models import BreachWarning, Notice, NoticePreference


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at" + IN_ZONE, "recipient", "kind", "text", "read_at" + IN_ZONE)
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    search_fields = ("=ticket_number", "recipient__email", "text")


@admin.register(NoticePreference)
class NoticePreferenceAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "kind", "delivery")
    list_filter = ("kind", "delivery")
    list_select_related = ("user",)


@admin.register(BreachWarning)
class BreachWarningAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("clock", "due_at" + IN_ZONE, "warned_at" + IN_ZONE)
    list_select_related = ("clock", "clock__ticket")
