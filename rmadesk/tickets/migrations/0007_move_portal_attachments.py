"""Move every portal.TicketAttachment row into tickets.Attachment, keeping its id and its file.

The files stay where they are (`tickets/<number>/<random>/<name>` for portal uploads,
`mail/ab/<digest>` for files that came by email, both under `RMADESK_DATA_DIR/attachments`):
the new row names the same path, so a download link or an audit event naming an attachment id
still means the same file. Each file's SHA-256 is computed when it can be read (blank when it
cannot: the row is moved all the same, and a download of it answers 404 as before).

Backwards, the rows go back to portal.TicketAttachment the same way (ids and paths kept).
portal 0002 then drops the old table.
"""

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations

BATCH = 500
CHUNK = 1024 * 1024


def _digest(relative: str) -> str:
    """The SHA-256 of a stored file, or "" when it is missing or unreadable."""
    root = (Path(settings.RMADESK_DATA_DIR) / "attachments").resolve()
    target = (root / relative).resolve()
    if not relative or not target.is_relative_to(root):
        return ""
    hasher = hashlib.sha256()
    try:
        with target.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                hasher.update(chunk)
    except OSError:
        return ""
    return hasher.hexdigest()


def _reset_ids(schema_editor: Any, model: Any) -> None:
    """Rows were written with their ids: the next new row must not reuse one (PostgreSQL)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("portal", "TicketAttachment")
    New = apps.get_model("tickets", "Attachment")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(Old.objects.using(alias).filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        New.objects.using(alias).bulk_create(
            New(
                id=row.pk,
                ticket_id=row.ticket_id,
                message_id=row.message_id,
                name=row.name,
                content_type=row.content_type,
                size=row.size,
                sha256=_digest(row.file.name),
                path=row.file.name,
                uploaded_at=row.uploaded_at,
                uploaded_by_id=row.uploaded_by_id,
            )
            for row in rows
        )
    _reset_ids(schema_editor, New)


def backwards(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("portal", "TicketAttachment")
    New = apps.get_model("tickets", "Attachment")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(New.objects.using(alias).filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        Old.objects.using(alias).bulk_create(
            Old(
                id=row.pk,
                ticket_id=row.ticket_id,
                message_id=row.message_id,
                file=row.path,
                name=row.name,
                content_type=row.content_type,
                size=row.size,
                uploaded_at=row.uploaded_at,
                uploaded_by_id=row.uploaded_by_id,
            )
            for row in rows
        )
    _reset_ids(schema_editor, Old)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_attachment_record"),
        ("portal", "0001_ticket_attachments"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
