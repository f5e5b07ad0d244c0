"""Inbound mail fixtures: a customer with contacts and serials, a stranger, messages as bytes.

Attachments are written under a per-test data directory, never the working tree's ./var.
The clock is frozen on a Wednesday morning in Pacific business hours, so due times are exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from rmadesk.assets.models import Asset
from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact, Customer
from tests.factories import AssetFactory
from tests.mail.inbound.builders import (
    ACME_ADDRESS,
    BOB,
    GLOBEX_CONTACT,
    GLOBEX_SERIAL,
    NOW,
    SECOND_SERIAL,
    SERIAL,
)
from tests.tickets.factories import asset_on_plan


@dataclass
class World:
    acme: Customer
    asset: Asset
    second_asset: Asset
    bob: Any
    globex: Customer
    globex_asset: Asset


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.RMADESK_DATA_DIR = tmp_path
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[dt.datetime]:
    with clock.frozen_at(NOW) as at:
        yield at


@pytest.fixture
def world(db: Any) -> World:
    asset = asset_on_plan("gold", serial=SERIAL)
    acme = asset.customer
    acme.name, acme.email = "Acme Storage", ACME_ADDRESS
    acme.save()
    second = AssetFactory(customer=acme, serial=SECOND_SERIAL, model=asset.model)
    Contact.objects.create(customer=acme, name="Jane Roe", email="Jane.Roe@Acme.example")
    Contact.objects.create(customer=acme, name="Bob Smith", email=BOB)
    bob = add_user(email=BOB, role="customer", customer_id=acme.pk)
    globex_asset = asset_on_plan("silver", serial=GLOBEX_SERIAL)
    globex = globex_asset.customer
    globex.name = "Globex"
    globex.save()
    Contact.objects.create(customer=globex, name="Hank Scorpio", email=GLOBEX_CONTACT)
    return World(acme, asset, second, bob, globex, globex_asset)
