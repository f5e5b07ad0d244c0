"""The portal takes a file by what it is: its name's allowed ending and its content.

Whatever type the browser declares: Chromium on Linux says `text/x-log` for a .log and
`application/x-compressed-tar` for a .tgz, Firefox on Windows `application/x-zip-compressed` or
`application/x-gzip`, Safari often `application/octet-stream` or nothing at all. Every one of
those is accepted when the content is what the name says, and stored under the name's type; a
file whose content lies is refused, naming the field and the rule, and nothing is written.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rmadesk.core.errors import InvalidInput
from rmadesk.core.models import AuditEvent
from rmadesk.tickets.attachments import check_upload
from rmadesk.tickets.file_types import accepted_type, looks_like_text
from rmadesk.tickets.models import Attachment
from tests.tickets.factories import ticket_on

pytestmark = pytest.mark.django_db


def _tar_gz() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        data = b"pool: tank\n state: ONLINE\n"
        info = tarfile.TarInfo("debug/zpool-status.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("logs/messages", "kernel: da3: UNAVAIL\n")
    return out.getvalue()


CONTENT = {
    ".log": b"Nov 18 10:00:01 nas kernel: da3: UNAVAIL \xe2\x80\x94 retrying\n",
    ".txt": b"zpool status\n",
    ".tgz": _tar_gz(),
    ".tar.gz": _tar_gz(),
    ".zip": _zip(),
    ".gz": gzip.compress(b"Nov 18 kernel: panic\n"),
    ".png": b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64),
    ".jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64),
    ".pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
}
STORED = {
    ".log": "text/plain",
    ".txt": "text/plain",
    ".tgz": "application/gzip",
    ".tar.gz": "application/gzip",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
}
# (ending, declared type, who declares it): what Chromium, Firefox and Safari send, on Linux,
# Windows and macOS; "" is a browser that declares nothing.
DECLARED = [
    (".log", "text/x-log", "Chromium and Firefox on Linux"),
    (".log", "text/plain", "Safari, Chromium on macOS"),
    (".log", "application/octet-stream", "Chromium and Firefox on Windows"),
    (".log", "", "a browser that declares nothing"),
    (".txt", "text/plain", "every browser"),
    (".txt", "", "a browser that declares nothing"),
    (".txt", "application/octet-stream", "Safari with an odd file"),
    (".tgz", "application/x-compressed-tar", "Chromium and Firefox on Linux"),
    (".tgz", "application/x-gzip", "Firefox on Windows"),
    (".tgz", "application/gzip", "Chromium on macOS"),
    (".tgz", "application/x-tar", "Safari"),
    (".tgz", "application/octet-stream", "Chromium on Windows"),
    (".tgz", "", "a browser that declares nothing"),
    (".tar.gz", "application/x-compressed-tar", "Chromium and Firefox on Linux"),
    (".tar.gz", "application/gzip", "Chromium and Safari on macOS"),
    (".tar.gz", "application/x-gzip", "Firefox and Chromium on Windows"),
    (".tar.gz", "application/x-tar", "Safari"),
    (".tar.gz", "application/octet-stream", "a browser that guesses nothing"),
    (".tar.gz", "", "a browser that declares nothing"),
    (".zip", "application/zip", "Chromium, Firefox, Safari"),
    (".zip", "application/x-zip-compressed", "Chromium and Firefox on Windows"),
    (".zip", "application/octet-stream", "an old browser"),
    (".zip", "", "a browser that declares nothing"),
    (".gz", "application/gzip", "Chromium and Firefox on Linux"),
    (".gz", "application/x-gzip", "Firefox and Chromium on Windows, Safari"),
    (".gz", "application/octet-stream", "a browser that guesses nothing"),
    (".gz", "", "a browser that declares nothing"),
    (".png", "image/png", "every browser"),
    (".png", "", "a browser that declares nothing"),
    (".jpg", "image/jpeg", "every browser"),
    (".jpg", "image/pjpeg", "an old Internet Explorer"),
    (".jpg", "", "a browser that declares nothing"),
    (".pdf", "application/pdf", "every browser"),
    (".pdf", "application/x-pdf", "an old browser"),
    (".pdf", "application/octet-stream", "a browser that guesses nothing"),
    (".pdf", "", "a browser that declares nothing"),
]


def _reply_with(client, ticket, *files):
    return client.post(
        f"/portal/tickets/{ticket.number}/reply",
        {"body": "Files attached.", "attachments": list(files)},
    )


@pytest.mark.parametrize(
    ("ending", "declared"),
    [(ending, declared) for ending, declared, _who in DECLARED],
    ids=[f"{ending} as {declared or 'nothing'} ({who})" for ending, declared, who in DECLARED],
)
def test_each_allowed_file_is_accepted_whatever_type_the_browser_declares(
    alice, acme, ending, declared
):
    ticket = ticket_on(acme.asset, actor=acme.user)
    name = f"debug-bundle{ending}"
    response = _reply_with(alice, ticket, SimpleUploadedFile(name, CONTENT[ending], declared))
    assert response.status_code == 302, response.content.decode()[-2000:]
    stored = Attachment.objects.get()
    assert (stored.name, stored.content_type, stored.size) == (
        name,
        STORED[ending],
        len(CONTENT[ending]),
    )
    assert stored.message is not None and stored.message.body == "Files attached."


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
LIES = [
    ("screen.png", b"just some text, not a picture\n", "image/png",
     "screen.png: the content is not image/png as its name (.png) says."),
    ("debug.log", EXE, "text/x-log",
     "debug.log: the content is not UTF-8 text without NUL bytes as its name (.log) says."),
    ("bundle.tgz", b"pool: tank\n", "application/x-compressed-tar",
     "bundle.tgz: the content is not application/gzip as its name (.tgz) says."),
    ("logs.zip", CONTENT[".pdf"], "application/zip",
     "logs.zip: the content is not application/zip as its name (.zip) says."),
    ("photo.jpg", CONTENT[".png"], "image/jpeg",
     "photo.jpg: the content is not image/jpeg as its name (.jpg) says."),
    ("report.pdf", b"<html><script>alert(1)</script>", "application/pdf",
     "report.pdf: the content is not application/pdf as its name (.pdf) says."),
    ("notes.txt", b"caf\xe9 latin-1\n", "text/plain",
     "notes.txt: the content is not UTF-8 text without NUL bytes as its name (.txt) says."),
    ("setup.exe", EXE, "application/x-msdownload",
     "setup.exe: files ending in .exe are not accepted; attach one of .cfg, .conf, .csv, .gz, "
     ".jpeg, .jpg, .json, .log, .pdf, .png, .tar, .tgz, .txt, .xml, .zip."),
    ("drawing.svg", b"<svg onload=alert(1)>", "image/svg+xml",
     "drawing.svg: files ending in .svg are not accepted; attach one of .cfg, .conf, .csv, "
     ".gz, .jpeg, .jpg, .json, .log, .pdf, .png, .tar, .tgz, .txt, .xml, .zip."),
    ("Makefile", b"all:\n", "text/plain",
     "Makefile: files without an ending are not accepted; attach one of .cfg, .conf, .csv, "
     ".gz, .jpeg, .jpg, .json, .log, .pdf, .png, .tar, .tgz, .txt, .xml, .zip."),
]  # fmt: skip


@pytest.mark.parametrize("lie", LIES, ids=[c[0] for c in LIES])
def test_a_file_whose_name_or_content_lies_is_refused_naming_the_rule(alice, acme, lie):
    name, content, declared, refusal = lie
    ticket = ticket_on(acme.asset, actor=acme.user)
    before = (ticket.messages.count(), AuditEvent.objects.count())
    response = _reply_with(alice, ticket, SimpleUploadedFile(name, content, declared))
    assert response.status_code == 400
    assert refusal in response.content.decode()
    assert (ticket.messages.count(), AuditEvent.objects.count()) == before
    assert not Attachment.objects.exists()
    # The same rule, as the domain states it to the API and the console: field and words.
    with pytest.raises(InvalidInput) as refused:
        check_upload(SimpleUploadedFile(name, content, declared), field="file")
    assert (refused.value.field, refused.value.message) == ("file", refusal)


def test_text_is_judged_on_its_head_even_when_a_character_is_cut():
    head = "é".encode() * 4096 + "é".encode()[:1]  # the head ends inside a character
    assert looks_like_text(head)
    assert not looks_like_text(b"abc\x00def")
    assert accepted_type("cut.log", head) == "text/plain"
    tar = bytes(257) + b"ustar\x0000" + bytes(250)
    assert accepted_type("backup.tar", tar) == "application/x-tar"
    with pytest.raises(InvalidInput, match=r"not application/x-tar as its name \(\.tar\) says"):
        accepted_type("backup.tar", b"not a tar")
