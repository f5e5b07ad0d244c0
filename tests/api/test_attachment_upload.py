"""POST /api/v1/tickets/{number}/attachments: files uploaded by the API, by the rule of every door.

A customer uploads to its own tickets (onto the ticket, or onto one of its own messages); staff
also onto any message, or for staff only (`internal`), where a new internal note carries the
files and neither they nor their history entries ever reach the customer. The same allow-list,
content check and size limits as the portal; a refusal names the field and the rule in words,
and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rmadesk.api.api import api
from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user, issue_token
from rmadesk.tickets.file_types import MAX_ATTACHMENT_BYTES
from rmadesk.tickets.models import Attachment, Message
from rmadesk.tickets.services import close_ticket, reply
from tests.api_client import ApiClient
from tests.tickets.factories import asset_on_plan, pacific, ticket_on

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 18, 10, 0)
LOG = b"pool: tank\n state: DEGRADED\n"
TGZ = gzip.compress(bytes(1024))  # a gzip stream: what a .tgz starts with


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Any) -> Iterator[dt.datetime]:
    settings.RMADESK_DATA_DIR = tmp_path
    with clock.frozen_at(NOW) as at:
        yield at


def _api(user: Any) -> ApiClient:
    return ApiClient(issue_token(user=user), user)


@pytest.fixture
def desk() -> SimpleNamespace:
    asset = asset_on_plan("gold", serial="A-1")
    contact = add_user(email="alice@acme.example", role="customer", customer_id=asset.customer_id)
    agent = add_user(email="agent@vendor.example", role="agent")
    ticket = ticket_on(asset, actor=contact)
    return SimpleNamespace(
        ticket=ticket,
        first=ticket.messages.get(),
        contact=contact,
        agent=agent,
        customer=_api(contact),
        staff=_api(agent),
        url=f"/tickets/{ticket.number}/attachments",
    )


def upload(name: str, content: bytes, declared: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=declared)


def _written() -> tuple[int, int, int]:
    return (Attachment.objects.count(), Message.objects.count(), AuditEvent.objects.count())


def test_a_customer_uploads_a_log_and_a_tgz_whatever_their_declared_types(desk):
    answer = desk.customer.upload(
        desk.url,
        [upload("zpool.log", LOG, "text/x-log"),
         upload("debug.tgz", TGZ, "application/x-compressed-tar")],
    )  # fmt: skip
    assert answer.status == 201, answer.body
    log, tgz = Attachment.objects.order_by("id")
    assert answer.body == [
        {
            "id": log.pk,
            "name": "zpool.log",
            "content_type": "text/plain",
            "size": len(LOG),
            "uploaded_at": "2026-11-18T10:00:00-08:00",
            "uploaded_by": "alice@acme.example",
            "message": None,
            "url": f"/api/v1{desk.url}/{log.pk}",
        },
        {
            "id": tgz.pk,
            "name": "debug.tgz",
            "content_type": "application/gzip",
            "size": len(TGZ),
            "uploaded_at": "2026-11-18T10:00:00-08:00",
            "uploaded_by": "alice@acme.example",
            "message": None,
            "url": f"/api/v1{desk.url}/{tgz.pk}",
        },
    ]
    assert desk.customer.get(f"{desk.url}/{log.pk}").content == LOG
    assert [f["name"] for f in desk.staff.get(desk.url).body] == ["zpool.log", "debug.tgz"]
    event = AuditEvent.objects.filter(verb="ticket.attachment_added").latest("id")
    assert (event.changes["via"], event.actor_id) == ("api", desk.contact.pk)


def test_a_customer_adds_files_to_its_own_message_only(desk):
    answer = desk.customer.upload(desk.url, [upload("zpool.log", LOG)], message=desk.first.pk)
    assert answer.status == 201 and answer.body[0]["message"] == desk.first.pk
    agents = reply(actor=desk.agent, ticket=desk.ticket, body="Send the log.", public=True)
    note = reply(actor=desk.agent, ticket=desk.ticket, body="Disk da3.", public=False)
    before = _written()
    answer = desk.customer.upload(desk.url, [upload("zpool.log", LOG)], message=agents.pk)
    assert (answer.status, answer.body) == (400, {
        "error": f"message {agents.pk} is the vendor's: add files to your own messages, or to "
                 "the ticket (leave out the message)",
        "field": "message", "rule": None,
    })  # fmt: skip
    # An internal note answers like a message that does not exist.
    for missing in (note.pk, note.pk + 100):
        answer = desk.customer.upload(desk.url, [upload("zpool.log", LOG)], message=missing)
        assert (answer.status, answer.body) == (400, {
            "error": f"ticket {desk.ticket.number} has no message {missing}",
            "field": "message", "rule": None,
        })  # fmt: skip
    assert _written() == before


def test_staff_attach_for_staff_only_and_the_customer_never_sees_it(desk):
    answer = desk.staff.upload(desk.url, [upload("controller.txt", b"internal\n")], internal="true")
    assert answer.status == 201, answer.body
    note = Message.objects.get(is_public=False)
    assert (note.body, note.kind, note.author) == (
        "Files attached: controller.txt",
        "note",
        desk.agent,
    )
    assert answer.body[0]["message"] == note.pk
    hidden = answer.body[0]["id"]
    # The customer: not in the list, 404 on the file, nothing in the ticket's history.
    assert desk.customer.get(desk.url).body == []
    assert desk.customer.get(f"{desk.url}/{hidden}").status == 404
    history = desk.customer.get(f"/tickets/{desk.ticket.number}").body["history"]
    assert [e["verb"] for e in history] == ["ticket.opened"]
    assert "controller.txt" not in str(desk.customer.get(f"/tickets/{desk.ticket.number}").body)
    # Staff see the note, the file and its history entry.
    staff_history = desk.staff.get(f"/tickets/{desk.ticket.number}").body["history"]
    assert [e["verb"] for e in staff_history] == [
        "ticket.opened",
        "ticket.note_added",
        "ticket.attachment_added",
    ]
    assert staff_history[2]["changes"]["message"] == note.pk
    assert [f["name"] for f in desk.staff.get(desk.url).body] == ["controller.txt"]


def test_a_file_on_a_public_message_shows_in_the_customers_history(desk):
    assert desk.staff.upload(desk.url, [upload("fix.txt", b"step 1\n")]).status == 201
    history = desk.customer.get(f"/tickets/{desk.ticket.number}").body["history"]
    assert [e["verb"] for e in history] == ["ticket.opened", "ticket.attachment_added"]
    assert history[1]["changes"]["name"] == "fix.txt"


def test_internal_is_for_staff_and_for_internal_notes(desk):
    before = _written()
    answer = desk.customer.upload(desk.url, [upload("zpool.log", LOG)], internal="true")
    assert (answer.status, answer.body["field"]) == (403, "internal")
    answer = desk.staff.upload(
        desk.url, [upload("zpool.log", LOG)], internal="true", message=desk.first.pk
    )
    assert (answer.status, answer.body) == (400, {
        "error": f"message {desk.first.pk} is public: files for staff only go on an internal "
                 "note (leave out the message to start one)",
        "field": "internal", "rule": None,
    })  # fmt: skip
    assert _written() == before


BIG = MAX_ATTACHMENT_BYTES + 1024 * 1024
REFUSALS = [
    ([upload("huge.log", b"x" * BIG)], 400,
     "huge.log is 11.0 MB: attachments are at most 10.0 MB each."),
    ([upload("screen.png", b"not a picture", "image/png")], 400,
     "screen.png: the content is not image/png as its name (.png) says."),
    ([upload("setup.log", b"MZ\x90\x00" + bytes(64), "text/x-log")], 400,
     "setup.log: the content is not UTF-8 text without NUL bytes as its name (.log) says."),
    ([upload("page.html", b"<p>hi</p>", "text/html")], 400,
     "page.html: files ending in .html are not accepted; attach one of .cfg, .conf, .csv, .gz, "
     ".jpeg, .jpg, .json, .log, .pdf, .png, .tar, .tgz, .txt, .xml, .zip."),
    ([upload("ok.log", LOG), upload("bad.exe", b"MZ")], 400,
     "bad.exe: files ending in .exe are not accepted; attach one of .cfg, .conf, .csv, .gz, "
     ".jpeg, .jpg, .json, .log, .pdf, .png, .tar, .tgz, .txt, .xml, .zip."),
    ([upload(f"f{i}.txt", b"x") for i in range(6)], 400,
     "attach at most 5 files at once (6 given)."),
]  # fmt: skip


@pytest.mark.parametrize(("files", "status", "error"), REFUSALS, ids=[r[2][:24] for r in REFUSALS])
def test_a_refused_upload_names_the_field_and_the_rule_and_writes_nothing(
    desk, tmp_path, files, status, error
):
    before = _written()
    answer = desk.customer.upload(desk.url, files)
    assert (answer.status, answer.body) == (status, {"error": error, "field": "file", "rule": None})
    assert _written() == before
    assert not (tmp_path / "attachments").exists() or not any(
        p.is_file() for p in (tmp_path / "attachments").rglob("*")
    )


def test_no_file_and_a_closed_ticket_are_refused(desk):
    answer = desk.customer.upload(desk.url, [])
    assert (answer.status, answer.body["field"]) == (422, "file")
    close_ticket(actor=desk.agent, ticket=desk.ticket, reason="Fixed.")
    answer = desk.customer.upload(desk.url, [upload("zpool.log", LOG)])
    assert answer.status == 409
    assert answer.body["error"].endswith("is closed (resolved): files cannot be added")


def test_the_upload_is_in_the_openapi_document():
    operation = api.get_openapi_schema()["paths"]["/api/v1/tickets/{number}/attachments"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = api.get_openapi_schema()["components"]["schemas"]
    form = schema[body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert set(form["properties"]) == {"file", "message", "internal"}
    assert form["properties"]["file"]["items"]["format"] == "binary"
    assert form["required"] == ["file"]
    assert "Up to 5 files of at most 10.0 MB each" in operation["description"]
    assert 201 in operation["responses"]
