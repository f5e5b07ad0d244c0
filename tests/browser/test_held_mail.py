"""Issue 11 in a real browser: a mail from an unknown sender comes in through the real intake and
is held; an agent opens Held mail, links it to the customer and one of its serials (remembering
the sender), and lands on the new ticket showing the mail's text and file. At desktop and phone
width, with no serious or critical axe-core finding on either page.
docs/screenshots/console-held-mail.png (and -phone) come from this test
(RMADESK_SCREENSHOTS=1 refreshes them).
"""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Attachment, Ticket
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in, shoot
from tests.factories import AssetFactory, ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
LOG = b"pool: tank\n state: DEGRADED\n  da3  UNAVAIL  0  0  0  cannot open\n"
TEXT = "Our new storage box reports a degraded pool since the power cut last night."


def unknown_senders_mail(n: int) -> bytes:
    """A real MIME message: text and a log, from an address no customer has on file."""
    encoded = base64.encodebytes(LOG).decode("ascii")
    return (
        "From: Dana Night-Shift <dana.nightshift@acme-ops.example>\n"
        "To: support@rmadesk.example\nSubject: Pool degraded after power cut\n"
        f"Message-ID: <held-{n}@acme-ops.example>\nDate: Wed, 18 Nov 2026 09:40:00 -0800\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        f"--B\nContent-Type: text/plain; charset=utf-8\n\n{TEXT}\n"
        "--B\nContent-Type: text/plain\nContent-Disposition: attachment; "
        f'filename="zpool-status.log"\nContent-Transfer-Encoding: base64\n\n{encoded}--B--\n'
    ).encode("ascii")


@pytest.fixture
def desk(settings, tmp_path):
    clock.set_now(NOW)  # the live server runs in another thread: only the process-wide clock
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"
    customer = CustomerFactory(name="Acme Storage", zone="America/Los_Angeles")
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="M50-000042")
    AssetFactory(customer=customer, serial="M50-000043")
    CustomerFactory(name="Globex")
    add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    yield customer
    clock.set_now(None)


def test_an_agent_links_a_held_mail_and_lands_on_the_new_ticket(desk, open_page, tmp_path):
    mails = [ingest_message(unknown_senders_mail(n), source="smtp") for n in (1, 2)]
    assert [m.status for m in mails] == ["held_unknown_sender"] * 2
    for n, (width, height) in enumerate(((1280, 800), (390, 844)), start=1):
        held = mails[-n]  # newest first: the agent takes the top row
        page = open_page(width, height)
        page.clock.set_fixed_time(NOW)
        log_in(page, "agent@vendor.example", PASSWORD)
        page.wait_for_url("**/console/")
        nav = page.get_by_role("link", name=re.compile(r"^Held mail"))
        expect(nav).to_have_text(
            re.compile(rf"^Held mail\s*{3 - n}\s*waiting\s*$")
        )  # htmx loads it
        nav.click()
        page.wait_for_url("**/console/mail/held/")
        row = page.get_by_role("row", name=re.compile("Pool degraded after power cut")).first
        assert "Unknown sender" in row.inner_text()
        assert "Dana Night-Shift" in row.inner_text()
        assert "Files: zpool-status.log" in row.inner_text()
        assert "Wed 18 Nov 2026, 10:00 PST" in row.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page, where="held mail")
        if n == 1:
            shoot(page, "console-held-mail", tmp_path)
        page.get_by_role("link", name="Pool degraded after power cut").first.click()
        page.wait_for_url(f"**/console/mail/held/{held.pk}/")
        assert TEXT in page.locator(".mail-text").inner_text()
        page.get_by_label("Customer", exact=True).select_option(label="Acme Storage")
        # choosing the customer loads its serials for the serial field (htmx)
        page.wait_for_function(
            "() => document.querySelectorAll('#held-serials option').length === 2"
        )
        page.get_by_label("Serial (a new ticket on it)").fill("M50-000043")
        page.get_by_role(
            "checkbox", name=re.compile("Remember dana.nightshift@acme-ops.example")
        ).check()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page, where="linking a held email")
        shoot(page, "console-held-mail-phone" if n == 2 else "console-held-mail-link", tmp_path)
        page.get_by_role("button", name="Link").click()
        page.wait_for_url(re.compile(r".*/console/tickets/\d+/$"))
        number = int(re.search(r"/tickets/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
        main = page.locator("main").inner_text()
        assert f"The email opened ticket {number}." in main
        assert TEXT in main
        assert "zpool-status.log" in main
        ticket = Ticket.objects.get(number=number)
        assert (ticket.customer, ticket.asset.serial, ticket.channel) == (
            desk,
            "M50-000043",
            "email",
        )
        assert Attachment.objects.get(ticket=ticket).name == "zpool-status.log"
        assert InboundMessage.objects.get(pk=held.pk).status == "ticket_opened"
    assert Contact.objects.filter(customer=desk, email="dana.nightshift@acme-ops.example").exists()
