"""Reads of the outbox for people: the mail the desk sent, newest first, and one message.

What the console's Sent mail page shows: who, what, about which ticket, RMA or invoice, and
where the message stands (queued, sent, failed). The text is the body rendered at enqueue; the
attachments are named without rendering their PDFs; the message's source (MIME) is built only
when someone asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from rmadesk.billing.models import Invoice
from rmadesk.billing.pdfs import invoice_filename
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.mail.outbox import build_email
from rmadesk.mail.permissions_outbox import require_sent_mail_reader

# What the page offers to filter by: the three states a person cares about.
SHOWN_STATUSES = (
    ("queued", "queued"),
    ("sent", "sent"),
    ("failed", "failed"),
)


def sent_mail(actor: Actor, *, status: str = "") -> QuerySet[OutboxMessage]:
    """Every message of the outbox, newest first; `status` queued (with sending), sent, failed."""
    require_sent_mail_reader(actor)
    rows = OutboxMessage.objects.defer("html_body", "text_body", "headers")
    if status == OutboxStatus.QUEUED:
        rows = rows.filter(status__in=(OutboxStatus.QUEUED, OutboxStatus.SENDING))
    elif status in (OutboxStatus.SENT, OutboxStatus.FAILED):
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def sent_message(actor: Actor, pk: int) -> OutboxMessage:
    require_sent_mail_reader(actor)
    row = OutboxMessage.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound("no such message")
    return row


@dataclass(frozen=True)
class About:
    """What a message is about, for links: its ticket, RMA and invoice (each may be missing)."""

    ticket: int | None
    rma: int | None
    invoice: str | None


def about(row: OutboxMessage) -> About:
    """Read from the row alone (no query): an RMA's number is its ticket's (P3)."""
    rma = next((int(a["rma"]) for a in row.attachments if a.get("type") == "rma_label"), None)
    if rma is None and row.kind.startswith("rma_") and row.ticket_number is not None:
        rma = row.ticket_number
    invoice = next((str(a["invoice"]) for a in row.attachments if a.get("type") == "invoice"), None)
    return About(ticket=row.ticket_number, rma=rma, invoice=invoice)


def attachment_names(row: OutboxMessage) -> list[str]:
    """The file names the message carries (or will carry), as the recipient sees them.

    Named as `rmadesk.mail.outbox.render_attachment` names them, without rendering a PDF.
    """
    names = []
    for spec in row.attachments:
        if spec.get("type") == "rma_label":
            names.append(f"rma-{spec['rma']}-label.pdf")
        elif spec.get("type") == "invoice":
            names.append(invoice_filename(Invoice(number=str(spec["invoice"]))))
        else:
            names.append(str(spec.get("type", "attachment")))
    return names


def message_source(actor: Actor, pk: int) -> bytes:
    """The message as the outbox sends it (MIME), attachments included, built now."""
    source: bytes = build_email(sent_message(actor, pk)).message().as_bytes()
    return source
