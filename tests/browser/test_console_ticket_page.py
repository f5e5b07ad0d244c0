"""Issue 11 in a real browser: an agent opens a ticket, picks a canned reply (its placeholders
filled by the server), attaches a file and clicks "Send and wait on the customer": one POST. The
customer's message list then shows the reply with its file, the ticket waits on the customer,
and one mail to the customer is queued. The page works at phone width too.

docs/screenshots/console-ticket.png (1280x800) and console-ticket-phone.png (390x844) come from
this test (RMADESK_SCREENSHOTS=1 refreshes them).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.rmas.services import open_rma
from rmadesk.tickets.models import Attachment, Ticket
from rmadesk.tickets.services import create_canned_reply, open_ticket
from tests.billing.factories import invoice
from tests.browser.conftest import log_in, shoot
from tests.factories import AssetFactory, ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
STEPS = b"1. Run: midclt call system.debug\n2. Attach the .tgz it writes.\n"
CANNED = (
    "Hello {customer}, could you send a debug file for ticket #{ticket}? "
    "We will update you by {due}."
)


@pytest.fixture
def ticket(settings, tmp_path):
    clock.set_now(NOW)  # the live server runs in another thread: only the process-wide clock
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"
    customer = CustomerFactory(name="Acme Storage", zone="America/Los_Angeles")
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="M50-000042")
    alice = add_user(email="alice@acme.example", role="customer", customer_id=customer.pk,
                     password=PASSWORD)  # fmt: skip
    Contact.objects.create(customer=customer, name="Alice", email="alice@acme.example")
    add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    manager = add_user(email="lead@vendor.example", role="manager")
    create_canned_reply(actor=manager, title="Ask for a debug file", body=CANNED, shared=True)
    # Some history for the context panel: another open ticket on the serial with its RMA, an
    # open invoice.
    earlier = open_ticket(
        actor=manager,
        serial="M50-000042",
        severity="S3",
        subject="Fan noise on controller B",
        body="Loud fan since the update.",
        channel="phone",
        opened_at=NOW - dt.timedelta(days=3),
    )
    open_rma(actor=manager, ticket=earlier, kind="repair",
             items=[{"part": "Fan module", "unit_price": "45.00"}])  # fmt: skip
    invoice(customer=customer, at=NOW - dt.timedelta(days=40), amount="1200.00")
    opened = open_ticket(
        actor=alice,
        serial="M50-000042",
        severity="S2",
        subject="Pool degraded after a disk swap",
        body="zpool status shows one disk UNAVAIL.",
        channel="portal",
    )
    yield opened
    clock.set_now(None)


def test_a_canned_reply_with_a_file_sent_and_waiting_in_one_step(ticket, open_page, tmp_path):
    number = ticket.number
    mails_before = OutboxMessage.objects.filter(ticket_number=number).count()
    agent = open_page(1280, 800)
    agent.clock.set_fixed_time(NOW)
    log_in(agent, "agent@vendor.example", PASSWORD)
    agent.wait_for_url("**/console/")
    agent.goto(f"/console/tickets/{number}/")
    agent.get_by_label("Canned reply").select_option(label="Ask for a debug file")
    agent.get_by_role("button", name="Insert").click()
    box = agent.locator("#reply-body")
    expected = (
        f"Hello Acme Storage, could you send a debug file for ticket #{number}? "
        "We will update you by Wed 18 Nov 2026 14:00 PST."
    )
    agent.wait_for_function(
        "text => document.querySelector('#reply-body').value === text", arg=expected
    )
    assert box.get_attribute("data-shortcut") == "r"
    agent.locator("#reply-files").set_input_files(
        [{"name": "debug-steps.txt", "mimeType": "text/plain", "buffer": STEPS}]
    )
    shoot(agent, "console-ticket", tmp_path)
    agent.get_by_role("button", name="Send and wait on the customer").click()
    agent.get_by_text("the ticket waits on the customer (rule L5)").wait_for()

    assert Ticket.objects.get(number=number).status == "waiting_on_customer"
    [attachment] = Attachment.objects.filter(ticket__number=number)
    assert (attachment.name, attachment.message.body) == ("debug-steps.txt", expected)
    mails = OutboxMessage.objects.filter(ticket_number=number).order_by("pk")
    assert [m.kind for m in mails[mails_before:]] == ["agent_reply"]  # one mail, not two
    assert mails.last().to == ["alice@acme.example"]

    alice = open_page(1280, 800)
    log_in(alice, "alice@acme.example", PASSWORD)
    alice.wait_for_url("**/portal/")
    alice.goto(f"/portal/tickets/{number}/")
    reply = alice.locator("article.message", has_text="could you send a debug file")
    assert expected in reply.inner_text()
    with alice.expect_download() as download:
        reply.get_by_role("link", name="debug-steps.txt").click()
    assert Path(download.value.path()).read_bytes() == STEPS


def test_the_ticket_page_works_at_phone_width(ticket, open_page, tmp_path):
    phone = open_page(390, 844)
    phone.clock.set_fixed_time(NOW)
    log_in(phone, "agent@vendor.example", PASSWORD)
    phone.wait_for_url("**/console/")
    phone.goto(f"/console/tickets/{ticket.number}/")
    # Nothing sticks out sideways, and every action is there to reach.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for name in ("Assign to me", "Send", "Send and wait on the customer", "Send and close"):
        assert phone.get_by_role("button", name=name, exact=True).is_visible()
    assert phone.get_by_role("heading", name="Context").is_visible()
    phone.get_by_role("button", name="Assign to me").click()
    phone.get_by_text("Assigned to you.").wait_for()
    shoot(phone, "console-ticket-phone", tmp_path)
