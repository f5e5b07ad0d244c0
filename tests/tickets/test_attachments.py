"""Ticket attachments (issue 10): one record, one store, the ticket's visibility, an event per file.

The store is content-addressed under the data directory; the services check who may attach
before writing a byte; the selectors hide another customer's files and internal notes' files
from a customer's contact (404, as missing); the data migration moves the portal's old rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rmadesk.core import clock
from rmadesk.core.errors import DomainError, NotFound
from rmadesk.core.filenames import safe_content_type, safe_filename
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import PermissionDenied
from rmadesk.tickets.attachments import (
    attach_files,
    attachment_for,
    open_attachment,
    store_file,
    stored_path,
    ticket_attachments,
    visible_attachments,
)
from rmadesk.tickets.models import Attachment
from rmadesk.tickets.services import close_ticket, reply
from rmadesk.web.downloads import download_response
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 18, 10, 0)
LOG = b"pool: tank\n state: DEGRADED\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.RMADESK_DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[dt.datetime]:
    with clock.frozen_at(NOW) as at:
        yield at


def upload(name: str = "debug.log", content: bytes = LOG, kind: str = "text/plain") -> Any:
    return SimpleUploadedFile(name, content, content_type=kind)


@pytest.fixture
def world() -> Any:
    asset = asset_on_plan("gold", serial="A-1")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent)
    return {
        "asset": asset,
        "agent": agent,
        "ticket": ticket,
        "first": ticket.messages.get(),
        "contact": user("customer", customer=asset.customer),
    }


def _stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "attachments").rglob("*") if p.is_file())


# ------------------------------------------------------------------------------- the store


def test_the_store_is_content_addressed_and_keeps_one_file_for_the_same_bytes(_data_dir):
    first = store_file(LOG)
    again = store_file([LOG[:5], LOG[5:]])  # the same bytes, in chunks
    other = store_file(b"something else")
    digest = hashlib.sha256(LOG).hexdigest()
    assert first == again
    assert (first.path, first.sha256, first.size) == (f"sha256/{digest[:2]}/{digest}", digest, 28)
    assert other.path != first.path
    assert stored_path(first.path).read_bytes() == LOG
    assert _stored_files(_data_dir) == sorted([stored_path(first.path), stored_path(other.path)])


@pytest.mark.parametrize("path", ["", "../secret", "/etc/passwd", "sha256/../../x", "."])
def test_a_stored_path_never_leaves_the_attachments_folder(path):
    with pytest.raises(NotFound):
        stored_path(path)


# ------------------------------------------------------------------------------ the writes


def test_each_file_is_recorded_with_one_audit_event(world):
    made = attach_files(
        actor=world["contact"],
        ticket=world["ticket"],
        message=world["first"],
        files=[upload(), upload("screen.png", b"\x89PNG\r\n\x1a\n", "image/png")],
    )
    log, _png = made
    assert list(Attachment.objects.order_by("id")) == made
    assert (log.name, log.content_type, log.size, log.uploaded_at) == (
        "debug.log",
        "text/plain",
        28,
        NOW,
    )
    assert (log.message, log.uploaded_by) == (world["first"], world["contact"])
    events = list(AuditEvent.objects.filter(verb="ticket.attachment_added").order_by("id"))
    assert [e.changes for e in events] == [
        {
            "attachment": a.pk,
            "name": a.name,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "message": world["first"].pk,
            "via": "portal",
        }
        for a in made
    ]
    assert {(e.ticket_number, e.actor_id, e.subject_id) for e in events} == {
        (world["ticket"].number, world["contact"].pk, str(world["ticket"].number))
    }


def test_names_and_types_are_made_safe_to_send_back(world):
    [stored] = attach_files(
        actor=world["agent"],
        ticket=world["ticket"],
        message=None,
        files=[upload("../../etc/pass\r\nwd.log", b"x", 'text/plain; charset="utf-8"')],
    )
    assert (stored.name, stored.content_type) == ("passwd.log", "text/plain")
    assert safe_filename("  ") == "attachment"
    assert safe_filename("C:\\Users\\kim\\report.pdf") == "report.pdf"
    long = safe_filename("x" * 300 + ".tar.gz")
    assert len(long) == 200 and long.endswith(".gz")
    assert safe_content_type("text/html\r\nSet-Cookie: a=b") == "application/octet-stream"
    assert safe_content_type("IMAGE/PNG") == "image/png"
    for active in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript"):
        assert safe_content_type(active) == "application/octet-stream", active
    assert safe_content_type("application/vnd.foo+xml") == "application/octet-stream"
    assert safe_content_type("text/plain; charset=utf-8") == "text/plain"


def test_a_download_is_an_attachment_with_a_safe_name_nosniff_and_private(world, tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"<svg onload=alert(1)>")
    response = download_response(
        path.open("rb"), filename='rapport "final" été.svg', content_type="image/svg+xml"
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''rapport%20%22final%22%20%C3%A9t%C3%A9.svg"
    )
    # An active type (SVG runs script, HTML is a page) is sent as a generic download (issue 13).
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"
    assert response["Content-Length"] == "21"
    assert response.getvalue() == b"<svg onload=alert(1)>"


def test_another_customer_cannot_attach_and_nothing_is_written(world, _data_dir):
    stranger = user("customer", customer=asset_on_plan("gold").customer)
    with pytest.raises(NotFound):
        attach_files(actor=stranger, ticket=world["ticket"], message=None, files=[upload()])
    assert not Attachment.objects.exists()
    assert not _stored_files(_data_dir)


def test_a_clerk_does_not_attach_files(world):
    with pytest.raises(PermissionDenied, match="attaching files needs the role agent or manager"):
        attach_files(actor=user("clerk"), ticket=world["ticket"], message=None, files=[upload()])
    assert not Attachment.objects.exists()


def test_no_file_on_a_closed_ticket_or_on_another_tickets_message(world):
    other = ticket_on(world["asset"], actor=world["agent"])
    with pytest.raises(DomainError, match="that message is not on ticket"):
        attach_files(actor=world["agent"], ticket=other, message=world["first"], files=[upload()])
    close_ticket(actor=world["agent"], ticket=world["ticket"], reason="Fixed.")
    with pytest.raises(DomainError, match=r"is closed \(resolved\): files cannot be added"):
        attach_files(actor=world["agent"], ticket=world["ticket"], message=None, files=[upload()])
    assert not Attachment.objects.exists()


# ------------------------------------------------------------------------------- the reads


def test_a_customer_sees_its_own_tickets_files_but_not_those_of_internal_notes(world):
    ticket, agent, contact = world["ticket"], world["agent"], world["contact"]
    note = reply(actor=agent, ticket=ticket, body="Looks like da3.", public=False)
    [public] = attach_files(actor=contact, ticket=ticket, message=world["first"], files=[upload()])
    [internal] = attach_files(actor=agent, ticket=ticket, message=note, files=[upload("n.txt")])
    [loose] = attach_files(actor=agent, ticket=ticket, message=None, files=[upload("l.txt")])
    assert ticket_attachments(agent, ticket) == [public, internal, loose]
    assert ticket_attachments(contact, ticket) == [public, loose]
    assert attachment_for(contact, ticket.number, public.pk) == public
    with pytest.raises(NotFound):
        attachment_for(contact, ticket.number, internal.pk)
    stranger = user("customer", customer=asset_on_plan("gold").customer)
    assert not visible_attachments(stranger).exists()
    for number, pk in (
        (ticket.number, public.pk),  # another customer's file
        (ticket.number + 1, public.pk),  # under the wrong ticket number
        (ticket.number, 10**6),  # missing
        (ticket.number, 2**63),  # past a 64-bit id
    ):
        with pytest.raises(NotFound):
            attachment_for(stranger if pk == public.pk else agent, number, pk)


def test_a_file_gone_from_the_disk_answers_404(world):
    [stored] = attach_files(
        actor=world["agent"], ticket=world["ticket"], message=None, files=[upload()]
    )
    with open_attachment(stored) as handle:
        assert handle.read() == LOG
    stored_path(stored.path).unlink()
    with pytest.raises(NotFound):
        open_attachment(stored)


# --------------------------------------------------------------------------- the migration

BEFORE = [("tickets", "0005_queue_search_trigram_indexes"), ("portal", "0001_ticket_attachments")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to `targets`; the historical models there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_moves_a_portal_attachment_keeping_its_id_and_file(_data_dir):
    asset = asset_on_plan("gold", serial="A-1")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent)
    first = ticket.messages.get()
    old_path = f"tickets/{ticket.number}/0f1e2d3c/debug.log"
    (_data_dir / "attachments" / old_path).parent.mkdir(parents=True)
    (_data_dir / "attachments" / old_path).write_bytes(LOG)
    latest = _latest()
    try:
        old_apps = _migrate(BEFORE)
        TicketAttachment = old_apps.get_model("portal", "TicketAttachment")
        kept = dict(
            ticket_id=ticket.pk,
            message_id=first.pk,
            name="debug.log",
            content_type="text/plain",
            size=len(LOG),
            uploaded_at=NOW,
            uploaded_by_id=agent.pk,
        )
        old = TicketAttachment.objects.create(id=41, file=old_path, **kept)
        gone = TicketAttachment.objects.create(
            id=42, file=f"tickets/{ticket.number}/9a8b/lost.log", **kept
        )
    finally:
        _migrate(latest)

    moved = Attachment.objects.get(pk=old.pk)
    assert {name: getattr(moved, name) for name in kept} == kept
    assert (moved.path, moved.sha256) == (old_path, hashlib.sha256(LOG).hexdigest())
    with open_attachment(moved) as handle:
        assert handle.read() == LOG
    assert Attachment.objects.get(pk=gone.pk).sha256 == ""  # moved all the same
    # A file attached after the move gets a new id (the id sequence follows the moved rows).
    [new] = attach_files(actor=agent, ticket=ticket, message=None, files=[upload()])
    assert new.pk > gone.pk

    # Backwards, the rows go back to the portal's table as they were.
    try:
        old_apps = _migrate(BEFORE)
        back = old_apps.get_model("portal", "TicketAttachment").objects.get(pk=old.pk)
        assert (back.file.name, back.ticket_id, back.message_id) == (old_path, ticket.pk, first.pk)
    finally:
        _migrate(latest)
