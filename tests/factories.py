"""factory_boy factories for the records tests build on. Dates are fixed, never "today"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from rmadesk.assets.models import Asset, ProductModel
from rmadesk.customers.models import Contract, Customer

UTC = dt.UTC


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    country = "US"
    zone = "America/Los_Angeles"
    email = factory.Sequence(lambda n: f"it{n}@customer.example")
    payment_terms_days = 30
    created_at = dt.datetime(2025, 1, 1, tzinfo=UTC)
    # A US customer has a continental address (R8); others none unless a test gives one.
    address_line1 = factory.LazyAttribute(lambda c: "1 Market St" if c.country == "US" else "")
    city = factory.LazyAttribute(lambda c: "San Francisco" if c.country == "US" else "")
    region = factory.LazyAttribute(lambda c: "CA" if c.country == "US" else "")
    postal_code = factory.LazyAttribute(lambda c: "94105" if c.country == "US" else "")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    plan = "gold"
    starts_on = dt.date(2025, 1, 1)
    ends_on = dt.date(2028, 12, 31)


class ProductModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductModel
        django_get_or_create = ("name",)

    name = "TrueNAS M50"
    product_line = "truenas"
    advance_exchange = True


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    customer = factory.SubFactory(CustomerFactory)
    serial = factory.Sequence(lambda n: f"A1-{n:06d}")
    model = factory.SubFactory(ProductModelFactory)
    shipped_on = dt.date(2026, 1, 15)
    warranty_years = 3
    onsite = "none"
    price = Decimal("25000.00")
    currency = "USD"


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row without its clocks: for tests of other areas. Use open_ticket for tickets."""

    class Meta:
        model = "tickets.Ticket"

    number = factory.Sequence(lambda n: 500000 + n)
    asset = factory.SubFactory(AssetFactory)
    customer = factory.SelfAttribute("asset.customer")
    plan = "gold"
    severity = "S2"
    status = "open"
    channel = "portal"
    subject = factory.Sequence(lambda n: f"Disk failure {n}")
    opened_at = dt.datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    policy_version = "test"


class RmaFactory(factory.django.DjangoModelFactory):
    """An RMA row issued on its ticket's number: for tests of other areas. Use open_rma."""

    class Meta:
        model = "rmas.Rma"

    ticket = factory.SubFactory(TicketFactory)
    number = factory.SelfAttribute("ticket.number")
    kind = "advance_exchange"
    status = "issued"
    issued_at = dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    expires_at = dt.datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
