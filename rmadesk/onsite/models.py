"""On-site service appointments (W3-W5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "booked"
    DONE = "done", "done"
    CANCELLED = "cancelled", "cancelled"


class Appointment(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="appointments"
    )
    requested_at = models.DateTimeField()
    starts_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("starts_at",)

    def __str__(self) -> str:
        return f"#{self.ticket.number} on-site {self.starts_at:%Y-%m-%d %H:%M}"
