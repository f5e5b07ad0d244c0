"""`rmadesk restore FILE`: an archive of `rmadesk backup` into an empty database, files included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from rmadesk.config.backup import BackupError
from rmadesk.config.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `rmadesk backup` into an empty database (migrated first) and "
        "the attachment store, all or nothing; refuses a database that holds rows unless "
        "--force, which replaces everything in it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive `rmadesk backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that holds rows, replacing all of them",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database to restore into"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"restore failed: no file {source}")
        try:
            done = restore_backup(source, force=options["force"], alias=options["database"])
        except BackupError as error:
            raise CommandError(f"restore failed: {error}") from None
        manifest = done.manifest
        for path in manifest.missing_attachments:
            self.stderr.write(f"warning: attachment file {path} was already missing at backup")
        self.stdout.write(
            f"restored {done.rows} rows in {len(manifest.tables)} tables and "
            f"{len(manifest.attachments)} attachment files from {source} "
            f"(rmadesk {manifest.rmadesk_version}, {manifest.database}, {manifest.created_at})"
        )
