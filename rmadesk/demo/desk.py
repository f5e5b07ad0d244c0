"""What an agent's desk holds on the demo's day besides tickets: canned replies (shared and
one agent's own), an email from an unknown sender waiting in Held mail, and a customer's photo
on a ticket, so every page of the console has something real to show."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from email.message import EmailMessage
from email.utils import format_datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from rmadesk.core import clock
from rmadesk.demo.day import Staff
from rmadesk.mail.inbound import ingest_message
from rmadesk.tickets.attachments import attach_files
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.services import create_canned_reply

SHARED_REPLIES = (
    (
        "Ask for a debug file",
        "Hello {customer},\n\nthank you for ticket {ticket}. Could you attach a debug file "
        "(System > Advanced > Save debug) so we can look at the logs? We will answer by {due}.",
    ),
    (
        "RMA issued",
        "Hello {customer},\n\nwe have issued RMA {rma} for the failed part. The return label "
        "and the packing steps follow in a separate email.",
    ),
    (
        "Solved: closing",
        "Hello {customer},\n\nwe are glad the system runs again. We close ticket {ticket} now; "
        "reply to this email within 30 days and it opens again.",
    ),
)
OWN_REPLY = (
    "Call me",
    "Hello {customer},\n\nthis is easier on the phone: when may I call you about {ticket}?",
)
HELD_SENDER = "dana.nightshift@acme-ops.example"
PHOTO_TICKET_SUBJECT = "Fan warning on enclosure 2"


def seed_desk(now: dt.datetime, staff: Staff) -> None:
    """The canned replies, a held email and a photo on a ticket, as of `now`."""
    for title, body in SHARED_REPLIES:
        create_canned_reply(actor=staff.manager, title=title, body=body, shared=True)
    create_canned_reply(actor=staff.agents[0], title=OWN_REPLY[0], body=OWN_REPLY[1], shared=False)
    _held_email(now - dt.timedelta(hours=2))
    ticket = Ticket.objects.filter(subject=PHOTO_TICKET_SUBJECT).order_by("pk").first()
    if ticket is not None:
        with clock.frozen_at(ticket.opened_at):
            attach_files(
                actor=staff.agents[0],
                ticket=ticket,
                message=ticket.messages.order_by("at", "pk")[0],
                files=[SimpleUploadedFile("enclosure-2-panel.png", panel_photo(), "image/png")],
                via="portal",
            )


def _held_email(at: dt.datetime) -> None:
    """An email from an address no customer lists: intake holds it for an agent to link."""
    mail = EmailMessage()
    mail["From"] = f"Dana Night-Shift <{HELD_SENDER}>"
    mail["To"] = "support@vendor.example"
    mail["Subject"] = "Pool degraded after power cut"
    mail["Date"] = format_datetime(at)
    mail["Message-ID"] = "<demo-held-1@acme-ops.example>"
    mail.set_content(
        "Hi,\n\nafter last night's power cut our pool reports DEGRADED. I am on the night "
        "shift at Acme and not on your list of contacts; the serial is on the sticker: "
        "M50-A10002.\n\nDana\n"
    )
    with clock.frozen_at(at):
        ingest_message(mail.as_bytes(), received_at=at)


def panel_photo(width: int = 96, height: int = 64) -> bytes:
    """A small PNG (an amber warning light on a grey panel), made here to keep binaries out of
    the repository."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            lit = (x - 70) ** 2 + (y - 20) ** 2 < 64
            rows.extend((255, 176, 0) if lit else (90 + y // 4, 94 + y // 4, 100 + y // 4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )
