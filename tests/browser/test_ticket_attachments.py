"""Issue 10 in a real browser: a customer attaches a log in the portal, mails a screenshot to the
same ticket, and the agent downloads both from the console's ticket page, at desktop and phone
width (where a long file name wraps instead of widening the page). The screenshot
docs/screenshots/console-ticket-attachments.png comes from this test (RMADESK_SCREENSHOTS=1
refreshes it).
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from pathlib import Path

import pytest

from rmadesk.mail.inbound import ingest_message
from rmadesk.tickets.models import Attachment
from tests.browser.conftest import NOW, PASSWORD, log_in, shoot

pytestmark = pytest.mark.django_db(transaction=True)

LOG = b"pool: tank\n state: DEGRADED\n  da3  UNAVAIL  0  0  0  cannot open\n"


def _png(width: int, height: int) -> bytes:
    """A real PNG (a controller screen's blue), so the thumbnail in the thread draws."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes((30, 90, 160)) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


PNG = _png(640, 400)
LONG_NAME = "zpool_status_output_from_the_storage_controller_after_the_resilver_stopped.log"


@pytest.fixture
def desk(acme):
    return acme


def _mail_with_screenshot(number: int) -> bytes:
    encoded = base64.encodebytes(PNG).decode("ascii")
    return (
        "From: Alice <alice@acme.example>\nTo: support@rmadesk.example\n"
        f"Subject: Re: [#{number}] Pool degraded\nMessage-ID: <shot@acme.example>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe controller's screen, as asked.\n"
        "--B\nContent-Type: image/png\nContent-Disposition: attachment; "
        f'filename="controller.png"\nContent-Transfer-Encoding: base64\n\n{encoded}--B--\n'
    ).encode("ascii")


def test_portal_and_mail_files_are_downloaded_from_the_console(desk, open_page, tmp_path: Path):
    alice = open_page()
    log_in(alice, "alice@acme.example", PASSWORD)
    alice.wait_for_url("**/portal/")
    alice.goto("/portal/tickets/new")
    alice.select_option("#id_serial", "M50-000042")
    alice.check("#id_severity_S2")
    alice.get_by_label("Subject").fill("Pool degraded")
    alice.locator("textarea[name=body]").fill("zpool status attached.")
    alice.locator("#id_attachments").set_input_files(
        [{"name": LONG_NAME, "mimeType": "text/plain", "buffer": LOG}]
    )
    alice.get_by_role("button", name="Open the ticket").click()
    alice.wait_for_url(re.compile(r".*/portal/tickets/\d+/$"))
    number = int(re.search(r"/tickets/(\d+)/", alice.url).group(1))  # type: ignore[union-attr]
    assert ingest_message(_mail_with_screenshot(number)).status == "threaded"

    for width, height in ((1440, 900), (390, 844)):  # a desktop, a phone
        agent = open_page(width, height)
        agent.clock.set_fixed_time(NOW)  # the countdowns count from the desk's "now", too
        log_in(agent, "agent@vendor.example", PASSWORD)
        agent.wait_for_url("**/console/")
        agent.goto(f"/console/tickets/{number}/")
        files = agent.get_by_role("list", name="Attachments")
        assert files.count() == 2  # one list under each message that carried a file
        log_link = agent.get_by_role("link", name=LONG_NAME, exact=True)
        assert "text/plain, 65\xa0bytes" in files.first.inner_text()
        assert len(PNG) == 1986
        assert "image/png, 1.9\xa0KB" in files.last.inner_text()
        # Nothing sticks out sideways on a phone: the long name wraps.
        assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        with agent.expect_download() as download:
            log_link.click()
        assert download.value.suggested_filename == LONG_NAME
        assert Path(download.value.path()).read_bytes() == LOG
        with agent.expect_download() as download:
            agent.get_by_role("link", name="controller.png", exact=True).click()
        assert Path(download.value.path()).read_bytes() == PNG
        if width > 1000:
            shoot(agent, "console-ticket-attachments", tmp_path)
    assert Attachment.objects.filter(ticket__number=number).count() == 2
