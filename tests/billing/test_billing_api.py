"""Invoices, payments and credit notes through the API: exact bodies, who may see and do what,
4xx for bad input (T1, F4), and a fixed number of queries for the list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.billing import services
from rmadesk.billing.models import CreditNote, Invoice, Payment
from rmadesk.core import clock
from tests.billing.factories import advance_exchange, invoice
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
INVOICE_AT = dt.datetime(2026, 11, 16, 18, 0, tzinfo=UTC)
ON_DAY_20 = dt.datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


@pytest.fixture
def contact(contact):
    """The shared `contact` fixture, made once per customer (it adds a user each call)."""
    made = {}

    def make(customer):
        if customer.pk not in made:
            made[customer.pk] = contact(customer)
        return made[customer.pk]

    return make


@pytest.fixture
def two_customers():
    a = CustomerFactory(name="A", payment_terms_days=30)
    b = CustomerFactory(name="B", payment_terms_days=0)
    rma = advance_exchange(customer=a)
    services.invoice_unreturned_parts(now=INVOICE_AT)  # INV-000001 for A, due 2026-12-16
    invoice(customer=b, at=dt.datetime(2026, 9, 10, 18, tzinfo=UTC))  # INV-000002, due 09-10
    return a, b, rma


def test_list_shows_amounts_status_and_rma(staff, two_customers):
    _, b, rma = two_customers
    services.accrue_late_fees(now=ON_DAY_20)  # B's invoice: 2 full months (09-10 → 11-22)
    with clock.frozen_at(ON_DAY_20):
        answer = staff("finance").get("/invoices")
    assert answer.status == 200, answer.body
    assert answer.body == [
        {
            "number": "INV-000001",
            "kind": "unreturned_parts",
            "amount": "630.00",
            "principal": "630.00",
            "late_fees": "0.00",
            "credits": "0.00",
            "payments": "0.00",
            "balance": "630.00",
            "currency": "USD",
            "issued_at": "2026-11-16T10:00:00-08:00",
            "due_on": "2026-12-16",
            "status": "open",
            "rma": rma.number,
        },
        {
            "number": "INV-000002",
            "kind": "service",
            "amount": "1030.00",
            "principal": "1000.00",
            "late_fees": "30.00",
            "credits": "0.00",
            "payments": "0.00",
            "balance": "1030.00",
            "currency": "USD",
            "issued_at": "2026-09-10T11:00:00-07:00",
            "due_on": "2026-09-10",
            "status": "overdue",
            "rma": None,
        },
    ]
    with clock.frozen_at(ON_DAY_20):
        only_b = staff("finance").get("/invoices", customer=b.pk)
    assert [i["number"] for i in only_b.body] == ["INV-000002"]


def test_credited_after_the_part_arrives(contact, two_customers):
    a, _, rma = two_customers
    services.void_unreturned_parts_invoice(rma=rma, at=ON_DAY_20)
    [listed] = contact(a).get("/invoices").body
    assert (listed["status"], listed["credits"], listed["balance"]) == (
        "credited",
        "630.00",
        "0.00",
    )
    detail = contact(a).get("/invoices/INV-000001")
    assert detail.status == 200
    assert detail.body["credit_notes"] == [
        {
            "number": "CN-000001",
            "invoice": "INV-000001",
            "kind": "credit",
            "amount": "630.00",
            "reason": detail.body["credit_notes"][0]["reason"],
            "issued_at": "2026-11-22T10:00:00-08:00",
        }
    ]
    assert "rule R4" in detail.body["credit_notes"][0]["reason"]


def test_customers_see_only_their_own_invoices(contact, two_customers):
    a, b, _ = two_customers
    me = contact(a)
    assert [i["number"] for i in me.get("/invoices").body] == ["INV-000001"]
    # Another customer's id narrows what the token sees to nothing: an empty list.
    assert me.get("/invoices", customer=b.pk).body == []
    assert me.get("/invoices", customer=a.pk).status == 200
    assert me.get("/invoices/INV-000001").status == 200
    # B's invoice and a missing one answer the same 404.
    assert me.get("/invoices/INV-000002").status == 404
    assert me.get("/invoices/INV-424242").status == 404
    assert contact(b).get("/invoices/INV-000001").status == 404


def test_detail_has_lines_payments_and_credit_notes(staff, two_customers):
    finance = staff("finance")
    assert (
        finance.post(
            "/invoices/INV-000001/payments",
            {"amount": "30.00", "received_at": "2026-11-20T09:00:00-08:00", "reference": "wire 77"},
        ).status
        == 201
    )
    detail = finance.get("/invoices/INV-000001")
    assert detail.status == 200
    body = detail.body
    assert body["customer"] == two_customers[0].pk
    assert [(line["kind"], line["amount"]) for line in body["lines"]] == [
        ("part", "450.00"),
        ("part", "180.00"),
    ]
    assert body["lines"][0]["description"].startswith("Unreturned HDD 16TB (serial ZL0001)")
    assert body["payments_received"] == [
        {
            "invoice": "INV-000001",
            "amount": "30.00",
            "received_at": "2026-11-20T09:00:00-08:00",
            "reference": "wire 77",
        }
    ]
    assert (body["payments"], body["balance"]) == ("30.00", "600.00")


def test_F2_a_payment_received_before_charged_months_ended_credits_their_fee(staff, two_customers):
    # B's 1000.00, due 10 Sep: months 1 (to 10 Oct) and 2 (to 10 Nov) charged 15.00 each.
    services.accrue_late_fees(now=ON_DAY_20)
    finance = staff("finance")
    with clock.frozen_at(ON_DAY_20 + dt.timedelta(hours=1)):
        paid = finance.post(
            "/invoices/INV-000002/payments",
            {"amount": "500.00", "received_at": "2026-10-05T09:00:00-07:00"},
        )
        assert paid.status == 201, paid.body
        # Received before month 1 ended: both months are 1.5% of 500.00; 15.00 is credited.
        assert (paid.body["balance"], paid.body["status"]) == ("515.00", "overdue")
        body = finance.get("/invoices/INV-000002").body
    assert [(note["kind"], note["amount"]) for note in body["credit_notes"]] == [
        ("late_fee_correction", "15.00")
    ]
    assert [line["amount"] for line in body["lines"] if line["kind"] == "late_fee"] == [
        "15.00",
        "15.00",
    ]


def test_list_uses_a_fixed_number_of_queries(staff):
    finance = staff("finance")
    customer = CustomerFactory(payment_terms_days=0)
    invoice(customer=customer, at=dt.datetime(2026, 1, 10, 18, tzinfo=UTC))
    finance.get("/invoices")  # warm up (token lookups, policy load)
    with CaptureQueriesContext(connection) as one:
        assert len(finance.get("/invoices").body) == 1
    for _ in range(5):
        invoice(customer=customer, at=dt.datetime(2026, 1, 10, 18, tzinfo=UTC))
    advance_exchange(customer=customer)
    services.invoice_unreturned_parts(now=INVOICE_AT)
    services.accrue_late_fees(now=INVOICE_AT)
    Payment.objects.create(
        invoice=Invoice.objects.first(), amount=Decimal("1.00"), received_at=INVOICE_AT
    )
    with CaptureQueriesContext(connection) as seven:
        assert len(finance.get("/invoices").body) == 7
    assert len(seven) == len(one) <= 4


def test_payment_through_the_api_marks_paid(staff, two_customers):
    finance = staff("finance")
    with clock.frozen_at(ON_DAY_20):
        answer = finance.post(
            "/invoices/INV-000001/payments",
            {"amount": "630.00", "received_at": "2026-11-21T10:00:00-08:00", "reference": "w1"},
        )
    assert answer.status == 201, answer.body
    assert answer.body == {
        "invoice": "INV-000001",
        "amount": "630.00",
        "received_at": "2026-11-21T10:00:00-08:00",
        "reference": "w1",
        "status": "paid",
        "balance": "0.00",
    }
    again = finance.post("/invoices/INV-000001/payments", {"amount": "1.00"})
    assert (again.status, again.body["field"]) == (409, "status")


def test_credit_note_through_the_api(staff, two_customers):
    finance = staff("finance")
    with clock.frozen_at(ON_DAY_20):
        partial = finance.post(
            "/invoices/INV-000002/credit-notes", {"amount": "250.00", "reason": "goodwill"}
        )
        assert partial.status == 201, partial.body
        assert partial.body == {
            "number": "CN-000001",
            "invoice": "INV-000002",
            "kind": "credit",
            "amount": "250.00",
            "reason": "goodwill",
            "issued_at": "2026-11-22T10:00:00-08:00",
            "status": "overdue",
            "balance": "750.00",
        }
        rest = finance.post(
            "/invoices/INV-000002/credit-notes", {"amount": "750.00", "reason": "cancelled"}
        )
    assert (rest.status, rest.body["status"], rest.body["balance"]) == (201, "credited", "0.00")


def test_payments_and_credit_notes_are_for_finance(staff, contact, two_customers):
    a, _, _ = two_customers
    for client in (staff("agent"), staff("clerk"), contact(a)):
        assert client.post("/invoices/INV-000001/payments", {"amount": "1.00"}).status == 403
        assert (
            client.post("/invoices/INV-000001/credit-notes", {"amount": "1.00", "reason": "x"})
        ).status == 403
    # A customer acting on another customer's invoice gets 404, as if it did not exist.
    assert contact(a).post("/invoices/INV-000002/payments", {"amount": "1.00"}).status == 404
    assert not Payment.objects.exists() and not CreditNote.objects.exists()


def test_anonymous_is_401(anonymous):
    assert anonymous.get("/invoices").status == 401
    assert anonymous.get("/invoices/INV-000001").status == 401
    assert anonymous.post("/invoices/INV-000001/payments", {"amount": "1.00"}).status == 401


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (422, "amount", None)),
        ({"amount": "ten"}, (422, "amount", "F4")),
        ({"amount": "-1.00"}, (422, "amount", "F4")),
        ({"amount": "1.001"}, (422, "amount", "F4")),
        ({"amount": "0"}, (400, "amount", "F4")),
        ({"amount": "630.01"}, (409, "amount", None)),
        ({"amount": "1.00", "tip": "5"}, (422, "tip", None)),
        ({"amount": "1.00", "received_at": "2026-11-20T09:00:00"}, (422, "received_at", "T1")),
        ({"amount": "1.00", "received_at": "yesterday"}, (422, "received_at", "T1")),
        (
            {"amount": "1.00", "received_at": "2099-01-01T09:00:00-08:00"},
            (400, "received_at", "T1"),
        ),
        (
            {"amount": "1.00", "received_at": "2026-11-15T09:00:00-08:00"},
            (400, "received_at", "F2"),
        ),
        ({"amount": "1.00", "reference": 5}, (422, "reference", None)),
        ({"amount": 1.5}, (422, "amount", "F4")),  # a float is not exact
    ],
)
def test_bad_payments_are_4xx_naming_the_field(staff, two_customers, body, expected):
    answer = staff("finance").post("/invoices/INV-000001/payments", body)
    assert (answer.status, answer.body["field"], answer.body["rule"]) == expected, answer.body
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"amount": "1.00"}, 422, "reason"),
        ({"reason": "x"}, 422, "amount"),
        ({"amount": "1.00", "reason": "x", "at": "2026-11-20T01:00:00-08:00"}, 422, "at"),
        ({"amount": "1.00", "reason": ""}, 400, "reason"),
        ({"amount": "631.00", "reason": "x"}, 409, "amount"),
        ({"amount": [1], "reason": "x"}, 422, "amount"),
    ],
)
def test_bad_credit_notes_are_4xx_naming_the_field(staff, two_customers, body, status, field):
    answer = staff("finance").post("/invoices/INV-000001/credit-notes", body)
    assert answer.status == status, answer.body
    assert answer.body["field"] == field
    assert not CreditNote.objects.exists()


def test_malformed_json_and_unknown_invoice(staff, two_customers):
    finance = staff("finance")
    assert 400 <= finance.post("/invoices/INV-000001/payments", raw="{nope").status < 500
    assert finance.post("/invoices/INV-000404/payments", {"amount": "1.00"}).status == 404
    assert finance.get("/invoices", customer="abc").status == 422
