"""`rmadesk mail fetch`: read unseen messages from an IMAP mailbox over TLS and ingest each one.

The order of things is the invariant: a message is read with `BODY.PEEK[]` (which leaves it
unseen), handed to `ingest_message` (one transaction: when it returns, the ticket or the reply is
committed), and only then flagged `\\Seen` or moved to the processed folder. A crash anywhere
before the flag leaves the message unseen, so the next fetch reads it again, and ingestion is
idempotent (same Message-ID, else same content hash): the second pass finds the first one's
record and makes no second ticket. A message whose ingestion fails stays unseen for the next run,
and the other messages are still fetched.

`ingest` is `ingest_message` telling also whether the message was new (for the report).

The connection is TLS from the first byte (`tls`, port 993) or upgraded with STARTTLS before the
login (`starttls`, port 143); the password never travels in clear, and the server's certificate
is verified (system CAs, or `RMADESK_IMAP_CA_FILE`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
import re
import ssl
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from rmadesk.mail.inbound import describe, ingest
from rmadesk.mail.management.commands.mail import Subcommand

log = logging.getLogger(__name__)

SECURITY_MODES = ("tls", "starttls")
DEFAULT_TIMEOUT = 60.0
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class ImapError(Exception):
    """The mailbox could not be read: connection, TLS, login or folder (try again later)."""


class ImapConfigError(ImapError):
    """IMAP is not configured, or configured to do something it must not (no TLS)."""


@dataclass(frozen=True)
class ImapConfig:
    """Where and how to read mail; `from_settings()` reads the RMADESK_IMAP_* settings."""

    host: str
    user: str
    password: str
    port: int = 993
    folder: str = "INBOX"
    security: str = "tls"
    processed_folder: str = ""  # empty: flag \Seen and leave the message where it is
    ca_file: str = ""  # empty: the system's CAs
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_settings(cls) -> ImapConfig:
        return cls(
            host=settings.RMADESK_IMAP_HOST,
            port=settings.RMADESK_IMAP_PORT,
            user=settings.RMADESK_IMAP_USER,
            password=settings.RMADESK_IMAP_PASSWORD,
            folder=settings.RMADESK_IMAP_FOLDER or "INBOX",
            security=settings.RMADESK_IMAP_SSL,
            processed_folder=settings.RMADESK_IMAP_PROCESSED_FOLDER,
            ca_file=settings.RMADESK_IMAP_CA_FILE,
        )

    def check(self) -> None:
        missing = [
            name
            for name, value in (
                ("RMADESK_IMAP_HOST", self.host),
                ("RMADESK_IMAP_USER", self.user),
                ("RMADESK_IMAP_PASSWORD", self.password),
            )
            if not value
        ]
        if missing:
            raise ImapConfigError(f"IMAP is not configured: set {', '.join(missing)}")
        if self.security not in SECURITY_MODES:
            raise ImapConfigError(
                f"RMADESK_IMAP_SSL={self.security!r}: expected tls or starttls "
                f"(mail is only fetched over TLS)"
            )
        for name, folder in (("folder", self.folder), ("processed folder", self.processed_folder)):
            if not folder.isascii() or any(c in folder for c in "\r\n"):
                raise ImapConfigError(f"IMAP {name} {folder!r}: give an ASCII folder name")


@dataclass
class Fetched:
    """One message ingested: its UID, outcome, ticket, and whether it was new to rmadesk."""

    uid: int
    status: str
    ticket_number: int | None
    created: bool = True  # False: ingested before (a re-fetch after a crash, a duplicate)
    description: str = ""


@dataclass
class FetchReport:
    """What one fetch did: unseen messages found, ingested (with their outcome), failed."""

    found: int = 0
    ingested: list[Fetched] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        return dict(Counter(item.status for item in self.ingested))


def fetch_mailbox(config: ImapConfig | None = None, *, limit: int | None = None) -> FetchReport:
    """Ingest the folder's unseen messages (oldest first), marking each after its commit.

    Must run outside a transaction: a message is marked only once its ticket is committed, which
    an enclosing transaction would defer past the mark.
    """
    if connection.in_atomic_block:
        raise RuntimeError(
            "fetch_mailbox must run outside a transaction: a message is marked as read only "
            "after its ticket is committed"
        )
    config = config or ImapConfig.from_settings()
    config.check()
    report = FetchReport()
    client = _connect(config)
    try:
        _login_and_select(client, config)
        move = bool(config.processed_folder)
        if move:
            _ensure_folder(client, config.processed_folder)
        uids = _unseen(client)
        report.found = len(uids)
        expunge = False
        for uid in uids[:limit] if limit is not None else uids:
            message = _read(client, uid)
            if message is None:
                continue  # expunged meanwhile by another client
            raw, received_at = message
            try:
                result = ingest(raw, received_at=received_at, source="imap")
            except Exception as error:  # kept unseen: retried by the next fetch
                log.exception("IMAP message uid %s: ingestion failed; left unseen", uid)
                report.failed.append((uid, f"{type(error).__name__}: {error}"))
                continue
            # Committed: only now may the server forget that the message is new.
            if move:
                expunge |= _move(client, uid, config.processed_folder)
            else:
                _ok(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE \\Seen")
            ticket = result.inbound.ticket
            report.ingested.append(
                Fetched(
                    uid,
                    str(result.inbound.status),
                    None if ticket is None else ticket.number,
                    created=result.created,
                    description=describe(result),
                )
            )
        if expunge:
            _ok(client.expunge(), "EXPUNGE")
    finally:
        _logout(client)
    return report


# ------------------------------------------------------------------------------ protocol


def _connect(config: ImapConfig) -> imaplib.IMAP4:
    context = ssl.create_default_context(cafile=config.ca_file or None)
    try:
        if config.security == "tls":
            return imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=context, timeout=config.timeout
            )
        client = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
        try:
            # imaplib refuses when the server does not offer STARTTLS: never a clear-text login.
            client.starttls(ssl_context=context)
        except BaseException:
            _close(client)
            raise
        return client
    except (OSError, imaplib.IMAP4.error) as error:
        raise ImapError(
            f"cannot reach the IMAP server {config.host}:{config.port} over TLS "
            f"({config.security}): {error}"
        ) from error


def _login_and_select(client: imaplib.IMAP4, config: ImapConfig) -> None:
    try:
        client.login(config.user, config.password)
    except imaplib.IMAP4.error as error:
        raise ImapError(f"IMAP login as {config.user!r} refused: {_text(error)}") from error
    # Servers announce more after the login (MOVE, UIDPLUS); imaplib keeps the greeting's list.
    kind, data = client.capability()
    if kind == "OK" and data and isinstance(data[-1], bytes):
        client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    kind, data = client.select(_quote(config.folder))
    if kind != "OK":
        raise ImapError(f"IMAP folder {config.folder!r} cannot be opened: {_text(data)}")


def _unseen(client: imaplib.IMAP4) -> list[int]:
    data = _ok(client.uid("SEARCH", "UNSEEN", "UNDELETED"), "SEARCH UNSEEN")
    return sorted(int(uid) for uid in (data[0] or b"").split())


def _read(client: imaplib.IMAP4, uid: int) -> tuple[bytes, dt.datetime | None] | None:
    """The raw message and its INTERNALDATE (when the server received it); None if gone."""
    data = _ok(client.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])"), "FETCH")
    raw: bytes | None = None
    envelope = b""
    for part in data:
        if isinstance(part, tuple):
            envelope += part[0]
            if raw is None:
                raw = part[1]
        elif isinstance(part, bytes):
            envelope += part
    if raw is None:
        return None
    return raw, _internaldate(envelope)


def _internaldate(envelope: bytes) -> dt.datetime | None:
    found = _INTERNALDATE.search(envelope)
    if found is None:
        return None
    try:
        when = dt.datetime.strptime(found.group(1).decode("ascii").strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None
    return when.astimezone(dt.UTC)


def _ensure_folder(client: imaplib.IMAP4, folder: str) -> None:
    kind, _ = client.create(_quote(folder))  # NO when it exists already: fine
    if kind != "OK":
        _ok(client.status(_quote(folder), "(MESSAGES)"), f"folder {folder!r}")


def _move(client: imaplib.IMAP4, uid: int, folder: str) -> bool:
    """Move one message, flagged \\Seen, to `folder`; True when a final EXPUNGE is still needed."""
    _ok(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE \\Seen")
    if "MOVE" in client.capabilities:
        _ok(client.uid("MOVE", str(uid), _quote(folder)), "MOVE")
        return False
    _ok(client.uid("COPY", str(uid), _quote(folder)), "COPY")
    _ok(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE \\Deleted")
    if "UIDPLUS" in client.capabilities:
        _ok(client.uid("EXPUNGE", str(uid)), "UID EXPUNGE")  # this message only
        return False
    return True


def _ok(answer: tuple[str, list[Any]], what: str) -> list[Any]:
    kind, data = answer
    if kind != "OK":
        raise ImapError(f"IMAP {what} failed: {_text(data)}")
    return data


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()  # not CLOSE: that would expunge other clients' deleted messages
    except (OSError, imaplib.IMAP4.error):
        _close(client)


def _close(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError):
        client.shutdown()


# ---------------------------------------------------------------- `rmadesk mail fetch`

EX_CONFIG = 2
EX_TEMPFAIL = 75  # sysexits.h: try again later (cron runs the next fetch anyway)


def _fetch_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="ingest at most N messages this run (the oldest first); default all unseen",
    )


def _fetch_run(command: BaseCommand, options: dict[str, Any]) -> None:
    limit = options.get("limit")
    if limit is not None and limit < 1:
        raise CommandError("--limit must be at least 1", returncode=EX_CONFIG)
    config = ImapConfig.from_settings()
    try:
        report = fetch_mailbox(config, limit=limit)
    except ImapConfigError as error:
        raise CommandError(str(error), returncode=EX_CONFIG) from None
    except (ImapError, OSError, imaplib.IMAP4.error) as error:
        raise CommandError(f"IMAP fetch failed: {error}", returncode=EX_TEMPFAIL) from None
    where = f"{config.user}@{config.host}:{config.port}/{config.folder}"
    command.stdout.write(f"{report.found} unseen in {where}")
    for item in report.ingested:
        number = "" if item.ticket_number is None else f" #{item.ticket_number}"
        command.stdout.write(f"  uid {item.uid}: {item.status}{number}: {item.description}")
    for uid, why in report.failed:
        command.stdout.write(f"  uid {uid}: FAILED, left unseen for the next fetch: {why}")
    if not report.ok:
        raise CommandError(
            f"{len(report.failed)} message(s) not ingested; they stay unseen and are fetched "
            f"again next time",
            returncode=EX_TEMPFAIL,
        )


FETCH = Subcommand(
    name="fetch",
    help="ingest the unseen messages of the IMAP mailbox (RMADESK_IMAP_* settings, over TLS)",
    add_arguments=_fetch_arguments,
    run=_fetch_run,
)
