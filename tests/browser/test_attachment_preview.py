"""Issue 11 in a real browser: an agent reads a customer's .tgz and a mailed log without
downloading either.

The customer uploads a storage debug bundle (`.tgz`) through the portal form, with the type
Chromium on Linux declares for it (`application/x-compressed-tar`); the same customer mails a
`.log` (declared `text/x-log`) through the real mail intake (`ingest_message` with a MIME
message). The agent opens the ticket, previews the bundle (its member list, nothing unpacked)
and the log (its lines, inline), at desktop and phone width. The screenshots
docs/screenshots/console-attachment-preview.png (the .tgz) and
console-attachment-preview-log.png (the log) come from this test (RMADESK_SCREENSHOTS=1).
"""

from __future__ import annotations

import base64
import io
import re
import tarfile

import pytest

from rmadesk.mail.inbound import ingest_message
from rmadesk.tickets.models import Attachment
from tests.browser.conftest import NOW, PASSWORD, log_in, shoot

pytestmark = pytest.mark.django_db(transaction=True)

LOG_LINES = [
    "Nov 18 09:41:07 nas kernel: mpr0: Controller reported scsi ioc terminated tgt 3",
    "Nov 18 09:41:07 nas kernel: (da3:mpr0:0:3:0): READ(10). CDB: 28 00 1d 2c 7f 00 00 01 00 00",
    "Nov 18 09:41:08 nas kernel: (da3:mpr0:0:3:0): CAM status: CCB request completed with an error",
    "Nov 18 09:41:09 nas zfsd: Vdev da3p2 (guid 1311947820) state changed to FAULTED",
    "Nov 18 09:41:09 nas ZFS: vdev state changed, pool_guid=7782 vdev_guid=1311947820",
]
LOG = ("\n".join(LOG_LINES) + "\n").encode()
MEMBERS = {
    "debug-M50-000042/zpool-status.txt": b"  pool: tank\n state: DEGRADED\n" * 12,
    "debug-M50-000042/dmesg.log": b"da3 at mpr0 bus 0 scbus0 target 3 lun 0\n" * 150,
    "debug-M50-000042/smartctl-da3.txt": b"SMART overall-health self-assessment: FAILED\n" * 40,
    "debug-M50-000042/ixdiagnose/config.json": b'{"version": "TrueNAS-13.0-U6"}\n',
}


def _bundle() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        folder = tarfile.TarInfo("debug-M50-000042")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, data in MEMBERS.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture
def desk(acme):
    return acme


def _mailed_log(number: int) -> bytes:
    encoded = base64.encodebytes(LOG).decode("ascii")
    return (
        "From: Alice <alice@acme.example>\nTo: support@rmadesk.example\n"
        f"Subject: Re: [#{number}] Pool degraded after a disk fault\n"
        "Message-ID: <messages-log@acme.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe system log from this morning.\n"
        "--B\nContent-Type: text/x-log\nContent-Disposition: attachment; "
        f'filename="messages.log"\nContent-Transfer-Encoding: base64\n\n{encoded}--B--\n'
    ).encode("ascii")


def test_an_agent_reads_a_customers_tgz_and_a_mailed_log(desk, open_page, tmp_path):
    bundle = _bundle()
    alice = open_page()
    log_in(alice, "alice@acme.example", PASSWORD)
    alice.wait_for_url("**/portal/")
    alice.goto("/portal/tickets/new")
    # The limits are stated before anything is uploaded.
    assert (
        "Up to 5 files of at most 10.0 MB each"
        in alice.locator("#id_attachments_help").inner_text()
    )
    alice.select_option("#id_serial", "M50-000042")
    alice.check("#id_severity_S2")
    alice.get_by_label("Subject").fill("Pool degraded after a disk fault")
    alice.locator("textarea[name=body]").fill("Debug bundle attached.")
    alice.locator("#id_attachments").set_input_files(
        [{"name": "debug-M50-000042.tgz", "mimeType": "application/x-compressed-tar",
          "buffer": bundle}]
    )  # fmt: skip
    alice.get_by_role("button", name="Open the ticket").click()
    alice.wait_for_url(re.compile(r".*/portal/tickets/\d+/$"))
    number = int(re.search(r"/tickets/(\d+)/", alice.url).group(1))  # type: ignore[union-attr]
    inbound = ingest_message(_mailed_log(number))
    assert inbound.status == "threaded"
    assert "messages.log" not in inbound.ticket_message.body  # a real attachment, not a line
    tgz, log = Attachment.objects.filter(ticket__number=number).order_by("id")
    assert (tgz.content_type, log.content_type) == ("application/gzip", "text/plain")

    for width, height in ((1280, 800), (390, 844)):  # a desktop, a phone
        agent = open_page(width, height)
        agent.clock.set_fixed_time(NOW)
        log_in(agent, "agent@vendor.example", PASSWORD)
        agent.wait_for_url("**/console/")
        agent.goto(f"/console/tickets/{number}/")
        lists = agent.get_by_role("list", name="Attachments")
        assert lists.count() == 2  # the portal message's file, the mail's file
        assert "debug-M50-000042.tgz" in lists.first.inner_text()
        assert "messages.log" in lists.last.inner_text()

        agent.get_by_role("link", name="Preview debug-M50-000042.tgz").click()
        agent.wait_for_url(f"**/console/tickets/{number}/attachments/{tgz.pk}/preview")
        table = agent.get_by_role("table")
        assert "5 members in debug-M50-000042.tgz" in table.locator("caption").inner_text()
        rows = [r.inner_text().split("\t") for r in table.locator("tbody tr").all()]
        assert [row[0] for row in rows] == ["debug-M50-000042 (folder)", *MEMBERS]
        assert rows[2][1] == "5.9\xa0KB"  # dmesg.log: 6,000 bytes
        assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if width > 1000:
            shoot(agent, "console-attachment-preview", tmp_path)

        agent.get_by_role("link", name=re.compile(rf"Ticket #{number}")).click()
        agent.get_by_role("link", name="Preview messages.log").click()
        agent.wait_for_url(f"**/console/tickets/{number}/attachments/{log.pk}/preview")
        shown = agent.get_by_label("Contents of messages.log").inner_text()
        assert shown.splitlines() == LOG_LINES
        assert "Showing the first" not in agent.content()
        assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if width > 1000:
            shoot(agent, "console-attachment-preview-log", tmp_path)
        with agent.expect_download() as download:
            agent.get_by_role("button", name="Download messages.log").click()
        assert download.value.suggested_filename == "messages.log"
