"""`rmadesk mail smtpd`: a small SMTP listener (aiosmtpd) that ingests every message it receives.

For small installs and the demo: point the domain's MX (or a relay) at it. Each DATA is handed to
`ingest_message` (one transaction); the sender gets 250 only after the ticket or reply is
committed, and 451 (try again later) when ingestion failed, so a message is never acknowledged
and lost: the sending server keeps it and retries, and the retry is idempotent (same Message-ID,
else same content).

As the final delivery server it adds `Return-Path:` with the envelope sender (RFC 5321 4.4), so a
bounce (`Return-Path: <>`) is recognisable by the parser like mail fetched from a mailbox.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connections

from rmadesk.mail.inbound import ingest_message, max_message_bytes
from rmadesk.mail.management.commands.mail import Subcommand

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025

TRANSIENT_FAILURE = "451 4.3.0 Message not accepted, try again later"


def _ingest(raw: bytes) -> Any:
    """Ingest one message in the worker thread, on a healthy database connection."""
    close_old_connections()  # a long-running listener: drop a connection the server closed
    try:
        return ingest_message(raw, source="smtp")
    finally:
        close_old_connections()


class IngestHandler:
    """aiosmtpd handler: every message received becomes `ingest_message(raw)`.

    The database work runs in one worker thread of its own (Django's ORM may not run in the
    event loop's thread), one message at a time; `close()` closes its database connection.
    """

    def __init__(self, ingest: Callable[[bytes], Any] = _ingest) -> None:
        self._ingest = ingest
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rmadesk-smtpd")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        sender = (envelope.mail_from or "").replace("\r", "").replace("\n", "").strip()
        if sender.startswith("<") and sender.endswith(">"):
            sender = sender[1:-1]  # the null sender of a bounce arrives as `<>`
        raw = b"Return-Path: <" + sender.encode("utf-8", "surrogateescape") + b">\r\n" + content
        loop = asyncio.get_running_loop()
        try:
            inbound = await loop.run_in_executor(self._worker, self._ingest, raw)
        except Exception:  # the sender keeps the message and retries: nothing is lost
            log.exception("SMTP message from %r: ingestion failed; answered 451", sender)
            return TRANSIENT_FAILURE
        status = getattr(inbound, "status", "")
        return f"250 2.0.0 Message accepted{f' ({status})' if status else ''}"

    def close(self) -> None:
        """Close the worker's database connection and stop the worker (after the server)."""
        try:
            self._worker.submit(connections.close_all).result()
        finally:
            self._worker.shutdown(wait=True)


class _Controller(Controller):
    """aiosmtpd's threaded controller, knowing its port when asked for port 0 (any free port)."""

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)  # an asyncio.Server once listening
        if self.port == 0 and sockets:
            self.port = int(sockets[0].getsockname()[1])
        super()._trigger_server()  # type: ignore[no-untyped-call]


class Listener:
    """The SMTP listener on host:port: `start()`, `stop()` (port 0 picks a free port)."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        max_size: int | None = None,
        ingest: Callable[[bytes], Any] = _ingest,
    ) -> None:
        self.host = host
        self.port = port
        self.handler = IngestHandler(ingest)
        self._controller = _Controller(
            self.handler,
            hostname=host,
            port=port,
            # Announced with SIZE; a larger message gets 552 (the sender's bounce says why).
            data_size_limit=max_message_bytes() if max_size is None else max_size,
            ident="rmadesk",
        )

    def start(self) -> None:
        self._controller.start()
        self.port = self._controller.port

    def stop(self) -> None:
        try:
            self._controller.stop()
        finally:
            self.handler.close()


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    max_size: int | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Run the listener in the foreground until SIGINT or SIGTERM."""
    listener = Listener(host, port, max_size=max_size)
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        listener.start()
        try:
            announce(f"rmadesk mail smtpd listening on {host}:{listener.port}")
            while not stop.wait(1.0):
                pass
        finally:
            listener.stop()
            announce("rmadesk mail smtpd stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --------------------------------------------------------------- `rmadesk mail smtpd`


def _smtpd_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 25 for an MX, 0 for any free port)",
    )
    parser.add_argument(
        "--max-size",
        type=int,
        metavar="BYTES",
        help="largest message accepted, announced with SIZE "
        "(default RMADESK_MAIL_MAX_MESSAGE_BYTES, as for `mail ingest`)",
    )


def _smtpd_run(command: BaseCommand, options: dict[str, Any]) -> None:
    if not 0 <= options["port"] <= 65535:
        raise CommandError(f"--port {options['port']}: expected 0 to 65535", returncode=2)
    if options.get("max_size") is not None and options["max_size"] < 1:
        raise CommandError("--max-size must be at least 1", returncode=2)

    def announce(line: str) -> None:
        command.stdout.write(line)
        command.stdout.flush()

    try:
        serve(options["host"], options["port"], max_size=options.get("max_size"), announce=announce)
    except OSError as error:  # the address is taken, or not ours
        raise CommandError(
            f"cannot listen on {options['host']}:{options['port']}: {error}", returncode=1
        ) from None


SMTPD = Subcommand(
    name="smtpd",
    help="run an SMTP listener that ingests every message it receives (until SIGTERM)",
    add_arguments=_smtpd_arguments,
    run=_smtpd_run,
)
