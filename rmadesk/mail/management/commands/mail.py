"""`rmadesk mail <subcommand>`: the ways mail comes in (`ingest`, and those in `SUBCOMMANDS`).

`rmadesk mail ingest [FILE|-]` reads one RFC 5322 message from a file or standard input (a mail
server's pipe: e.g. Postfix `support: "|rmadesk mail ingest"`), ingests it, prints one line
saying what became of it, and exits 0 — also when the message was held, ignored or rejected
(it is kept, and an agent sees it). Exit 2: the input could not be read or is empty. Exit 75
(EX_TEMPFAIL): ingestion failed for another reason (the database is down, ...), so the mail
server keeps the message and delivers it again later; ingestion is idempotent, so a retry of a
message that did get through makes nothing twice.

Adding a subcommand: write a module-level `Subcommand(...)` in your own module and add its
dotted path to `SUBCOMMANDS` below (that one line is the only edit this file needs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from rmadesk.mail.inbound import describe, ingest

EX_USAGE_INPUT = 2
EX_TEMPFAIL = 75  # sysexits.h: the mail server retries the delivery later


@dataclass(frozen=True)
class Subcommand:
    """One `rmadesk mail` subcommand.

    `add_arguments(parser)` declares its options on its own subparser; `run(command, options)`
    does the work, writes to `command.stdout`, and raises `CommandError(message, returncode=N)`
    to fail with one line on stderr and exit status N.
    """

    name: str
    help: str
    add_arguments: Callable[[CommandParser], None]
    run: Callable[[BaseCommand, dict[str, Any]], None]


# The subcommands, as dotted paths to `Subcommand` objects (imported when the command starts).
SUBCOMMANDS: tuple[str, ...] = (
    "rmadesk.mail.management.commands.mail.INGEST",
    "rmadesk.mail.imap.FETCH",
    "rmadesk.mail.smtpd.SMTPD",
    "rmadesk.mail.management.commands.outbox.SEND",
    "rmadesk.mail.held_cli.HELD",
)


def _ingest_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE|-",
        help="the message file (RFC 5322, as received); `-` or nothing reads standard input",
    )


def _read(path: str, stdin: Any) -> bytes:
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = stream.read()
        except (OSError, ValueError) as error:
            raise CommandError(
                f"cannot read standard input: {error}", returncode=EX_USAGE_INPUT
            ) from None
        if isinstance(data, str):  # a text stream handed in by a caller
            data = data.encode("utf-8", "surrogateescape")
        where = "standard input"
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise CommandError(f"cannot read {path}: {reason}", returncode=EX_USAGE_INPUT) from None
        where = path
    if not data.strip():
        raise CommandError(f"no message: {where} is empty", returncode=EX_USAGE_INPUT)
    return bytes(data)


def _ingest_run(command: BaseCommand, options: dict[str, Any]) -> None:
    raw = _read(options["file"], options.get("stdin"))
    try:
        result = ingest(raw, source="pipe")
    except Exception as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise CommandError(
            f"temporary failure, deliver again later: {message}", returncode=EX_TEMPFAIL
        ) from error
    command.stdout.write(describe(result))


INGEST = Subcommand(
    name="ingest",
    help="ingest one RFC 5322 message from FILE or standard input",
    add_arguments=_ingest_arguments,
    run=_ingest_run,
)


def subcommands() -> list[Subcommand]:
    return [import_string(path) for path in SUBCOMMANDS]


class Command(BaseCommand):
    help = "Mail in: `ingest` one message from a file or standard input, and more subcommands."
    stealth_options = ("stdin",)  # tests hand in a byte stream instead of standard input
    # A mail server runs `mail ingest` once per message: Django's system checks (which load
    # every URL and the API schema) would double its start-up; `rmadesk check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for found in subcommands():
            child = sub.add_parser(found.name, help=found.help, description=found.help)
            found.add_arguments(child)
            child.set_defaults(_run=found.run)

    def handle(self, *args: Any, **options: Any) -> None:
        run = options.get("_run")
        if run is None:  # call_command() without going through the parser's defaults
            by_name = {s.name: s for s in subcommands()}
            run = by_name[options["subcommand"]].run
        run(self, options)
