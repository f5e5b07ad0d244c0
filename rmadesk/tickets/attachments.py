"""Ticket attachments: one record, one store and one visibility rule for every door.

The portal (a customer's uploads), mail intake (the files a message carried), the console and the
API (lists and downloads) all come through here; none of them writes or reads the files itself.

- The store: bytes under `RMADESK_DATA_DIR/attachments`, content-addressed (`sha256/ab/<digest>`).
  `store_file` writes a temporary file beside the target and renames it into place, so a reader
  never sees half a file, and the same bytes stored twice (a message delivered again, a log sent
  by mail and uploaded too) are one file. A transaction rolled back after the write leaves a file
  no row names, never a row without its file; files are never deleted, since rows share them.
- The writes (`attach_files`, `attach_stored_files`, `add_attachments`) are services:
  keyword-only `actor`, one transaction, one `ticket.attachment_added` audit event per file
  under the ticket's number. Every upload is judged by `file_types` (the name's allowed ending
  and the content), the one rule of every door.
- The reads (`visible_attachments`, `ticket_attachments`, `attachment_for`, `open_attachment`)
  apply the ticket's own visibility (`visible_tickets`); a customer's contact also does not see
  the files of internal notes. A forbidden attachment answers 404, like a missing one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, NotFound
from rmadesk.core.filenames import safe_content_type, safe_filename
from rmadesk.core.permissions import Actor, is_staff, user_or_none
from rmadesk.core.services import record_event
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.file_types import (
    DEFAULT_FIELD,
    HEAD_BYTES,
    accepted_type,
    check_count,
    check_size,
)
from rmadesk.tickets.models import Attachment, Message, Ticket
from rmadesk.tickets.permissions import require_ticket_actor
from rmadesk.tickets.selectors import visible_tickets

__all__ = [
    "Attachment",
    "StoredAttachment",
    "StoredFile",
    "attach_files",
    "attach_stored_files",
    "attachment_for",
    "attachments_by_message",
    "attachments_root",
    "check_upload",
    "check_uploads",
    "open_attachment",
    "store_file",
    "stored_path",
    "ticket_attachments",
    "visible_attachments",
]

log = logging.getLogger(__name__)

SCHEME = "sha256"  # the folder of content-addressed files under the attachments root
CHUNK_BYTES = 1024 * 1024
MAX_ID = 2**63 - 1  # ids and numbers are 64-bit: a larger one is simply missing


# ---------------------------------------------------------------------------------- store


@dataclass(frozen=True)
class StoredFile:
    """Bytes in the store: where (relative to the attachments root), their SHA-256, their size."""

    path: str
    sha256: str
    size: int


def attachments_root() -> Path:
    """`RMADESK_DATA_DIR/attachments`, read when used (tests point the data directory elsewhere)."""
    return Path(settings.RMADESK_DATA_DIR) / "attachments"


def _relative(digest: str) -> str:
    return f"{SCHEME}/{digest[:2]}/{digest}"


def _already_stored(digest: str, size: int) -> bool:
    target = attachments_root() / _relative(digest)
    return target.is_file() and target.stat().st_size == size


def store_file(content: bytes | Iterable[bytes]) -> StoredFile:
    """Write bytes (or chunks of them) into the store once; where they are.

    Raises OSError when the disk refuses (mail intake records the file as not kept).
    """
    if isinstance(content, bytes):
        digest = hashlib.sha256(content).hexdigest()
        if _already_stored(digest, len(content)):
            return StoredFile(_relative(digest), digest, len(content))
        content = [content]
    folder = attachments_root() / SCHEME
    folder.mkdir(parents=True, exist_ok=True)
    hasher = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in content:
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())  # the row that names it may commit right after
        digest = hasher.hexdigest()
        if _already_stored(digest, size):
            Path(temporary).unlink()
        else:
            target = attachments_root() / _relative(digest)
            target.parent.mkdir(exist_ok=True)
            os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StoredFile(_relative(digest), digest, size)


def stored_path(relative: str) -> Path:
    """The file a stored path names; 404 for a path that would leave the attachments root."""
    root = attachments_root().resolve()
    target = (root / relative).resolve()
    if not relative or not target.is_relative_to(root) or target == root:
        raise NotFound("no such attachment file", field="attachment")
    return target


# --------------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class StoredAttachment:
    """A file already in the store, to attach under the name and type its sender gave."""

    name: str
    content_type: str
    stored: StoredFile


@transaction.atomic
def attach_files(
    *,
    actor: Actor,
    ticket: Ticket,
    message: Message | None,
    files: Sequence[UploadedFile],
    via: str = "portal",
    field: str = DEFAULT_FIELD,
) -> list[Attachment]:
    """Store uploaded files on a ticket (its `message`'s files), one audit event each.

    Before a byte is written this checks who may attach (the ticket's own customer, or staff
    who work tickets) and every file by what it is (`file_types`: the count, each one's size,
    its name's allowed ending and its content); the stored type is the one the ending names,
    whatever the browser declared. A refusal names `field` (the form's or the API's).
    """
    _require_may_attach(actor, ticket, message)
    kinds = check_uploads(files, field=field)
    stored = [
        StoredAttachment(
            name=upload.name or "",
            content_type=kind,
            stored=store_file(upload.chunks(CHUNK_BYTES)),
        )
        for upload, kind in zip(files, kinds, strict=True)
    ]
    return _record(actor, ticket, message, stored, via=via)


def check_uploads(files: Sequence[UploadedFile], *, field: str = DEFAULT_FIELD) -> list[str]:
    """The stored type of each upload, or `InvalidInput` for the first one refused.

    The portal's form calls it too, to show every refusal before anything is written.
    """
    check_count(len(files), field=field)
    return [check_upload(upload, field=field) for upload in files]


def check_upload(upload: UploadedFile, *, field: str = DEFAULT_FIELD) -> str:
    """One upload's stored type (its size, its name's ending and its first bytes decide)."""
    name = safe_filename(upload.name)
    check_size(name, upload.size or 0, field=field)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return accepted_type(name, head, field=field)


@transaction.atomic
def attach_stored_files(
    *,
    actor: Actor,
    ticket: Ticket,
    message: Message | None,
    files: Sequence[StoredAttachment],
    via: str = "email",
) -> list[Attachment]:
    """Attach files already in the store (mail intake keeps a message's files on receipt)."""
    _require_may_attach(actor, ticket, message)
    for found in files:
        stored_path(found.stored.path)  # a path inside the store, or refused (404)
    return _record(actor, ticket, message, list(files), via=via)


def _require_may_attach(actor: Actor, ticket: Ticket, message: Message | None) -> None:
    # Staff who work tickets, or the ticket's own customer; another customer's ticket answers
    # like a missing one (tickets.permissions).
    require_ticket_actor(actor, "attaching files", ticket)
    if ticket.status in CLOSED_STATUSES:
        raise Conflict(
            f"ticket {ticket.number} is closed ({ticket.get_status_display()}): "
            "files cannot be added",
            field="status",
        )
    if message is not None and message.ticket_id != ticket.pk:
        raise InvalidInput(f"that message is not on ticket {ticket.number}", field="message")


def _record(
    actor: Actor,
    ticket: Ticket,
    message: Message | None,
    files: Sequence[StoredAttachment],
    *,
    via: str,
) -> list[Attachment]:
    at = clock.now()
    user = user_or_none(actor)
    made = []
    for found in files:
        attachment = Attachment.objects.create(
            ticket=ticket,
            message=message,
            name=safe_filename(found.name),
            content_type=safe_content_type(found.content_type)[:100],
            size=found.stored.size,
            sha256=found.stored.sha256,
            path=found.stored.path,
            uploaded_at=at,
            uploaded_by=user,
        )
        record_event(
            actor=actor,
            verb="ticket.attachment_added",
            subject_type="ticket",
            subject_id=ticket.number,
            ticket_number=ticket.number,
            changes={
                "attachment": attachment.pk,
                "name": attachment.name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "message": None if message is None else message.pk,
                "via": via,
            },
            at=at,
        )
        made.append(attachment)
    return made


# ---------------------------------------------------------------------------------- reads


def visible_attachments(user: Actor) -> QuerySet[Attachment]:
    """Attachments the user may see: of the tickets it may see, internal notes' for staff only."""
    found = Attachment.objects.filter(ticket__in=visible_tickets(user).values("pk"))
    if not is_staff(user):
        found = found.filter(Q(message__isnull=True) | Q(message__is_public=True))
    return found.select_related("ticket", "uploaded_by")


def ticket_attachments(user: Actor, ticket: Ticket) -> list[Attachment]:
    """The attachments of a ticket (found with `ticket_for`) the user may see, oldest first."""
    return list(visible_attachments(user).filter(ticket=ticket).order_by("uploaded_at", "id"))


def attachments_by_message(attachments: Iterable[Attachment]) -> dict[int | None, list[Attachment]]:
    """Attachments grouped by message id (None: on the ticket itself), in the order given."""
    grouped: dict[int | None, list[Attachment]] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.message_id, []).append(attachment)
    return grouped


def attachment_for(user: Actor, number: int, attachment_id: int) -> Attachment:
    """An attachment of ticket `number`, if the user may see both; otherwise 404 (as missing)."""
    if not (0 < number <= MAX_ID and 0 < attachment_id <= MAX_ID):
        raise NotFound(f"no attachment {attachment_id} on ticket {number}", field="attachment")
    found = visible_attachments(user).filter(ticket__number=number, pk=attachment_id).first()
    if found is None:
        raise NotFound(f"no attachment {attachment_id} on ticket {number}", field="attachment")
    return found


def open_attachment(attachment: Attachment) -> BinaryIO:
    """The attachment's bytes, open for reading (the caller closes it); 404 if the file is gone."""
    path = stored_path(attachment.path)
    try:
        return path.open("rb")
    except OSError as error:
        log.warning("attachment %s: its file %s cannot be read: %s", attachment.pk, path, error)
        raise NotFound("the attachment's file is missing", field="attachment") from None
