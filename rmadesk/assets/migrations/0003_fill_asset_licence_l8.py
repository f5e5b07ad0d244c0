"""Existing TrueCommand assets name the TrueCommand contract they were registered under (L8).

The licence is the customer's TrueCommand contract (`truecommand` or `truecommand-free`, the
plans of the TrueCommand line in the default policy) in force on the asset's shipment date,
the latest-starting one if several: what `add_asset` now records at registration.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TRUECOMMAND_PLANS = ("truecommand", "truecommand-free")


def fill_licences(apps: Any, schema_editor: Any) -> None:
    Asset = apps.get_model("assets", "Asset")
    Contract = apps.get_model("customers", "Contract")
    for asset in Asset.objects.filter(model__product_line="truecommand", licence__isnull=True):
        contract = (
            Contract.objects.filter(
                customer_id=asset.customer_id,
                plan__in=TRUECOMMAND_PLANS,
                starts_on__lte=asset.shipped_on,
                ends_on__gte=asset.shipped_on,
            )
            .order_by("-starts_on", "-id")
            .first()
        )
        if contract is not None:
            asset.licence_id = contract.pk
            asset.save(update_fields=["licence"])


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_asset_licence_l8")]

    operations = [migrations.RunPython(fill_licences, migrations.RunPython.noop)]
