"""Issue 14: the portal's invoice page says how to pay, readable at phone and desktop width,
and passes axe; the credit note downloads from it. docs/screenshots/portal-invoice-pay-*.png
come from this test (RMADESK_SCREENSHOTS=1 refreshes them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rmadesk.billing.services import issue_credit_note, issue_invoice
from rmadesk.core import clock
from rmadesk.core.services import add_user
from tests.billing.factories import finance_user
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in, shoot
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Portal-pass-2026!"
NOW = dt.datetime(2026, 11, 2, 18, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_invoice_page_shows_how_to_pay_at_every_width(open_page, tmp_path, width, height):
    with clock.frozen_at(NOW):
        customer = CustomerFactory(
            name="Kunde Berlin GmbH", country="DE", zone="Europe/Berlin", vat_id="DE811907980"
        )
        add_user(
            email="anna@kunde.example", role="customer", customer_id=customer.pk, password=PASSWORD
        )
        invoice = issue_invoice(
            actor=finance_user(),
            customer=customer,
            kind="service",
            lines=[{"kind": "service", "description": "On-site visit", "amount": Decimal("1200")}],
        )
        issue_credit_note(
            actor=finance_user(), invoice=invoice, amount=Decimal("200.00"), reason="Late visit"
        )
    page = open_page(width, height)
    log_in(page, "anna@kunde.example", PASSWORD)
    page.wait_for_load_state()
    page.goto(f"/portal/invoices/{invoice.number}/")
    pay = page.get_by_role("region", name="How to pay")
    assert "Please pay 1000.00 USD, quoting the reference INV-000001" in pay.inner_text()
    link = pay.get_by_role("button", name="Pay 1000.00 USD online")
    assert link.get_attribute("href") == (
        "https://pay.vendor.example/?invoice=INV-000001&amount=1000.00&currency=USD"
    )
    assert "DE89 3704 0044 0532 0130 00" in pay.inner_text()
    assert page.get_by_role("link", name="Download credit note CN-000001 (PDF)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, where=f"invoice page at {width}px")
    shoot(page, f"portal-invoice-pay-{width}", tmp_path)
