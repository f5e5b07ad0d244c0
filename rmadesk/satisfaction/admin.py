"""Admin for satisfaction surveys: read-only (a rating is the customer's, recorded by a service)."""

from __future__ import annotations

from django.contrib import admin

from rmadesk.core.admin import ReadOnlyAdmin
from rmadesk.satisfaction.models import Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ticket", "rating", "channel", "rated_at", "asked_at", "plan", "agent")
    list_filter = ("rating", "channel", "plan")
    search_fields = ("ticket__number", "comment")
    list_select_related = ("ticket", "agent")
