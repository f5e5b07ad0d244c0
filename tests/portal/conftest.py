"""Portal tests: two customers (Acme and Globex), each with a contact who logs in with a password.

The clock is frozen on Wednesday 25 November 2026, 16:00 Pacific, the day before Thanksgiving,
so every due time on these pages is exact. Attachments go to a fresh data directory per test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from rmadesk.core import clock
from rmadesk.core.services import add_user
from tests.signin import signed_in
from tests.tickets.factories import asset_on_plan, pacific

PASSWORD = "Portal-pass-2026!"
NOW = pacific(2026, 11, 25, 16, 0)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[dt.datetime]:
    with clock.frozen_at(NOW) as now:
        yield now


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.RMADESK_DATA_DIR = tmp_path
    return tmp_path


def make_customer(name: str, serial: str, email: str, **asset: Any) -> SimpleNamespace:
    found = asset_on_plan("gold", serial=serial, **asset)
    customer = found.customer
    customer.name = name
    customer.save(update_fields=["name"])
    user = add_user(email=email, role="customer", customer_id=customer.pk, password=PASSWORD)
    return SimpleNamespace(customer=customer, asset=found, user=user, email=email)


@pytest.fixture
def acme(db: Any) -> SimpleNamespace:
    return make_customer("Acme Storage", "M50-000042", "alice@acme.example")


@pytest.fixture
def globex(db: Any) -> SimpleNamespace:
    return make_customer("Globex", "M50-000099", "bob@globex.example")


def logged_in(email: str, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    assert signed_in(client, email, PASSWORD)
    return client


@pytest.fixture
def alice(acme: SimpleNamespace) -> Client:
    return logged_in(acme.email)


@pytest.fixture
def bob(globex: SimpleNamespace) -> Client:
    return logged_in(globex.email)


@pytest.fixture
def agent(db: Any) -> Any:
    return add_user(email="agent@vendor.example", role="agent", password=PASSWORD)


def text(response: Any) -> str:
    return response.content.decode()
