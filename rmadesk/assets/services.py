"""Writes for product models and assets (W1, W3, L8, P2, R5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from rmadesk.assets.models import Asset, OnsiteOption, ProductLine, ProductModel
from rmadesk.assets.permissions import require_catalogue
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.customers.models import Customer
from rmadesk.customers.selectors import contract_on
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.warranty import warranty_terms


@transaction.atomic
def add_product_model(
    *, actor: Actor, name: str, product_line: str, advance_exchange: bool = True
) -> ProductModel:
    require_catalogue(actor, "adding a product model")
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
    shipping_and_handling = Decimal(str(shipping_and_handling))  # the API hands amounts as text
    if not shipping_and_handling.is_finite() or shipping_and_handling < 0:
        raise PolicyError(
            "the shipping and handling of the original order cannot be negative",
            rule="F3",
            field="shipping_and_handling",
        )
    contract = contract_on(customer, shipped_on)
    plan = policy.document.plans.get(contract.plan) if contract else None
    if plan is not None and plan.max_drives is not None and (drives or 0) > plan.max_drives:
        raise PolicyError(
            f"a {plan.title} covers at most {plan.max_drives} drives, not {drives}",
            rule="L8",
            field="drives",
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
        },
        rules=("W1", "W3"),
    )
    return asset
