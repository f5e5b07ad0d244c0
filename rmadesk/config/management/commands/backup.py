"""`rmadesk backup FILE`: the database and the attachment files in one archive (one snapshot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from rmadesk.config.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database and the stored attachments into one archive (a .tar.gz), read "
        "from one snapshot while rmadesk keeps running; `rmadesk restore FILE` reads it back "
        "into an empty SQLite or PostgreSQL database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write (replaced if it exists)")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="the database to back up (default: rmadesk's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        try:
            done = make_backup(target, alias=options["database"])
        except (BackupError, OSError) as error:
            raise CommandError(f"backup failed: {error}") from None
        manifest = done.manifest
        for path in manifest.missing_attachments:
            self.stderr.write(f"warning: attachment file {path} is missing from the store")
        self.stdout.write(
            f"{target}: {done.rows} rows in {len(manifest.tables)} tables and "
            f"{len(manifest.attachments)} attachment files ({done.attachment_bytes} bytes), "
            f"as of {manifest.created_at}"
        )
