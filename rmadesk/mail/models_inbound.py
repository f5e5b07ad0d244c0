"""Inbound mail: every message rmadesk received, what became of it, and its attachments.

One row per distinct message, whatever way it came in (`mail ingest` pipe, IMAP `fetch`, the SMTP
listener). Two unique keys make delivery idempotent (see `rmadesk.mail.inbound`): the Message-ID
when the message has one, and the SHA-256 of its raw bytes always. The raw message is kept as
received, so what an agent reads can always be checked against what was sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["InboundMessage", "InboundStatus", "MailAttachment"]


class InboundStatus(models.TextChoices):
    TICKET_OPENED = "ticket_opened", "opened a ticket"
    THREADED = "threaded", "threaded onto a ticket as the customer's reply"
    HELD_UNKNOWN_SENDER = "held_unknown_sender", "held: the sender is not a known contact"
    HELD_NO_SERIAL = "held_no_serial", "held: no serial of the customer found in the message"
    HELD_REFUSED = "held_refused", "held: the ticket service refused it"
    IGNORED_AUTO = "ignored_auto", "ignored: auto-reply, bounce or mail loop"
    REJECTED = "rejected", "rejected: not a readable mail message"
    DISCARDED_SPAM = "discarded_spam", "discarded as spam by an agent"


# Statuses an agent resolves (`rmadesk.mail.held`: linked to a customer, or discarded as spam).
HELD_STATUSES = frozenset(
    {
        InboundStatus.HELD_UNKNOWN_SENDER,
        InboundStatus.HELD_NO_SERIAL,
        InboundStatus.HELD_REFUSED,
    }
)


class InboundMessage(models.Model):
    """One received message (deduplicated) and its outcome: a ticket, a reply, held or ignored."""

    # The Message-ID as sent (`<...>`), None when the message had none (then the hash decides).
    message_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    content_hash = models.CharField(max_length=64, unique=True)  # sha256 of the raw bytes
    raw = models.BinaryField()
    raw_size = models.PositiveBigIntegerField()  # of the message as received (raw may be cut)
    source = models.CharField(max_length=20)  # pipe, imap, smtp, ...
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=300, blank=True)
    to = models.TextField(blank=True)  # To and Cc, decoded, one address a line
    subject = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the Date header, when readable
    received_at = models.DateTimeField(db_index=True)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    text = models.TextField(blank=True)  # readable text (the plain part, else made from HTML)
    html_sanitised = models.TextField(blank=True)
    # Where reading it degraded: unknown charsets, broken MIME, unreadable parts.
    defects = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=24, choices=InboundStatus.choices)
    reason = models.TextField(blank=True)  # why this status, in words an agent can act on
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    # The ticket message it became (not `message`: its column would clash with `message_id`).
    ticket_message = models.ForeignKey(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A held reply that names a ticket (by its headers) its sender may not write to.
    ticket_hint = models.BigIntegerField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(default=1)  # the same message delivered again
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    # A held message an agent discarded as spam: kept (never deleted) for the record.
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = [models.Index(fields=("status", "received_at"), name="inbound_by_status")]

    def __str__(self) -> str:
        return f"{self.message_id or self.content_hash[:12]} {self.status}"

    @property
    def is_held(self) -> bool:
        return self.status in HELD_STATUSES


class MailAttachment(models.Model):
    """A file that came with an inbound message: kept in the attachment store, or dropped.

    `path` names the bytes in the tickets' attachment store (`rmadesk.tickets.attachments`,
    relative to `RMADESK_DATA_DIR/attachments`, content-addressed: `sha256/ab/abcd…`; messages
    received before it existed keep `mail/ab/abcd…`), empty when the file was not kept
    (`dropped_reason` says why: over the size limit, ...). Shown on a ticket, a kept file is also
    a `tickets.Attachment` naming the same bytes.
    """

    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300, blank=True)
    is_inline = models.BooleanField(default=False)
    dropped_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes)"

    @property
    def is_stored(self) -> bool:
        return bool(self.path)
