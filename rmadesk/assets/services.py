"""Writes for product models and assets (W1, W3, L8, P2, R5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from rmadesk.assets.models import Asset, OnsiteOption, ProductLine, ProductModel
from rmadesk.assets.permissions import require_catalogue
from rmadesk.core.bounds import MAX_DRIVES
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.customers.models import Contract, Customer
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.licences import require_drives_within_licence
from rmadesk.policy.loader import Policy
from rmadesk.policy.warranty import warranty_terms


@transaction.atomic
def add_product_model(
    *, actor: Actor, name: str, product_line: str, advance_exchange: bool = True
) -> ProductModel:
    require_catalogue(actor, "adding a product model")
    name = required_text(name, "name", max_length=100)  # ProductModel.name
    if product_line not in ProductLine.values:
        raise InvalidInput(
            f"unknown product line {product_line!r}; use {' or '.join(ProductLine.values)}",
            field="product_line",
        )
    # R5: the policy can name models that never get advance exchange, whatever is asked here.
    refused = {m.lower() for m in active_policy().document.rma.no_advance_exchange_models}
    if name.strip().lower() in refused:
        advance_exchange = False
    if ProductModel.objects.filter(name=name.strip()).exists():
        raise Conflict(f"a product model {name!r} already exists", field="name")
    model = ProductModel.objects.create(
        name=name.strip(), product_line=product_line, advance_exchange=advance_exchange
    )
    record_event(
        actor=actor,
        verb="product_model.added",
        subject_type="product_model",
        subject_id=model.pk,
        changes={
            "name": model.name,
            "product_line": product_line,
            "advance_exchange": advance_exchange,
        },
        rules=("R5",),
    )
    return model


@transaction.atomic
def add_asset(
    *,
    actor: Actor,
    customer: Customer,
    serial: str,
    model: ProductModel,
    shipped_on: dt.date,
    warranty_years: int,
    extended_to_years: int | None = None,
    onsite: str = OnsiteOption.NONE,
    price: Decimal,
    currency: str = "USD",
    drives: int | None = None,
    software_version: str = "",
    shipping_and_handling: Decimal = Decimal("0.00"),
) -> Asset:
    """A serial-numbered asset shipped to a customer, with its warranty terms."""
    require_catalogue(actor, "adding an asset")
    serial = required_text(serial, "serial", max_length=64)  # Asset.serial
    _check_drives(drives)
    policy = active_policy()
    warranty_terms(
        policy, shipped_on=shipped_on, years=warranty_years, extended_to_years=extended_to_years
    )  # W1: refuses terms the policy does not offer, naming the field
    if onsite not in OnsiteOption.values:
        raise PolicyError(
            f"unknown on-site option {onsite!r}; the options are {', '.join(OnsiteOption.values)}",
            rule="W3",
            field="onsite",
        )
    licence = licence_for(policy, customer, model, shipped_on)
    if licence is not None:
        licence_drives_check(policy, licence, drives)
    shipping_and_handling = Decimal(str(shipping_and_handling))  # the API hands amounts as text
    if not shipping_and_handling.is_finite() or shipping_and_handling < 0:
        raise PolicyError(
            "the shipping and handling of the original order cannot be negative",
            rule="F3",
            field="shipping_and_handling",
        )
    try:
        with transaction.atomic():
            asset = Asset.objects.create(
                customer=customer,
                serial=serial.strip(),
                model=model,
                shipped_on=shipped_on,
                warranty_years=warranty_years,
                extended_to_years=extended_to_years,
                onsite=onsite,
                price=price,
                shipping_and_handling=shipping_and_handling,
                currency=currency,
                drives=drives,
                software_version=software_version,
                licence=licence,
            )
    except IntegrityError:
        raise Conflict(f"serial {serial!r} is already registered", field="serial") from None
    record_event(
        actor=actor,
        verb="asset.added",
        subject_type="asset",
        subject_id=asset.serial,
        changes={
            "customer": customer.pk,
            "model": model.name,
            "shipped_on": shipped_on,
            "warranty_years": warranty_years,
            "extended_to_years": extended_to_years,
            "onsite": onsite,
            "price": price,
            "shipping_and_handling": shipping_and_handling,
            "currency": currency,
            "drives": drives,
            "software_version": software_version,
            "licence": licence.pk if licence else None,
        },
        rules=("W1", "W3", "L8") if licence else ("W1", "W3"),
    )
    return asset


def _check_drives(drives: int | None) -> None:
    """L8: a number of drives is 0 to MAX_DRIVES (a bigger one once answered 500)."""
    if drives is not None and not 0 <= drives <= MAX_DRIVES:
        raise InvalidInput(f"a number of drives is 0 to {MAX_DRIVES}", field="drives", rule="L8")


@transaction.atomic
def change_asset_drives(*, actor: Actor, asset: Asset, drives: int | None) -> Asset:
    """A TrueCommand asset now manages `drives` drives; a free licence's sum still holds (L8)."""
    require_catalogue(actor, "changing an asset's drives")
    _check_drives(drives)
    policy = active_policy()
    row = lock(Asset.objects.select_related("licence"), asset.pk)
    if row.licence is not None:
        licence_drives_check(policy, row.licence, drives, row)
    before = row.drives
    row.drives = drives
    row.save(update_fields=["drives"])
    record_event(
        actor=actor,
        verb="asset.drives_changed",
        subject_type="asset",
        subject_id=row.serial,
        changes={"drives": [before, drives]},
        rules=("L8",),
    )
    asset.drives = drives
    return asset


def licence_for(
    policy: Policy, customer: Customer, model: ProductModel, day: dt.date
) -> Contract | None:
    """The TrueCommand licence a TrueCommand asset is registered under (L8), or None.

    The customer's contract in force on `day` whose plan is of the TrueCommand product line
    (`truecommand` or `truecommand-free`); the latest-starting one if several.
    """
    if model.product_line != ProductLine.TRUECOMMAND:
        return None
    contracts = Contract.objects.filter(
        customer=customer, starts_on__lte=day, ends_on__gte=day
    ).order_by("-starts_on", "-id")
    for contract in contracts:
        plan = policy.document.plans.get(contract.plan)
        if plan is not None and plan.product_line == model.product_line:
            return contract
    return None


def licence_drives_check(
    policy: Policy, licence: Contract, drives: int | None, asset: Asset | None = None
) -> None:
    """Refuse drives past the licence's limit, summed over its assets, the licence locked (L8).

    The licence row is locked first, so two registrations under one free licence at once are
    counted one after the other: the second sees the first's drives.
    """
    plan = policy.document.plans.get(licence.plan)
    if plan is None or plan.max_drives is None:
        return
    lock(Contract.objects.all(), licence.pk)
    others = Asset.objects.filter(licence=licence)
    if asset is not None:
        others = others.exclude(pk=asset.pk)
    covered = others.aggregate(total=Sum("drives"))["total"] or 0
    require_drives_within_licence(
        licence=f"{plan.title} (contract {licence.starts_on} to {licence.ends_on})",
        max_drives=plan.max_drives,
        covered=covered,
        drives=drives,
    )
