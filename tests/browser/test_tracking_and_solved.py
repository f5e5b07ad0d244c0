"""Issue 14 in a real browser: an agent records the replacement's carrier and tracking number on
the console's RMA page and the customer follows the link from the portal's RMA page; the
customer marks a ticket solved and reopens it. Every page involved passes axe, at phone width
(390 px) and on a desktop (1280 px)."""

from __future__ import annotations

import pytest

from rmadesk.rmas.services import confirm_rma, open_rma, ship_replacement
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.services import open_ticket
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import NOW, PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)
ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": "450.00"}]


def _agent():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="agent@vendor.example")


@pytest.mark.parametrize("width", [390, 1280])
def test_tracking_link_from_console_to_portal(acme, open_page, width):
    agent = _agent()
    ticket = open_ticket(
        actor=agent, serial="M50-000042", severity="S3", subject="Disk", body="Dead.",
        channel="phone",
    )  # fmt: skip
    rma = open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)
    confirm_rma(actor=agent, rma=rma, data_backed_up=True, original_packaging=False,
                insured=False, removable_media_removed=True)  # fmt: skip
    ship_replacement(actor=agent, rma=rma, shipped_at=NOW)

    console = open_page(width, 900)
    log_in(console, "agent@vendor.example", PASSWORD)
    console.goto(f"/console/rmas/{rma.number}/")
    assert_accessible(console, where=f"console RMA with the tracking form at {width}px")
    console.get_by_label("Package").select_option("to_customer")
    console.get_by_label("Carrier", exact=True).select_option("ups")
    console.get_by_label("Tracking number").fill("1Z 999/AA1")
    console.get_by_role("button", name="Record the tracking number").click()
    console.wait_for_load_state()
    assert "Carrier and tracking number recorded" in console.content()

    portal = open_page(width, 900)
    log_in(portal, "alice@acme.example", PASSWORD)
    portal.goto(f"/portal/rmas/{rma.number}/")
    link = portal.get_by_role("link", name="1Z 999/AA1")
    assert link.get_attribute("href") == "https://www.ups.com/track?tracknum=1Z%20999%2FAA1"
    assert_accessible(portal, where=f"portal RMA with a tracking link at {width}px")


@pytest.mark.parametrize("width", [390, 1280])
def test_L5_mark_solved_and_reopen_in_the_portal(acme, open_page, width):
    ticket = open_ticket(
        actor=_agent(), serial="M50-000042", severity="S2", subject="Pool", body="Degraded.",
        channel="phone",
    )  # fmt: skip
    portal = open_page(width, 900)
    log_in(portal, "alice@acme.example", PASSWORD)
    portal.goto(f"/portal/tickets/{ticket.number}/")
    assert_accessible(portal, where=f"portal open ticket with Mark as solved at {width}px")
    portal.get_by_role("button", name="Mark as solved").click()
    portal.wait_for_load_state()
    assert "Your ticket is closed as solved." in portal.content()
    assert Ticket.objects.get().status == "resolved"
    assert_accessible(portal, where=f"portal ticket solved, reopen offered at {width}px")
    portal.get_by_role("button", name="Reopen the ticket").click()
    portal.wait_for_load_state()
    assert "Your ticket is open again" in portal.content()
    assert Ticket.objects.get().status == "open"
