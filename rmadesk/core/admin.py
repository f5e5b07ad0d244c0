"""Admin for accounts, tokens, counters and audit events, and the mixins every app's admin uses.

The Django admin is the back office's window on every record. Records whose changes must go
through a service (ARCHITECTURE rule 2: tickets, RMAs, invoices, appointments, audit events,
tokens, numbering) are read-only here: the admin would skip the service's checks, its row locks
and its audit event. `ReadOnlyAdmin` says so in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from rmadesk.core.models import (
    Account,
    ApiToken,
    AuditEvent,
    Counter,
    IdempotencyKey,
    PolicyVersion,
    Team,
)
from rmadesk.core.permissions import ANY_STAFF
from rmadesk.core.teams import check_plans, plan_choices
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named

# Suffix of the generated display of a DateTimeField (e.g. `opened_at_in_zone`).
IN_ZONE = "_in_zone"


def format_instant(value: dt.datetime | None, zone: str | None = None) -> str:
    """An instant as `2026-11-02 17:00 UTC`, or in a named zone with its offset (rule T1).

    Without `zone` the viewer's zone is used (Django's current time zone, UTC by default), so
    a reader never has to guess which clock a time was read on.
    """
    if value is None:
        return "-"
    try:
        tz = zone_named(zone) if zone else None
    except PolicyError:  # a zone typed into the admin by hand: fall back to the viewer's
        tz, zone = None, None
    local = value.astimezone(tz) if tz else timezone.localtime(value)
    seconds = ":%S" if local.second or local.microsecond else ""
    shown = local.strftime(f"%Y-%m-%d %H:%M{seconds}")
    name = local.tzname() or ""
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    if name == "UTC" and not zone:
        return f"{shown} UTC"
    if zone and zone != name:
        return f"{shown} {name} ({offset}, {zone})"
    return f"{shown} {name} ({offset})"


def instant_display(field_name: str, label: str) -> Callable[[Any], str]:
    """An admin display of one DateTimeField: its value with its zone, sortable by the field."""

    @admin.display(description=label, ordering=field_name)
    def show(obj: Any) -> str:
        return format_instant(getattr(obj, field_name))

    show.__name__ = field_name + IN_ZONE
    return show


class InstantsWithZone:
    """Gives the admin `<field>_in_zone` for each DateTimeField of its model (rule T1).

    Django's stock rendering of a datetime drops the zone; these displays are used in
    `list_display` and on change pages instead of the raw fields.
    """

    model: type[models.Model]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                setattr(
                    self,
                    field.name + IN_ZONE,
                    instant_display(field.name, str(field.verbose_name)),
                )


def shown_fields(
    model: type[models.Model], *, skip: Sequence[str] = (), parent: type[models.Model] | None = None
) -> list[str]:
    """Every concrete field of a model in order, datetimes replaced by their zoned display.

    `parent` is an inline's parent model: the foreign key to it is left out (it is the page).
    """
    names = []
    for field in model._meta.concrete_fields:
        if field.auto_created or field.name in skip:
            continue
        if parent is not None and field.is_relation and field.related_model is parent:
            continue
        if isinstance(field, models.DateTimeField):
            names.append(field.name + IN_ZONE)
        else:
            names.append(field.name)
    return names


class ReadOnlyAdmin(InstantsWithZone):
    """Back-office staff may look, never add, change or delete: a service must make the change.

    Used by model admins and inlines alike. Django then renders a view-only page (no Save
    button) and refuses a POST to the add, change or delete views with 403.
    """

    # Fields left off the change page (e.g. a token's digest).
    hidden_fields: Sequence[str] = ()
    # Extra displays (admin methods) appended to the change page.
    extra_fields: Sequence[str] = ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # `Any`: the stubs type these per base class (model admin or inline), and this mixin is both.
    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        parent = getattr(self, "parent_model", None)  # set on inlines only
        return [
            *shown_fields(self.model, skip=self.hidden_fields, parent=parent),
            *self.extra_fields,
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return list(self.get_fields(request, obj))


class ReadOnlyTabularInline(ReadOnlyAdmin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    show_change_link = True


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    # Read-only: `rmadesk user add` (core.services.add_user) gives roles, keeps is_staff and
    # is_superuser in step with the role, and records the audit event an admin edit would skip.
    list_display = ("user", "role", "customer")
    list_filter = ("role",)
    list_select_related = ("user", "customer")
    search_fields = ("user__username", "user__email", "customer__name")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    # A token is shown once, when issued; the database holds only its SHA-256, and even that is
    # shown here by prefix only: enough to tell tokens apart, never enough to look one up.
    hidden_fields = ("digest",)
    extra_fields = ("digest_prefix",)
    list_display = (
        "digest_prefix",
        "user",
        "label",
        "created_at" + IN_ZONE,
        "last_used_at" + IN_ZONE,
        "revoked_at" + IN_ZONE,
    )
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "user__email", "label")
    date_hierarchy = "created_at"

    @admin.display(description="digest (prefix)")
    def digest_prefix(self, token: ApiToken) -> str:
        return f"{token.digest[:8]}…"


@admin.register(Counter)
class CounterAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    # Numbers are never reused (P3): only core.services.allocate_number moves a counter.
    list_display = ("name", "last_value")
    search_fields = ("name",)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    # Every policy file ever active (L6): stored by `rmadesk policy activate` and at start-up.
    list_display = (
        "version",
        "name",
        "activated_at" + IN_ZONE,
        "activated_by",
        "retargeted_open",
        "retargeted_tickets",
    )
    search_fields = ("version", "name")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    # An API create's first answer, replayed to a retry with the same key (kept 24 h).
    list_display = ("key", "user", "method", "path", "status_code", "created_at" + IN_ZONE)
    list_filter = ("method", "status_code")
    search_fields = ("=key", "path")
    exclude = ("body",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    # The history of record: written by services inside their transactions, never edited.
    list_display = (
        "at" + IN_ZONE,
        "actor_label",
        "verb",
        "subject_type",
        "subject_id",
        "ticket_number",
        "rule_ids",
    )
    list_filter = ("subject_type",)
    search_fields = ("=ticket_number", "=subject_id", "verb", "actor_label", "note")
    date_hierarchy = "at"

    @admin.display(description="rules")
    def rule_ids(self, event: AuditEvent) -> str:
        return ", ".join(str(rule) for rule in event.rules or ())


class TeamForm(forms.ModelForm):  # type: ignore[type-arg]
    """A team: its name, the policy's plans it serves (ticked), its staff members."""

    plans = forms.MultipleChoiceField(
        choices=plan_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="New tickets, replies, arrived packages and breach warnings of tickets on "
        "these plans go to the ticket's assignee, else to this team's members.",
    )

    class Meta:
        model = Team
        fields = ("name", "plans", "members")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        # Staff only: a customer's contact is never on the vendor's team.
        members.queryset = (
            get_user_model()
            .objects.filter(account__role__in=ANY_STAFF, is_active=True)
            .order_by("email")
        )

    def clean_plans(self) -> list[str]:
        return check_plans(self.cleaned_data.get("plans") or [])


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # Reference data the back office edits, like contracts: no service is bypassed (a team
    # changes who hears of a ticket, nothing about the ticket itself).
    form = TeamForm
    list_display = ("name", "plan_names", "member_count")
    search_fields = ("name", "members__email")
    filter_horizontal = ("members",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(member_total=models.Count("members"))

    @admin.display(description="plans")
    def plan_names(self, team: Team) -> str:
        return ", ".join(team.plans or []) or "-"

    @admin.display(description="members", ordering="member_total")
    def member_count(self, team: Any) -> int:
        return int(team.member_total)
