"""List pages run a fixed number of queries: the same for 5 rows as for 30 (no N+1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.rmas.services import open_rma
from tests.billing.factories import invoice
from tests.factories import AssetFactory
from tests.tickets.factories import pacific, ticket_on

pytestmark = pytest.mark.django_db

ITEMS = [
    {"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")},
    {"part": "drive sled", "serial": "", "unit_price": Decimal("18.00")},
]
# Session, user, account, customer (the viewer's zone), the contact (its language), count, page
# (+ the RMA items prefetch).
MAX_QUERIES = 8


def queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def grow(make: Any, alice: Any, path: str) -> None:
    for _ in range(5):
        make()
    few = queries(alice, path)
    for _ in range(25):
        make()
    many = queries(alice, path)
    assert few == many <= MAX_QUERIES, (few, many)


def test_tickets_list(alice, acme):
    grow(lambda: ticket_on(acme.asset, actor=acme.user), alice, "/portal/tickets/")


def test_rmas_list(alice, acme, agent):
    def make() -> None:
        asset = AssetFactory(customer=acme.customer)
        ticket = ticket_on(asset, actor=acme.user)
        open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)

    grow(make, alice, "/portal/rmas/")


def test_invoices_list(alice, acme):
    grow(
        lambda: invoice(customer=acme.customer, at=pacific(2026, 8, 3, 10, 0)),
        alice,
        "/portal/invoices/",
    )


def test_my_systems_is_paginated_by_twenty(alice, acme):
    """Each system on the page asks `entitlement_for` (W6), so the page is bounded, not the list."""
    for n in range(29):
        AssetFactory(customer=acme.customer, serial=f"M50-1{n:05d}")
    first = alice.get("/portal/").content.decode()
    second = alice.get("/portal/?page=2").content.decode()
    assert first.count('<th scope="row"><span class="serial">M50-') == 20
    assert second.count('<th scope="row"><span class="serial">M50-') == 10
    assert "Page 2 of 2" in second
