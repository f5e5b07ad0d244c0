"""`rmadesk outbox send [--loop]`: deliver queued notifications; `rmadesk outbox status`.

`send` delivers what is due once and exits (for cron), or with `--loop` keeps delivering,
sleeping `--interval` seconds when nothing is due, until SIGTERM or SIGINT (finishing the
message in hand first). Any number of workers may run at once: each claims its own rows.
A worker killed mid-send loses nothing: its message goes out again, with the same Message-ID,
once its lease (`--lease`, default RMADESK_OUTBOX_LEASE_SECONDS) has run out.

The same `send` is `rmadesk mail send` (the `SEND` subcommand below).
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from rmadesk.core import clock
from rmadesk.mail.management.commands.mail import Subcommand
from rmadesk.mail.outbox import deliver_outbox, lease_duration, outbox_counts
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import parse_instant


def send_arguments(parser: CommandParser) -> None:
    parser.add_argument("--loop", action="store_true", help="keep delivering until stopped")
    parser.add_argument(
        "--interval",
        type=float,
        default=5.0,
        metavar="S",
        help="with --loop: seconds to wait when nothing is due (default 5)",
    )
    parser.add_argument(
        "--limit", type=int, default=100, metavar="N", help="messages per batch (default 100)"
    )
    parser.add_argument(
        "--lease",
        type=float,
        default=None,
        metavar="S",
        help="seconds a message is held while sending (default RMADESK_OUTBOX_LEASE_SECONDS)",
    )
    parser.add_argument(
        "--now",
        metavar="ISO",
        help="deliver as of this instant, with an offset (e.g. 2026-11-16T18:00Z); rule T1",
    )


def send(command: BaseCommand, options: dict[str, Any]) -> None:
    """Deliver once, or keep delivering with --loop."""
    now = None
    if options.get("now") is not None:
        try:
            now = parse_instant(options["now"], "--now")
        except PolicyError as error:
            raise CommandError(str(error), returncode=2) from None
        clock.set_now(now)
    limit = int(options.get("limit") or 100)
    if limit < 1:
        raise CommandError("--limit must be at least 1", returncode=2)
    lease = (
        dt.timedelta(seconds=options["lease"])
        if options.get("lease") is not None
        else lease_duration()
    )
    if lease <= dt.timedelta(0):
        raise CommandError("--lease must be positive", returncode=2)
    if not options.get("loop"):
        sent = deliver_outbox(now=now, limit=limit, lease=lease)
        command.stdout.write(f"outbox: {sent} sent")
        return
    _loop(command, now=now, limit=limit, lease=lease, interval=float(options["interval"]))


def _loop(
    command: BaseCommand,
    *,
    now: dt.datetime | None,
    limit: int,
    lease: dt.timedelta,
    interval: float,
) -> None:
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    command.stdout.write("outbox: sending until stopped")
    command.stdout.flush()
    total = 0
    while not stopping:
        close_old_connections()  # a long-lived worker must not keep a dead connection
        try:
            sent = deliver_outbox(now=now, limit=limit, lease=lease, should_stop=lambda: stopping)
        except DatabaseError as error:
            # The database went away (a restart, a failover): wait and try again. A row this
            # worker had claimed is taken over when its lease ends.
            command.stderr.write(f"outbox: database error, retrying: {error}")
            close_old_connections()
            sent = 0
        total += sent
        if sent:
            command.stdout.write(f"outbox: {sent} sent")
            command.stdout.flush()
        if sent < limit:
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.05, interval))
    command.stdout.write(f"outbox: stopped after {total} sent")


# `rmadesk mail send`: the same, as a subcommand of `rmadesk mail` (named in its SUBCOMMANDS).
SEND = Subcommand(
    name="send",
    help="deliver the queued notifications (the same as `rmadesk outbox send`)",
    add_arguments=send_arguments,
    run=send,
)


class Command(BaseCommand):
    help = "Deliver queued notification mail (send), or count the outbox's messages (status)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        send_arguments(sub.add_parser("send", help="deliver the notifications that are due"))
        sub.add_parser("status", help="how many messages are queued, sending, sent and failed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "status":
            for status, count in outbox_counts().items():
                self.stdout.write(f"{status}: {count}")
            return
        send(self, options)
