"""Every console list page runs the same number of queries for 5 rows as for 30."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.billing.services import accrue_late_fees
from tests.billing.factories import advance_exchange, invoice
from tests.console.conftest import NOW, client_for, make_user
from tests.factories import CustomerFactory, RmaFactory
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db


def _exchanges(count):
    for _ in range(count):
        advance_exchange(customer=CustomerFactory(), shipped_at=pacific(2026, 11, 10, 10, 0))


def _invoices(count):
    for _ in range(count):
        invoice(customer=CustomerFactory(payment_terms_days=30), at=pacific(2026, 8, 1, 10, 0))
    accrue_late_fees(now=NOW)


def _flagged(count):
    for _ in range(count):
        RmaFactory(
            status="flagged",
            receipt_flags=["expired"],
            received_at=NOW - dt.timedelta(hours=1),
            issued_at=pacific(2026, 9, 1, 10, 0),
            expires_at=pacific(2026, 10, 1, 10, 0),
        )


@pytest.mark.parametrize(
    ("path", "role", "make", "marker"),
    [
        ("/console/rmas/", "agent", _exchanges, '">RMA 5'),
        ("/console/advance-exchanges/", "agent", _exchanges, '">RMA 5'),
        ("/console/invoices/", "finance", _invoices, 'href="/console/invoices/INV'),
        ("/console/receiving/", "clerk", _flagged, "FLAGGED:"),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(
    path, role, make, marker, django_assert_max_num_queries
):
    client = client_for(make_user(role))
    make(5)
    with CaptureQueriesContext(connection) as few:
        response = client.get(path)
    assert response.content.decode().count(marker) == 5
    make(25)
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode().count(marker) in (25, 30)  # a page holds 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_max_num_queries(7):
        client.get(path)
