"""The whole advance-exchange story through the API, with `rmadesk jobs run --now` moving time.

POLICY.md R1, R3, R4, R6, F1: replacement shipped on day 0, no invoice on day 13, exactly one
on day 14 for the full cost of the unreturned parts, and a credit note when the part arrives on
day 20. A return received after the RMA's 30 days is flagged for rejection.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from rmadesk.billing.models import CreditNote, Invoice
from rmadesk.core import clock
from tests.factories import AssetFactory, ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def on(iso: str):
    """Act at this instant: the API calls in the block see it as "now"."""
    return clock.frozen_at(dt.datetime.fromisoformat(iso))


def jobs_run(now: str) -> str:
    out = io.StringIO()
    call_command("jobs", "run", "--now", now, stdout=out)
    return out.getvalue()


@pytest.fixture
def story(staff, contact):
    customer = CustomerFactory(name="Acme Storage", payment_terms_days=30)
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="M50-000042")
    return {
        "agent": staff("agent"),
        "clerk": staff("clerk"),
        "customer": contact(customer),
        "customer_id": customer.pk,
    }


def test_advance_exchange_invoice_on_day_14_and_credit_on_day_20(story):
    agent, clerk, me = story["agent"], story["clerk"], story["customer"]
    with on("2026-11-02T09:00:00-08:00"):  # day 0: ticket, RMA, label, replacement shipped
        opened = me.post(
            "/tickets",
            {
                "serial": "M50-000042",
                "severity": "S2",
                "subject": "Drive 3 failed",
                "body": "Pool degraded, drive 3 shows UNAVAIL.",
                "channel": "portal",
            },
        )
        assert opened.status == 201, opened.body
        number = opened.body["number"]

        rma = agent.post(
            f"/tickets/{number}/rma",
            {
                "kind": "advance_exchange",
                "issued_at": "2026-11-02T09:00:00-08:00",
                "items": [
                    {"part": "HDD 16TB", "serial": "ZL0001", "unit_price": "450.00"},
                    {"part": "drive sled", "serial": "", "unit_price": "180.00"},
                ],
            },
        )
        assert rma.status == 201, rma.body
        assert rma.body["number"] == number  # P3, R1: the ticket number is the RMA number
        assert rma.body["expires_at"] == "2026-12-02T09:00:00-08:00"

        assert me.get(f"/rmas/{number}/label.pdf").status == 409  # R6 before confirmation
        confirmed = me.post(
            f"/rmas/{number}/confirm",
            {
                "data_backed_up": True,
                "original_packaging": True,
                "insured": True,
                "removable_media_removed": True,
            },
        )
        assert confirmed.status == 200, confirmed.body
        assert agent.post(f"/rmas/{number}/label", {}).status == 200
        label = me.get(f"/rmas/{number}/label.pdf")
        assert label.status == 200 and label.content.startswith(b"%PDF")

        shipped = agent.post(
            f"/rmas/{number}/ship-replacement", {"shipped_at": "2026-11-02T15:00:00-08:00"}
        )
        assert shipped.status == 200, shipped.body
        assert shipped.body["label_expires_at"] == "2026-11-12T15:00:00-08:00"
        assert shipped.body["invoice_at"] == "2026-11-16T15:00:00-08:00"

    jobs_run("2026-11-15T15:00:00-08:00")  # day 13
    assert Invoice.objects.count() == 0
    jobs_run("2026-11-16T14:59:59-08:00")
    assert Invoice.objects.count() == 0
    jobs_run("2026-11-16T15:00:00-08:00")  # day 14
    jobs_run("2026-11-16T15:00:00-08:00")
    jobs_run("2026-11-18T09:00:00-08:00")
    assert Invoice.objects.count() == 1

    with on("2026-11-18T09:00:00-08:00"):
        invoices = me.get("/invoices")
    assert invoices.status == 200
    [invoice] = invoices.body
    assert invoice["kind"] == "unreturned_parts"
    assert invoice["amount"] == "630.00"
    assert invoice["currency"] == "USD"
    assert invoice["due_on"] == "2026-12-16"  # F1: 30-day terms
    assert invoice["status"] == "open"
    assert invoice["rma"] == number

    with on("2026-11-22T10:00:00-08:00"):  # day 20: the defective part arrives
        received = clerk.post(
            f"/rmas/{number}/receive",
            {"received_at": "2026-11-22T10:00:00-08:00", "label_rma_number": str(number)},
        )
        assert received.status == 200, received.body
        assert received.body["flags"] == []
        assert CreditNote.objects.count() == 1
        [invoice] = me.get("/invoices").body
        assert invoice["status"] == "credited"

    jobs_run("2026-12-30T09:00:00-08:00")  # later scans neither re-invoice nor charge fees
    assert Invoice.objects.count() == 1
    with on("2026-12-30T09:00:00-08:00"):
        assert me.get("/invoices").body[0]["status"] == "credited"


def test_a_return_received_after_30_days_is_flagged(story):
    agent, clerk = story["agent"], story["clerk"]
    with on("2026-10-01T10:00:00-07:00"):
        number = agent.post(
            "/tickets",
            {
                "serial": "M50-000042",
                "severity": "S3",
                "subject": "PSU fan noise",
                "body": "noisy",
                "channel": "phone",
                "opened_at": "2026-10-01T09:00:00-07:00",
            },
        ).body["number"]
        rma = agent.post(
            f"/tickets/{number}/rma",
            {
                "kind": "repair",
                "issued_at": "2026-10-01T10:00:00-07:00",
                "items": [{"part": "PSU", "serial": "PSU-77", "unit_price": "300.00"}],
            },
        )
        assert rma.body["expires_at"] == "2026-10-31T10:00:00-07:00"
    with on("2026-11-05T11:00:00-08:00"):
        late = clerk.post(
            f"/rmas/{number}/receive",
            {"received_at": "2026-11-05T11:00:00-08:00", "label_rma_number": str(number)},
        )
    assert late.status == 200, late.body
    assert late.body["flags"] == ["expired"]
    assert late.body["status"] == "flagged"
