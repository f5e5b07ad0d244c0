"""Issue 14 in a real browser: a contact picks German in the portal's footer, and the pages
(phone and desktop width) read German, pass axe-core, and stay so at the next sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in, shoot
from tests.tickets.factories import asset_on_plan

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_a_contact_chooses_german_in_the_footer(open_page, tmp_path: Path, width, height):
    asset = asset_on_plan("gold", serial="M50-000042", country="DE", zone="Europe/Berlin")
    add_user(
        email="eva@kunde.example",
        role="customer",
        customer_id=asset.customer.pk,
        password=PASSWORD,
    )
    page = open_page(width, height)
    log_in(page, "eva@kunde.example", PASSWORD)
    page.wait_for_url("**/portal/")
    assert page.inner_text("h1") == "My systems"

    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url("**/portal/")
    assert page.inner_text("h1") == "Meine Systeme"
    assert page.get_attribute("html", "lang") == "de"
    assert "Sprache geändert." in page.inner_text("main")
    assert Contact.objects.get(email="eva@kunde.example").language == "de"
    assert_accessible(page, where=f"portal in German at {width}px")

    page.goto("/portal/tickets/new?serial=M50-000042&severity=S2")
    assert page.inner_text("h1") == "Ticket eröffnen"
    page.get_by_text("Erste Antwort bis").wait_for()
    assert "CET (+01:00)" in page.inner_text("#promise")
    assert_accessible(page, where=f"new ticket in German at {width}px")
    # The selector fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"portal-new-ticket-de-{width}", tmp_path)
