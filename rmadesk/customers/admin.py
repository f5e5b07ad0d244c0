"""Admin for customers, their contacts and contracts: reference data the back office may edit.

Prefer the API (`POST /customers`, `POST /contracts`) and its services: they check the caller's
role and leave an audit event in rmadesk's history; assets' services validate more still (W1,
L8, see assets/admin.py). The admin keeps only Django's own change log. This form checks what a
bad edit would make unusable: the zone (T1) and the country whose public holidays the
calendars use (L3, N2), and the address as the services do (a US one names its state, R8); a
contract's plan (L1) and dates are checked by the model, its options (P2, N2) are checkboxes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from rmadesk.core import clock
from rmadesk.core.admin import IN_ZONE, InstantsWithZone
from rmadesk.core.errors import DomainError
from rmadesk.customers.models import Contact, Contract, Customer
from rmadesk.customers.services import ADDRESS_FIELDS, BILLING_FIELDS, clean_address, clean_billing
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.loader import holiday_country


class CustomerForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Customer
        fields = (
            "name",
            "country",
            "zone",
            "email",
            "payment_terms_days",
            *ADDRESS_FIELDS,
            *BILLING_FIELDS,
        )

    def clean_zone(self) -> str:
        zone: str = self.cleaned_data["zone"]
        try:
            zone_named(zone, field="zone")
        except PolicyError as error:
            raise forms.ValidationError(f"{error.message} (rule {error.rule})") from None
        return zone

    def clean_country(self) -> str:
        try:
            return holiday_country(self.cleaned_data["country"], "L3")
        except PolicyError as error:
            raise forms.ValidationError(f"{error.message} (rule {error.rule})") from None

    def clean(self) -> dict[str, Any]:
        """The address as the services check it: complete, a US one with its state (R8)."""
        data = super().clean() or {}
        country = data.get("country")
        if country:
            fields = {name: data.get(name) or "" for name in ADDRESS_FIELDS}
            try:
                data.update(clean_address(country, **fields))
            except (DomainError, PolicyError) as error:
                rule = f" (rule {error.rule})" if error.rule else ""
                self.add_error(error.field, f"{error.message}{rule}")
        try:
            data.update(clean_billing(**{name: data.get(name) or "" for name in BILLING_FIELDS}))
        except DomainError as error:
            self.add_error(error.field, error.message)
        return data


class ContactInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contact
    extra = 0


class ContractInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contract
    extra = 0


@admin.register(Customer)
class CustomerAdmin(InstantsWithZone, admin.ModelAdmin):  # type: ignore[type-arg]
    form = CustomerForm
    fields = (
        "name",
        "country",
        "zone",
        "email",
        "payment_terms_days",
        *ADDRESS_FIELDS,
        *BILLING_FIELDS,
        "created_at" + IN_ZONE,
    )
    readonly_fields = ("created_at" + IN_ZONE,)
    inlines = (ContactInline, ContractInline)
    list_display = (
        "name",
        "country",
        "zone",
        "email",
        "payment_terms_days",
        "created_at" + IN_ZONE,
    )
    list_filter = ("country", "region")
    search_fields = ("name", "email", "contacts__email", "vat_id")
    date_hierarchy = "created_at"

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        if obj.created_at is None:
            obj.created_at = clock.now()  # the one clock (T1), as the service does
        super().save_model(request, obj, form, change)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # Issue 14: the language the contact's portal, mail and documents are in (blank: the
    # browser's on pages, the site's in mail).
    list_display = ("name", "email", "phone", "customer", "language")
    list_filter = ("language",)
    list_select_related = ("customer",)
    search_fields = ("name", "email", "customer__name")
    autocomplete_fields = ("customer",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "customer",
        "plan",
        "starts_on",
        "ends_on",
        "jails_and_plugins",
        "extended_spare_parts",
    )
    list_select_related = ("customer",)
    list_filter = ("plan", "jails_and_plugins", "extended_spare_parts")
    search_fields = ("customer__name",)
    autocomplete_fields = ("customer",)
    date_hierarchy = "starts_on"
