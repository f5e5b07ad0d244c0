"""Staff notifications in the app, each staff user's choices, and the breach warnings sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rmadesk.notices.choices import Delivery, NoticeKind


class Notice(models.Model):
    """One notification to one staff user, shown under the console's bell until read.

    `source` names what it reports (`audit:<id>`, the audit row of the change), so an event
    handed out twice notifies each recipient once (unique with the recipient).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    source = models.CharField(max_length=100)
    ticket_number = models.BigIntegerField(null=True, blank=True)
    # The RMA it is about (an RMA's number is its ticket's, rule P3); None for a ticket's.
    rma_number = models.BigIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("recipient", "source"), name="one_notice_per_source")
        ]
        indexes = [
            # The notifications page: a user's own, newest first.
            models.Index(fields=("recipient", "-created_at", "-id"), name="notices_newest"),
            # The bell: a user's unread count.
            models.Index(
                fields=("recipient",),
                name="notices_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.text[:40]}"


class NoticePreference(models.Model):
    """How one staff user hears of one kind; no row means both (in the app and by mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.BOTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "kind"), name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class BreachWarning(models.Model):
    """A clock whose coming breach was announced: one row per clock and due instant.

    The unique row is the marker that makes the warning scan fire once per promise, however
    often it runs and whether or not a worker died in between: a clock re-targeted to another
    due instant (a severity change, a new next-update clock) is a new promise and warned again.
    """

    clock = models.ForeignKey(
        "tickets.ServiceClock", on_delete=models.CASCADE, related_name="breach_warnings"
    )
    due_at = models.DateTimeField()
    warned_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("clock", "due_at"), name="one_warning_per_due_instant")
        ]

    def __str__(self) -> str:
        return f"clock {self.clock_id} due {self.due_at:%Y-%m-%d %H:%M}"
