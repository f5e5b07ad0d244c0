"""Warranty decisions in a real browser: an agent records a repair quote on a ticket whose
warranty ended (R9); the customer accepts it with one click in the portal and the invoice is
issued; a claim denied naming its cause (W2) reads in plain words. Every page involved passes
axe (the console's ticket and RMA pages with the new forms, the portal's ticket and RMA pages)."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.assets.models import Asset
from rmadesk.billing.models import Invoice
from rmadesk.rmas.models import RepairQuote
from rmadesk.rmas.services import open_rma
from rmadesk.tickets.services import deny_warranty_claim, open_ticket
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)
ITEMS = [{"part": "Motherboard", "serial": "MB-1", "unit_price": "1250.00"}]


def _ticket(agent, subject: str):
    return open_ticket(
        actor=agent, serial="M50-000042", severity="S3", subject=subject, body="Dead.",
        channel="phone",
    )  # fmt: skip


def test_R9_W2_quote_accepted_in_the_portal_and_denials_in_plain_words(acme, open_page):
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.get(username="agent@vendor.example")
    Asset.objects.filter(serial="M50-000042").update(shipped_on=dt.date(2022, 1, 10))
    ticket = _ticket(agent, "Board dead")

    console = open_page()
    log_in(console, "agent@vendor.example", PASSWORD)
    console.goto(f"/console/tickets/{ticket.number}/")
    assert (
        "warranty ended 10 Jan 2025 (rule W1)" in console.locator("#warranty-status").inner_text()
    )
    assert_accessible(console, where="console ticket, out of warranty")
    console.get_by_label("Amount").fill("1250.00")
    console.get_by_label("What the repair covers (the customer sees it)").fill("New motherboard.")
    console.get_by_role("button", name="Send the quote to the customer").click()
    console.wait_for_load_state()
    assert "Repair quote of 1250.00 USD sent to the customer" in console.content()
    quote = RepairQuote.objects.get()

    portal = open_page()
    log_in(portal, "alice@acme.example", PASSWORD)
    portal.goto(f"/portal/tickets/{ticket.number}/")
    assert_accessible(portal, where="portal ticket with a pending quote")
    portal.get_by_role("button", name="Accept the quote").click()
    portal.wait_for_load_state()
    invoice = Invoice.objects.get(repair_quote=quote)
    assert f"Invoice {invoice.number} is in your invoices" in portal.content()
    assert str(invoice.principal) == "1250.00"
    assert_accessible(portal, where="portal ticket with an accepted quote")

    rma = open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS)
    console.goto(f"/console/rmas/{rma.number}/")
    assert_accessible(console, where="console RMA with the deny form")
    console.get_by_label("Cause").select_option("customer_negligence")
    console.get_by_label("Explanation (the customer sees it)").fill("Liquid inside.")
    console.get_by_role("button", name="Deny the claim").click()
    console.wait_for_load_state()
    assert "Warranty claim denied" in console.content()
    assert_accessible(console, where="console RMA denied")
    portal.goto(f"/portal/rmas/{rma.number}/")
    assert "damage caused by negligence" in portal.content()
    assert_accessible(portal, where="portal RMA denied")

    other = _ticket(agent, "Flooded")
    deny_warranty_claim(actor=agent, ticket=other, cause="acts_of_god", explanation="Flood.")
    portal.goto(f"/portal/tickets/{other.number}/")
    assert "Your warranty claim is denied" in portal.content()
    assert_accessible(portal, where="portal ticket denied")
    console.goto(f"/console/tickets/{other.number}/")
    assert_accessible(console, where="console ticket denied")
