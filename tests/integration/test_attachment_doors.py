"""Issue 10: one attachment record seen through every door — portal, mail, console and API.

A file a customer uploads in the portal downloads byte for byte from the console and the API; a
file that came by email is listed on the console page and by the API; the same bytes by both
ways are one stored file; and customer B gets 404 for customer A's file at every door, exactly
like a file that does not exist.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user, issue_token
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.tickets.attachments import attach_files, stored_path
from rmadesk.tickets.models import Attachment, Ticket
from rmadesk.tickets.services import reply
from tests.api_client import ApiClient, Response
from tests.signin import sign_in
from tests.tickets.factories import asset_on_plan, pacific

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 18, 10, 0)  # Wednesday 10:00 PST
LOG = b"pool: tank\n state: DEGRADED\n  da3  UNAVAIL\n"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Any) -> None:
    settings.RMADESK_DATA_DIR = tmp_path
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[dt.datetime]:
    with clock.frozen_at(NOW) as at:
        yield at


def _customer(name: str, serial: str, email: str) -> SimpleNamespace:
    asset = asset_on_plan("gold", serial=serial)
    customer = asset.customer
    customer.name = name
    customer.save(update_fields=["name"])
    Contact.objects.create(customer=customer, name=name, email=email)
    contact = add_user(email=email, role="customer", customer_id=customer.pk)
    portal = Client()
    sign_in(portal, contact)
    return SimpleNamespace(
        customer=customer,
        asset=asset,
        user=contact,
        email=email,
        portal=portal,
        api=ApiClient(issue_token(user=contact), contact),
    )


@pytest.fixture
def desk() -> SimpleNamespace:
    agent = add_user(email="agent@vendor.example", role="agent")
    console = Client()
    sign_in(console, agent)
    return SimpleNamespace(
        a=_customer("Acme Storage", "A-0001", "alice@acme.example"),
        b=_customer("Globex", "B-0001", "bob@globex.example"),
        agent=agent,
        console=console,
        api=ApiClient(issue_token(user=agent), agent),
    )


def _portal_ticket(who: SimpleNamespace, *files: SimpleUploadedFile) -> Ticket:
    response = who.portal.post(
        "/portal/tickets/new",
        {
            "serial": who.asset.serial,
            "severity": "S2",
            "subject": "Pool degraded",
            "body": "Files attached.",
            "attachments": list(files),
        },
    )
    assert response.status_code == 302, response.content[:300]
    return Ticket.objects.get(customer=who.customer)


def _mail(sender: str, subject: str, name: str, content_type: str, data: bytes) -> bytes:
    encoded = base64.encodebytes(data).decode("ascii")
    return (
        f"From: {sender}\nTo: support@rmadesk.example\nSubject: {subject}\n"
        f"Message-ID: <{name}@customer.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe file, as asked.\n"
        f"--B\nContent-Type: {content_type}\nContent-Disposition: attachment; "
        f'filename="{name}"\nContent-Transfer-Encoding: base64\n\n{encoded}--B--\n'
    ).encode("ascii")


def _assert_download(response: Any, data: bytes, name: str, content_type: str) -> None:
    """A download as every door sends it (an ApiClient answer, or a page client's response)."""
    if isinstance(response, Response):
        status, content = response.status, response.content
    else:
        status, content = response.status_code, response.getvalue()
    headers = response.headers
    assert (status, content) == (200, data)
    assert headers["Content-Type"] == content_type
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, no-store"


def test_a_portal_upload_downloads_the_same_bytes_from_the_console_and_the_api(desk):
    ticket = _portal_ticket(
        desk.a,
        SimpleUploadedFile("debug.log", LOG, "text/plain"),
        SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
    )
    log, pdf = Attachment.objects.order_by("id")
    first = ticket.messages.get()
    assert AuditEvent.objects.filter(verb="ticket.attachment_added").count() == 2

    page = desk.console.get(f"/console/tickets/{ticket.number}/").content.decode()
    link = f"/console/tickets/{ticket.number}/attachments/{log.pk}"
    assert f'<a href="{link}" download>debug.log</a>' in page
    _assert_download(desk.console.get(link), LOG, "debug.log", "text/plain")

    listed = desk.api.get(f"/tickets/{ticket.number}/attachments")
    assert listed.status == 200
    assert listed.body == [
        {
            "id": log.pk,
            "name": "debug.log",
            "content_type": "text/plain",
            "size": len(LOG),
            "uploaded_at": "2026-11-18T10:00:00-08:00",
            "uploaded_by": "alice@acme.example",
            "message": first.pk,
            "url": f"/api/v1/tickets/{ticket.number}/attachments/{log.pk}",
        },
        {
            "id": pdf.pk,
            "name": "report.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "uploaded_at": "2026-11-18T10:00:00-08:00",
            "uploaded_by": "alice@acme.example",
            "message": first.pk,
            "url": f"/api/v1/tickets/{ticket.number}/attachments/{pdf.pk}",
        },
    ]
    for who in (desk.api, desk.a.api):  # staff, and the customer itself
        answer = who.get(f"/tickets/{ticket.number}/attachments/{pdf.pk}")
        _assert_download(answer, PDF, "report.pdf", "application/pdf")
    _assert_download(
        desk.a.portal.get(f"/portal/tickets/{ticket.number}/attachments/{pdf.pk}/"),
        PDF,
        "report.pdf",
        "application/pdf",
    )


def test_a_mailed_file_is_listed_in_the_console_and_the_api_and_stored_once(desk):
    ticket = _portal_ticket(desk.a, SimpleUploadedFile("debug.log", LOG, "text/plain"))
    inbound = ingest_message(
        _mail(desk.a.email, f"Re: [#{ticket.number}] Pool degraded", "again.log", "text/x-log", LOG)
    )
    assert (inbound.status, inbound.ticket) == ("threaded", ticket)
    uploaded, mailed = Attachment.objects.filter(ticket=ticket).order_by("id")
    assert (mailed.name, mailed.content_type, mailed.message) == (
        "again.log",
        "text/plain",  # what its name says (the mail declared text/x-log)
        inbound.ticket_message,
    )
    assert mailed.path == uploaded.path  # the same bytes: one stored file
    assert inbound.attachments.get().path == mailed.path
    assert [p.name for p in stored_path(mailed.path).parent.iterdir()] == [mailed.sha256]
    event = AuditEvent.objects.filter(verb="ticket.attachment_added").latest("id")
    assert (event.changes["attachment"], event.changes["via"]) == (mailed.pk, "email")

    page = desk.console.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert f'/console/tickets/{ticket.number}/attachments/{mailed.pk}" download>again.log' in page
    listed = desk.api.get(f"/tickets/{ticket.number}/attachments").body
    assert [(f["name"], f["message"]) for f in listed] == [
        ("debug.log", ticket.messages.order_by("at", "id").first().pk),
        ("again.log", inbound.ticket_message_id),
    ]
    answer = desk.api.get(listed[1]["url"].removeprefix("/api/v1"))
    _assert_download(answer, LOG, "again.log", "text/plain")


def test_customer_b_gets_404_for_customer_as_file_at_every_door(desk):
    ticket = _portal_ticket(desk.a, SimpleUploadedFile("debug.log", LOG, "text/plain"))
    own = _portal_ticket(desk.b, SimpleUploadedFile("mine.log", b"mine\n", "text/plain"))
    stored = Attachment.objects.get(ticket=ticket)
    n, pk = ticket.number, stored.pk
    console_b = Client()
    sign_in(console_b, desk.b.user)
    before = (Attachment.objects.count(), AuditEvent.objects.count())
    for response in (
        desk.b.portal.get(f"/portal/tickets/{n}/attachments/{pk}/"),
        desk.b.portal.get(f"/portal/tickets/{own.number}/attachments/{pk}/"),
        console_b.get(f"/console/tickets/{n}/attachments/{pk}"),
        console_b.get(f"/console/tickets/{own.number}/attachments/{pk}"),
    ):
        assert response.status_code == 404
    for path in (
        f"/tickets/{n}/attachments",
        f"/tickets/{n}/attachments/{pk}",
        f"/tickets/{own.number}/attachments/{pk}",
        f"/tickets/{n}/attachments/{pk + 1000}",  # and a missing one answers the same
    ):
        answer = desk.b.api.get(path)
        assert (answer.status, answer.body) == (
            404,
            {"error": "not found", "field": None, "rule": None},
        )
    assert [f["name"] for f in desk.b.api.get(f"/tickets/{own.number}/attachments").body] == [
        "mine.log"
    ]
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == before


def test_a_customer_never_sees_the_file_of_an_internal_note(desk):
    ticket = _portal_ticket(desk.a)
    note = reply(actor=desk.agent, ticket=ticket, body="Controller log.", public=False)
    [hidden] = attach_files(
        actor=desk.agent,
        ticket=ticket,
        message=note,
        files=[SimpleUploadedFile("controller.txt", b"internal\n", "text/plain")],
    )
    assert desk.a.api.get(f"/tickets/{ticket.number}/attachments").body == []
    assert desk.a.api.get(f"/tickets/{ticket.number}/attachments/{hidden.pk}").status == 404
    url = f"/portal/tickets/{ticket.number}/attachments/{hidden.pk}/"
    assert desk.a.portal.get(url).status_code == 404
    assert (
        "controller.txt"
        not in desk.a.portal.get(f"/portal/tickets/{ticket.number}/").content.decode()
    )
    assert [f["name"] for f in desk.api.get(f"/tickets/{ticket.number}/attachments").body] == [
        "controller.txt"
    ]
    page = desk.console.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert f"/console/tickets/{ticket.number}/attachments/{hidden.pk}" in page
