"""Issue 4's story in a real browser: a customer opens a ticket and sees the promise, an agent
finds it at the top of the queue, replies and opens an advance-exchange RMA, the customer
confirms and downloads the label, a clerk receives the part. The screenshots in
docs/screenshots/ come from this test (RMADESK_SCREENSHOTS=1 refreshes them).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.rmas.models import Rma
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services import open_ticket
from tests.browser.conftest import log_in, shoot
from tests.factories import AssetFactory, ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
# Wednesday before Thanksgiving, 16:00 Pacific: a Gold S2 answer is due Friday 08:00.
NOW = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))


@pytest.fixture
def desk():
    # The live server runs in another thread: only the process-wide clock reaches it.
    clock.set_now(NOW)
    customer = CustomerFactory(name="Acme Storage", zone="America/Los_Angeles")
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="M50-000042")
    AssetFactory(customer=customer, serial="M50-000043")
    add_user(email="alice@acme.example", role="customer", customer_id=customer.pk,
             password=PASSWORD)  # fmt: skip
    agent = add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    add_user(email="clerk@vendor.example", role="clerk", password=PASSWORD)
    # Two tickets due later than the one the story opens, so "at the top" means something.
    for subject in ("How do I add a second admin?", "Release notes for 25.10"):
        open_ticket(actor=agent, serial="M50-000043", severity="S4", subject=subject,
                    body="Please advise.", channel="email")  # fmt: skip
    yield customer
    clock.set_now(None)


def test_the_whole_story_in_chromium(desk, open_page, tmp_path: Path):
    # The customer opens a ticket and sees the promise before submitting it.
    alice = open_page()
    log_in(alice, "alice@acme.example", PASSWORD)
    alice.wait_for_url("**/portal/")
    shoot(alice, "portal-systems", tmp_path)
    alice.goto("/portal/tickets/new")
    alice.select_option("#id_serial", "M50-000042")
    alice.check("#id_severity_S2")
    promise = alice.locator("#promise")
    promise.get_by_text("Fri 27 Nov 2026, 08:00 PST").wait_for()
    assert "4 business hours" in promise.inner_text()
    assert "Thanksgiving" in promise.inner_text()
    alice.get_by_label("Subject").fill("Pool degraded: drive 3 UNAVAIL")
    alice.locator("textarea[name=body]").fill("zpool status shows drive 3 UNAVAIL since 14:10.")
    shoot(alice, "portal-new-ticket", tmp_path)
    alice.get_by_role("button", name="Open the ticket").click()
    alice.wait_for_url(re.compile(r".*/portal/tickets/\d+/$"))
    number = int(re.search(r"/tickets/(\d+)/", alice.url).group(1))  # type: ignore[union-attr]
    assert Ticket.objects.get(number=number).channel == "portal"

    # The agent finds it at the top of the queue, replies, opens an advance-exchange RMA.
    agent = open_page()
    log_in(agent, "agent@vendor.example", PASSWORD)
    agent.wait_for_url("**/console/")
    first_row = agent.locator("tbody tr").first
    assert f"#{number}" in first_row.inner_text()
    shoot(agent, "console-queue", tmp_path)
    first_row.get_by_role("link", name=f"#{number}").click()
    agent.wait_for_url(f"**/console/tickets/{number}/")
    agent.locator("#reply-body").fill("Thanks Alice, we are shipping a replacement drive today.")
    agent.get_by_role("button", name="Send", exact=True).click()
    agent.wait_for_url(f"**/console/tickets/{number}/")
    assert Message.objects.filter(ticket__number=number, kind="reply", is_public=True).exists()
    agent.select_option("#rma-kind", "advance_exchange")
    agent.locator("#part_1").fill("HDD 16TB SAS")
    agent.locator("#serial_1").fill("ZL0A11")
    agent.locator("#unit_price_1").fill("450.00")
    agent.get_by_role("button", name="Open RMA").click()
    agent.wait_for_load_state()
    rma = Rma.objects.get(number=number)
    assert rma.kind == "advance_exchange"
    shoot(agent, "console-ticket", tmp_path)

    # The customer confirms the R6 questions; the agent issues the label; she downloads it.
    alice.goto(f"/portal/rmas/{number}/")
    for box in alice.locator("form input[type=checkbox]").all():
        box.check()
    alice.get_by_role("button", name="Save my confirmations").click()
    alice.wait_for_load_state()
    agent.goto(f"/console/rmas/{number}/")
    agent.get_by_role("button", name=re.compile("Issue the return label")).click()
    agent.wait_for_load_state()
    alice.goto(f"/portal/rmas/{number}/")
    with alice.expect_download() as download:
        alice.get_by_role("button", name="Download the label (PDF)").click()
    saved = tmp_path / "label.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    shoot(alice, "portal-rma", tmp_path)

    # The clerk scans the label at the receiving desk.
    clerk = open_page()
    log_in(clerk, "clerk@vendor.example", PASSWORD)
    clerk.goto("/console/receiving/")
    clerk.get_by_label(re.compile("RMA number from the label")).fill(str(number))
    clerk.get_by_role("button", name="Receive").click()
    clerk.wait_for_load_state()
    rma.refresh_from_db()
    assert rma.status == "received"
    assert rma.receipt_flags == []
    shoot(clerk, "console-receiving", tmp_path)


def test_pages_read_on_a_phone(desk, open_page, tmp_path: Path):
    phone = open_page(390, 844)
    log_in(phone, "alice@acme.example", PASSWORD)
    phone.wait_for_url("**/portal/")
    phone.goto("/portal/tickets/new")
    # Nothing wider than the screen: tables scroll inside their own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "portal-phone", tmp_path)
