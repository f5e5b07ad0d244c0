"""Admin for product models and assets: reference data the back office may edit.

Prefer the API (`POST /product-models`, `POST /assets`) and its services: they validate more
than this form (a free TrueCommand licence's drive limit against the customer's contract, L8;
R5's models that never get advance exchange, whatever the box says), check the caller's role
and leave an audit event. This form refuses the warranty terms W1 does not offer, the one
mistake that would break every entitlement lookup (W6) of the serial, and an edit of a
TrueCommand asset's drives past its free licence's sum (L8).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from rmadesk.assets.models import Asset, ProductModel
from rmadesk.assets.services import licence_drives_check
from rmadesk.core.policies import active_policy
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.warranty import warranty_terms

# The policy core names its own parameters; the form names the model's fields.
_FORM_FIELD = {"years": "warranty_years", "extended_to_years": "extended_to_years"}


class AssetForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Asset
        fields = (
            "customer",
            "serial",
            "model",
            "shipped_on",
            "warranty_years",
            "extended_to_years",
            "onsite",
            "price",
            "currency",
            "drives",
            "software_version",
        )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        shipped_on, years = data.get("shipped_on"), data.get("warranty_years")
        if shipped_on is not None and years is not None:
            try:
                warranty_terms(
                    active_policy(),
                    shipped_on=shipped_on,
                    years=years,
                    extended_to_years=data.get("extended_to_years"),
                )
            except PolicyError as error:
                self.add_error(
                    _FORM_FIELD.get(error.field or ""),
                    f"{error.message} (rule {error.rule})",
                )
        licence = self.instance.licence if self.instance.pk else None
        if licence is not None and "drives" in self.changed_data:
            try:
                licence_drives_check(active_policy(), licence, data.get("drives"), self.instance)
            except PolicyError as error:
                self.add_error("drives", f"{error.message} (rule {error.rule})")
        return data


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "product_line", "advance_exchange")
    list_filter = ("product_line", "advance_exchange")
    search_fields = ("name",)


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = AssetForm
    list_display = (
        "serial",
        "customer",
        "model",
        "shipped_on",
        "warranty_years",
        "extended_to_years",
        "onsite",
        "price",
        "currency",
        "software_version",
    )
    list_select_related = ("customer", "model")
    list_filter = ("onsite", "model__product_line", "currency")
    search_fields = ("serial", "customer__name", "model__name")
    autocomplete_fields = ("customer", "model")
    date_hierarchy = "shipped_on"
