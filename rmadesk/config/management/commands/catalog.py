"""`rmadesk catalog`: make, check and compile the translation catalogs (issue 14, docs/web.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.config.catalogs import compile_catalogs, make_catalogs, stale_catalogs


class Command(BaseCommand):
    help = (
        "Update the translation catalogs (rmadesk/locale/<lang>/LC_MESSAGES/django.po) from the "
        "customer-facing sources with makemessages (needs GNU gettext), then compile the .mo "
        "files. Translate the new empty entries, then run `rmadesk catalog --compile`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--compile", action="store_true", help="only compile each .po into its .mo"
        )
        what.add_argument(
            "--check",
            action="store_true",
            help="change nothing; exit 1 if a catalog misses or keeps a message, or a .mo is stale",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            with tempfile.TemporaryDirectory() as scratch:
                problems = stale_catalogs(Path(scratch))
            if problems:
                raise CommandError(
                    "the catalogs are out of date (run `rmadesk catalog`, translate, "
                    "then `rmadesk catalog --compile`):\n" + "\n".join(problems)
                )
            self.stdout.write("the catalogs are up to date")
            return
        if not options["compile"]:
            make_catalogs()
        for path in compile_catalogs():
            self.stdout.write(f"compiled {path}")
