"""Attachments: at most 10 MB each, of an allowed type, stored under the data directory and
served only to the ticket's own customer."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rmadesk.core.models import AuditEvent
from rmadesk.portal.forms import MAX_ATTACHMENT_BYTES
from rmadesk.tickets.attachments import stored_path
from rmadesk.tickets.models import Attachment, Ticket
from tests.tickets.factories import ticket_on

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def open_with(client: Any, *files: SimpleUploadedFile) -> Any:
    return client.post(
        "/portal/tickets/new",
        {
            "serial": "M50-000042",
            "severity": "S3",
            "subject": "Logs attached",
            "body": "See the files.",
            "attachments": list(files),
        },
    )


def test_files_are_stored_under_the_data_dir_and_downloadable(alice, acme, _data_dir):
    response = open_with(
        alice,
        upload("debug.log", b"zpool status: DEGRADED\n"),
        upload("screen.png", PNG, "image/png"),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    log, png = Attachment.objects.order_by("id")
    assert (log.name, log.content_type, log.size) == ("debug.log", "text/plain", 23)
    assert (png.name, png.content_type) == ("screen.png", "image/png")
    assert log.message == ticket.messages.get()
    assert log.uploaded_by == acme.user
    stored = stored_path(log.path)
    assert stored.is_relative_to(_data_dir.resolve() / "attachments" / "sha256")
    assert stored.name == log.sha256
    assert stored.read_bytes() == b"zpool status: DEGRADED\n"
    assert AuditEvent.objects.filter(verb="ticket.attachment_added").count() == 2

    body = alice.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert (
        f'href="/portal/tickets/{ticket.number}/attachments/{log.pk}/" download>debug.log' in body
    )
    download = alice.get(f"/portal/tickets/{ticket.number}/attachments/{log.pk}/")
    assert download.status_code == 200
    assert download.getvalue() == b"zpool status: DEGRADED\n"
    assert download["Content-Type"] == "text/plain"
    assert download["Content-Disposition"] == 'attachment; filename="debug.log"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"


def test_a_reply_carries_files_too(alice, acme):
    ticket = ticket_on(acme.asset, actor=acme.user)
    response = alice.post(
        f"/portal/tickets/{ticket.number}/reply",
        {"body": "Archive attached.", "attachments": [upload("logs.tar.gz", b"\x1f\x8b\x08", "")]},
    )
    assert response.status_code == 302
    stored = Attachment.objects.get()
    assert stored.message is not None and stored.message.body == "Archive attached."
    assert stored.content_type == "application/gzip"


def test_a_file_over_10_MB_is_refused_and_nothing_is_opened(alice, acme):
    big = upload("huge.log", b"x" * (MAX_ATTACHMENT_BYTES + 1024 * 1024))
    response = open_with(alice, big)
    assert response.status_code == 400
    assert "huge.log is 11.0 MB: attachments are at most 10.0 MB each." in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_of_a_refused_type_is_refused(alice, acme):
    response = open_with(alice, upload("setup.exe", b"MZ\x90\x00", "application/x-msdownload"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "setup.exe: files ending in .exe are not accepted; attach one of .cfg, .conf" in body
    assert ".log" in body and ".pdf" in body
    assert not Ticket.objects.exists()


def test_a_file_whose_content_is_not_its_type_is_refused(alice, acme):
    response = open_with(alice, upload("photo.png", b"<script>alert(1)</script>", "image/png"))
    assert response.status_code == 400
    assert "photo.png: the content is not image/png as its name (.png) says." in (
        response.content.decode()
    )
    assert not Ticket.objects.exists()


def test_the_declared_type_is_ignored_the_name_and_content_decide(alice, acme):
    response = open_with(alice, upload("notes.txt", b"hello", "text/html"))
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "text/plain"


def test_the_limits_are_stated_next_to_the_file_input(alice, acme):
    body = alice.get("/portal/tickets/new").content.decode()
    assert (
        '<small id="id_attachments_help" class="muted">Up to 5 files of at most 10.0 MB each: '
        ".cfg, .conf, .csv, .gz, .jpeg, .jpg, .json, .log, .pdf, .png, .tar, .tgz, .txt, .xml, "
        ".zip.</small>"
    ) in body
    assert (
        'multiple accept=".cfg,.conf,.csv,.gz,.jpeg,.jpg,.json,.log,.pdf,.png,.tar,.tgz,.txt,.xml,'
        '.zip" aria-describedby="id_attachments_help"'
    ) in body


def test_at_most_five_files(alice, acme):
    files = [upload(f"f{i}.txt", b"x") for i in range(6)]
    response = open_with(alice, *files)
    assert response.status_code == 400
    assert "attach at most 5 files at once (6 given)." in response.content.decode()


def test_another_customers_attachment_is_404(alice, acme, bob, globex):
    open_with(alice, upload("debug.log", b"secret\n"))
    ticket = Ticket.objects.get()
    stored = Attachment.objects.get()
    assert bob.get(f"/portal/tickets/{ticket.number}/attachments/{stored.pk}/").status_code == 404
    # An attachment id of another ticket, under one's own ticket number, is 404 too.
    own = ticket_on(globex.asset, actor=globex.user)
    assert bob.get(f"/portal/tickets/{own.number}/attachments/{stored.pk}/").status_code == 404
