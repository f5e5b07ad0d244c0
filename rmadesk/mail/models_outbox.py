"""The outbox: every notification rmadesk sends, queued once the change it reports commits.

A row is created by the mail app's subscriber to the change's domain event
(`rmadesk.mail.notifications`), after the commit; the event is kept with its audit row until the
row is queued, so a notification exists exactly when its change was committed (ADR 0003). The
worker (`rmadesk worker`, `rmadesk outbox send`, `rmadesk.mail.outbox.deliver_outbox`) sends it
later.

Two keys make it exactly-once where it matters:

- `dedupe_key` (unique): what the notification is about (`ticket_opened:<event id>`,
  `label_expiring:<RMA number>`), so one change or one reminder is enqueued once.
- `message_id` (unique, made at enqueue, never changed): the RFC 5322 Message-ID sent with every
  attempt. A worker that crashes after the SMTP server accepted the message but before the row
  was marked sent sends it again with the same Message-ID: delivery to the server is "at least
  once", and receivers (and threading) see one message, because they deduplicate by Message-ID.
"""

from __future__ import annotations

from django.db import models

__all__ = ["OutboxMessage", "OutboxStatus"]


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    SENDING = "sending", "sending (leased by a worker)"
    SENT = "sent", "sent"
    FAILED = "failed", "failed (gave up)"


class OutboxMessage(models.Model):
    """One notification mail: rendered at enqueue, sent by the outbox worker."""

    kind = models.CharField(max_length=40, db_index=True)  # ticket_opened, agent_reply, ...
    dedupe_key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=255, unique=True)  # <rmadesk.{uuid}@{domain}>
    to = models.JSONField(default=list)  # list of addresses
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    # Extra headers sent as they are: In-Reply-To, References, Auto-Submitted, Date.
    headers = models.JSONField(default=dict, blank=True)
    # What to attach, rendered at send time: [{"type": "rma_label", "rma": <number>}].
    attachments = models.JSONField(default=list, blank=True)
    ticket_number = models.BigIntegerField(null=True, blank=True, db_index=True)
    event = models.ForeignKey(
        "core.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()  # a failed attempt backs off before the next
    lease_until = models.DateTimeField(null=True, blank=True)  # while sending
    # The `rmadesk worker` holding the lease ("" for `outbox send`): when that worker is found
    # dead, its leases are released at once instead of waiting for them to run out.
    leased_by = models.CharField(max_length=128, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=("status", "next_attempt_at"), name="outbox_due"),
            models.Index(fields=("status", "lease_until"), name="outbox_leases"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} ({self.status})"
