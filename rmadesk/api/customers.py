"""Customers, contracts, product models, assets and entitlements (W6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router, Status
from pydantic import Field, StrictBool

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import Drives, PathId, PaymentTermsDays, RecordId, non_blank, one_of
from rmadesk.api.schemas import Amount, Currency, Day, In, Out
from rmadesk.assets import services as asset_services
from rmadesk.assets.models import OnsiteOption, ProductLine, ProductModel
from rmadesk.assets.selectors import asset_by_serial, entitlement_for
from rmadesk.customers import services as customer_services
from rmadesk.customers.models import Plan
from rmadesk.customers.selectors import visible_customers

router = Router(tags=["customers and assets"])
# A serial in a path: no longer than the column (a longer one is nobody's).
AssetSerial = Annotated[str, Path(max_length=64)]


class CustomerIn(In):
    name: Annotated[str, Field(max_length=200)]  # the model's max_length
    country: Annotated[str, Field(max_length=2)]  # ISO 3166, e.g. US, DE, JP (L3)
    zone: Annotated[str, Field(max_length=64)]
    email: Annotated[str, Field(max_length=254)]
    payment_terms_days: PaymentTermsDays = 0
    # The postal address (optional; a US one names its state, rule R8).
    address_line1: Annotated[str, Field(max_length=200)] = ""
    address_line2: Annotated[str, Field(max_length=200)] = ""
    city: Annotated[str, Field(max_length=100)] = ""
    region: Annotated[str, Field(max_length=40)] = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    # What invoices are addressed to (blank: the postal address) and the VAT ID they print.
    billing_address: Annotated[str, Field(max_length=500)] = ""
    vat_id: Annotated[str, Field(max_length=32)] = ""


class BillingIn(In):
    """The fields to change; those left out keep their value (issue 14)."""

    billing_address: Annotated[str, Field(max_length=500)] | None = None
    vat_id: Annotated[str, Field(max_length=32)] | None = None


class AddressIn(In):
    """The fields to change; those left out keep their value (R8)."""

    address_line1: Annotated[str, Field(max_length=200)] | None = None
    address_line2: Annotated[str, Field(max_length=200)] | None = None
    city: Annotated[str, Field(max_length=100)] | None = None
    region: Annotated[str, Field(max_length=40)] | None = None
    postal_code: Annotated[str, Field(max_length=20)] | None = None


class ContactLanguageIn(In):
    """A contact's language (issue 14): one of the site's LANGUAGES, or "" for the browser's."""

    language: Annotated[str, Field(max_length=10)] = ""


class ContactOut(Out):
    id: int
    customer: int
    name: str
    email: str
    language: str


class CustomerOut(Out):
    id: int
    name: str
    country: str
    zone: str
    email: str
    payment_terms_days: int
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    billing_address: str
    vat_id: str


class ContractIn(In):
    customer: RecordId
    plan: Annotated[str, one_of(Plan.values)]
    starts_on: Day
    ends_on: Day
    jails_and_plugins: StrictBool = False
    extended_spare_parts: StrictBool = False  # N2: EU next-business-day parts


class ContractOut(Out):
    id: int
    customer: int
    plan: Annotated[str, one_of(Plan.values)]
    starts_on: dt.date
    ends_on: dt.date
    jails_and_plugins: bool
    extended_spare_parts: bool


class ProductModelIn(In):
    name: Annotated[str, Field(max_length=100), non_blank()]
    product_line: Annotated[str, one_of(ProductLine.values)]
    advance_exchange: StrictBool = True


class ProductModelOut(Out):
    id: int
    name: str
    product_line: str
    advance_exchange: bool


class AssetIn(In):
    customer: RecordId
    serial: Annotated[str, Field(max_length=64), non_blank()]
    model: RecordId
    shipped_on: Day
    warranty_years: int
    extended_to_years: int | None = None
    onsite: Annotated[str, one_of(OnsiteOption.values)] = "none"
    price: Amount
    shipping_and_handling: Amount = Field(
        Decimal("0.00"), description="of the original order: a money-back refund excludes it (F3)"
    )
    currency: Currency = "USD"
    drives: Drives | None = None
    software_version: Annotated[str, Field(max_length=100)] = ""


class AssetOut(Out):
    id: int
    customer: int
    serial: str
    model: int
    shipped_on: dt.date
    warranty_years: int
    extended_to_years: int | None
    onsite: str
    price: Amount
    shipping_and_handling: Amount
    currency: str
    drives: int | None
    software_version: str


class EntitlementOut(Out):
    serial: str
    customer: int
    customer_name: str
    plan: str | None
    contract_starts_on: dt.date | None
    contract_ends_on: dt.date | None
    warranty_ends_on: dt.date
    is_under_warranty: bool
    onsite: str
    advance_exchange: bool
    money_back_until: dt.date
    jails_and_plugins: bool | None  # P2: the contract's prior arrangement
    rules: list[str]
    explain: list[str]


@router.post("/customers", response={201: CustomerOut})
def add_customer(request: HttpRequest, payload: CustomerIn) -> Status[object]:
    customer = customer_services.add_customer(actor=user_of(request), **payload.dict())
    return Status(201, customer)


@router.get("/customers/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: RecordId) -> object:
    return visible_customers(user_of(request)).get(pk=customer_id)


@router.patch("/customers/{customer_id}/address", response=CustomerOut)
def change_address(request: HttpRequest, customer_id: PathId, payload: AddressIn) -> object:
    """Change the customer's postal address; a US address names a valid state (R8)."""
    user = user_of(request)
    customer = visible_customers(user).get(pk=customer_id)
    fields = {name: value for name, value in payload.dict().items() if value is not None}
    return customer_services.change_address(actor=user, customer=customer, **fields)


@router.patch("/customers/{customer_id}/billing", response=CustomerOut)
def change_billing(request: HttpRequest, customer_id: PathId, payload: BillingIn) -> object:
    """Change what invoices are addressed to: the billing address and the VAT ID."""
    user = user_of(request)
    customer = visible_customers(user).get(pk=customer_id)
    fields = {name: value for name, value in payload.dict().items() if value is not None}
    return customer_services.change_billing_details(actor=user, customer=customer, **fields)


@router.patch("/customers/{customer_id}/contacts/{contact_id}/language", response=ContactOut)
def change_contact_language(
    request: HttpRequest, customer_id: RecordId, contact_id: RecordId, payload: ContactLanguageIn
) -> object:
    """The language the contact's mail, documents and portal are in (staff who keep accounts)."""
    user = user_of(request)
    customer = visible_customers(user).get(pk=customer_id)
    contact = customer_services.set_contact_language(
        actor=user, contact=customer.contacts.get(pk=contact_id), language=payload.language
    )
    return {**contact.__dict__, "customer": contact.customer_id}


@router.post("/contracts", response={201: ContractOut})
def add_contract(request: HttpRequest, payload: ContractIn) -> Status[object]:
    user = user_of(request)
    data = payload.dict()
    customer = visible_customers(user).get(pk=data.pop("customer"))
    contract = customer_services.add_contract(actor=user, customer=customer, **data)
    return Status(201, {**contract.__dict__, "customer": contract.customer_id})


@router.post("/product-models", response={201: ProductModelOut})
def add_product_model(request: HttpRequest, payload: ProductModelIn) -> Status[object]:
    model = asset_services.add_product_model(actor=user_of(request), **payload.dict())
    return Status(201, model)


@router.post("/assets", response={201: AssetOut})
def add_asset(request: HttpRequest, payload: AssetIn) -> Status[object]:
    user = user_of(request)
    data = payload.dict()
    customer = visible_customers(user).get(pk=data.pop("customer"))
    model = ProductModel.objects.get(pk=data.pop("model"))
    asset = asset_services.add_asset(actor=user, customer=customer, model=model, **data)
    return Status(201, {**asset.__dict__, "customer": asset.customer_id, "model": asset.model_id})


class DrivesIn(In):
    drives: Drives | None


@router.post("/assets/{serial}/drives", response=AssetOut)
def change_asset_drives(request: HttpRequest, serial: AssetSerial, payload: DrivesIn) -> object:
    """A TrueCommand asset's number of drives; a free licence's sum still holds (L8)."""
    user = user_of(request)
    asset = asset_services.change_asset_drives(
        actor=user, asset=asset_by_serial(user, serial), drives=payload.drives
    )
    return {**asset.__dict__, "customer": asset.customer_id, "model": asset.model_id}


@router.get("/entitlements/{serial}", response=EntitlementOut)
def get_entitlement(request: HttpRequest, serial: AssetSerial) -> object:
    found = entitlement_for(user_of(request), serial)
    return {**found.__dict__, "customer": found.customer_id, "customer_name": found.customer}
