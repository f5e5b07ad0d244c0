"""Messages as bytes for the inbound tests, and the names of the test world."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

from tests.tickets.factories import pacific

NOW = pacific(2026, 11, 18, 10, 0)  # Wednesday 10:00 PST
JANE = "jane.roe@acme.example"  # a contact of Acme without a login
BOB = "bob@acme.example"  # a contact of Acme with a customer login
ACME_ADDRESS = "it@acme.example"  # Acme's own address
STRANGER = "someone@example.net"
GLOBEX_CONTACT = "hank@globex.example"
SERIAL = "TN-ACME-0001"
SECOND_SERIAL = "TN-ACME-0002"
GLOBEX_SERIAL = "TN-GLOBEX-0001"


def eml(
    *,
    sender: str | None = f"Jane Roe <{JANE}>",
    subject: str | None = f"Pool degraded on {SERIAL}",
    body: str = "One disk of the pool shows read errors since this morning.",
    message_id: str | None = "<m1@acme.example>",
    date: dt.datetime | None = NOW,
    headers: dict[str, str] | None = None,
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    """A simple message as a mail client would send it (LF line endings, UTF-8 8bit body)."""
    lines = []
    if sender is not None:
        lines.append(f"From: {sender}")
    lines.append("To: support@rmadesk.example")
    if subject is not None:
        lines.append(f"Subject: {subject}")
    if date is not None:
        lines.append(f"Date: {format_datetime(date)}")
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}"]
    lines.append("Content-Transfer-Encoding: 8bit")
    return ("\n".join(lines) + "\n\n" + body + "\n").encode("utf-8")
