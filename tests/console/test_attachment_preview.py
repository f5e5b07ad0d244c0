"""An agent previews a ticket's files in the console: text and logs inline (escaped, cut at 256
KB), PNG and JPEG pictures inline with safe headers, archives as their member lists (read from
their headers, nothing unpacked), anything else as a download only."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rmadesk.tickets.attachments import (
    StoredAttachment,
    attach_files,
    attach_stored_files,
    store_file,
)
from rmadesk.tickets.previews import MAX_MEMBERS, preview_of
from tests.console.helpers import html, text_of

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.RMADESK_DATA_DIR = tmp_path


def _attach(desk: Any, name: str, content: bytes) -> Any:
    [made] = attach_files(
        actor=desk.agent,
        ticket=desk.soon,
        message=desk.soon.messages.get(),
        files=[SimpleUploadedFile(name, content, "application/octet-stream")],
    )
    return made


def _tgz(members: dict[str, bytes], *, folders: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _preview(client: Any, desk: Any, file: Any) -> Any:
    return client.get(f"/console/tickets/{desk.soon.number}/attachments/{file.pk}/preview")


def test_a_log_is_shown_inline_escaped(desk, login):
    log = _attach(desk, "zpool.log", b"pool: tank\n<script>alert(1)</script> da3 UNAVAIL\n")
    _, agent = login()
    response = _preview(agent, desk, log)
    assert response.status_code == 200
    page = html(response)
    assert (
        '<pre class="file-text" tabindex="0" aria-label="Contents of zpool.log">pool: tank\n'
        "&lt;script&gt;alert(1)&lt;/script&gt; da3 UNAVAIL\n</pre>"
    ) in page
    assert "<script>alert(1)" not in page
    assert "Showing the first" not in page  # the whole file is shown
    link = f"/console/tickets/{desk.soon.number}/attachments/{log.pk}"
    assert f'<a href="{link}" download role="button" class="secondary">Download zpool.log</a>' in (
        page
    )
    assert f"← Ticket #{desk.soon.number} Pool offline" in page
    assert '<h1 id="preview-title">zpool.log</h1>' in page
    # For htmx, the preview alone (to show it inside another page).
    url = f"/console/tickets/{desk.soon.number}/attachments/{log.pk}/preview"
    fragment = html(agent.get(url, headers={"HX-Request": "true"}))
    assert fragment.startswith('<section class="attachment-preview"')
    assert '<h2 id="preview-title">zpool.log</h2>' in fragment and "<html" not in fragment


def test_a_long_log_shows_its_first_256_KB_and_says_so(desk, login):
    line = "Nov 18 10:00:01 nas kernel: da3: CAM status: SCSI Status Error.\n"
    content = (line * 10_000).encode()
    assert len(content) == 640_000
    log = _attach(desk, "messages.log", content)
    _, agent = login()
    page = html(_preview(agent, desk, log))
    assert (
        "Showing the first 256.0 KB of 625.0 KB; download the whole file to read the rest."
    ) in text_of(page)
    shown = page.split('aria-label="Contents of messages.log">', 1)[1].split("</pre>", 1)[0]
    assert len(shown.encode()) == 256 * 1024
    assert shown == content[: 256 * 1024].decode()


def test_a_customers_tgz_lists_its_members_and_sizes(desk, login):
    bundle = _tgz(
        {
            "debug/zpool-status.txt": b"pool: tank\n" * 30,
            "debug/dmesg.log": b"x" * 5000,
            "debug/<b>odd</b>.txt": b"",
        },
        folders=("debug",),
    )
    file = _attach(desk, "debug-M50-000042.tgz", bundle)
    _, agent = login()
    page = html(_preview(agent, desk, file))
    assert "4 members in debug-M50-000042.tgz (nothing is unpacked on the server)" in page
    rows = text_of(page.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
    assert rows.strip() == (
        "debug (folder) — debug/zpool-status.txt 330 bytes debug/dmesg.log 4.9 KB "
        "debug/&lt;b&gt;odd&lt;/b&gt;.txt 0 bytes"
    )


def test_a_zip_and_a_lone_gz_log_are_read_without_unpacking_to_disk(desk, login, tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("logs/messages", "kernel: da3\n" * 100)
        archive.writestr("logs/", "")
    zipped = _attach(desk, "logs.zip", out.getvalue())
    rotated = _attach(desk, "messages.0.gz", gzip.compress(b"Nov 17 kernel: panic\n"))
    _, agent = login()
    page = text_of(html(_preview(agent, desk, zipped)))
    assert "2 members in logs.zip" in page
    assert "logs/messages 1.2 KB logs/ (folder) —" in page
    page = html(_preview(agent, desk, rotated))
    assert "The text of <strong>messages.0</strong>, unpacked from this .gz." in page
    assert 'aria-label="Contents of messages.0.gz">Nov 17 kernel: panic\n</pre>' in page
    stored = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert len(stored) == 2  # the two stored files, nothing unpacked beside them


def test_an_archive_lists_at_most_1000_members_and_says_so(desk, login):
    many = _tgz({f"f{i:04}.txt": b"" for i in range(MAX_MEMBERS + 5)})
    file = _attach(desk, "many.tar.gz", many)
    preview = preview_of(file)
    assert len(preview.members) == MAX_MEMBERS and not preview.complete
    _, agent = login()
    page = text_of(html(_preview(agent, desk, file)))
    assert "1000 members listed in many.tar.gz" in page
    assert "Showing the first 1000 members: download the archive for the rest." in page


def test_a_damaged_archive_says_so_and_shows_what_it_read(desk, login):
    noise = {name: os.urandom(100_000) for name in ("a.bin", "b.bin")}  # does not compress
    broken = _tgz(noise)[:-2000]  # the gzip stream cut short, inside b.bin
    file = _attach(desk, "cut.tgz", broken)
    preview = preview_of(file)
    assert [m.name for m in preview.members] == ["a.bin", "b.bin"]
    assert not preview.complete and "ends early or is damaged" in preview.note


def test_a_picture_is_shown_with_safe_headers_and_nothing_else_is_served_inline(desk, login):
    picture = _attach(desk, "controller.png", PNG)
    pdf = _attach(desk, "report.pdf", b"%PDF-1.4\n" + bytes(100))
    _, agent = login()
    number = desk.soon.number
    page = html(_preview(agent, desk, picture))
    image = f"/console/tickets/{number}/attachments/{picture.pk}/image"
    assert f'<img class="file-image" src="{image}" alt="controller.png, as attached">' in page
    response = agent.get(image)
    assert response.status_code == 200
    assert response.getvalue() == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="controller.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none';")
    assert response["Content-Security-Policy"].endswith("; sandbox")
    assert response["Cache-Control"] == "private, no-store"
    # A PDF (or a text) is never served inline: no preview, a download.
    assert agent.get(f"/console/tickets/{number}/attachments/{pdf.pk}/image").status_code == 404
    assert "A PDF is not shown here: download it to read it." in html(_preview(agent, desk, pdf))


def test_a_legacy_file_is_judged_by_its_bytes_not_its_stored_type(desk, login):
    """Rows stored before the one rule (an SVG by mail, a log stored as text/x-log)."""
    svg = store_file(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    log = store_file(b"pool: tank\n")
    made = attach_stored_files(
        actor=desk.agent,
        ticket=desk.soon,
        message=None,
        files=[
            StoredAttachment("logo.svg", "image/svg+xml", svg),
            StoredAttachment("old.log", "text/x-log", log),
        ],
    )
    _, agent = login()
    page = html(_preview(agent, desk, made[0]))
    assert '<svg xmlns="http://www.w3.org/2000/svg" onload' not in page  # never drawn
    assert "&lt;svg" in page  # shown as text, escaped
    url = f"/console/tickets/{desk.soon.number}/attachments/{made[0].pk}/image"
    assert agent.get(url).status_code == 404
    assert 'aria-label="Contents of old.log">pool: tank\n</pre>' in html(
        _preview(agent, desk, made[1])
    )


def test_the_ticket_page_links_every_file_to_its_preview(desk, login):
    log = _attach(desk, "zpool.log", b"pool: tank\n")
    picture = _attach(desk, "controller.png", PNG)
    _, agent = login()
    page = html(agent.get(f"/console/tickets/{desk.soon.number}/"))
    base = f"/console/tickets/{desk.soon.number}/attachments"
    assert (
        f'<a href="{base}/{log.pk}/preview" class="preview-link" aria-label="Preview zpool.log">'
        "Preview</a>"
    ) in page
    assert f'<img class="thumb" src="{base}/{picture.pk}/image" alt=""' in page


def test_a_customer_and_another_ticket_get_404(desk, login):
    from tests.console.conftest import client_for, make_user

    log = _attach(desk, "zpool.log", b"pool: tank\n")
    contact = client_for(make_user("customer", customer=desk.customer))
    _, agent = login()
    for suffix in ("preview", "image"):
        own = f"/console/tickets/{desk.soon.number}/attachments/{log.pk}/{suffix}"
        other = f"/console/tickets/{desk.on_track.number}/attachments/{log.pk}/{suffix}"
        assert contact.get(own).status_code == 404
        assert agent.get(other).status_code == 404
