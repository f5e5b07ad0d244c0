"""What the background work leaves in the database: schedule slots, dead letters, worker beats.

The task queue itself belongs to the task backend (django-tasks-db's table, or Redis for RQ);
these records are rmadesk's own and the same whichever backend runs the tasks, so the console
and `rmadesk worker --status` read one place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScheduledRun(models.Model):
    """One run of a periodic job for one slot of its schedule (a minute, by default).

    `(name, slot)` is unique: however many workers' schedulers see the slot come round, exactly
    one of them inserts the row, and only that one enqueues the job.
    """

    name = models.CharField(max_length=64)
    slot = models.DateTimeField(help_text="the start of the schedule slot this run is for (UTC)")
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    count = models.IntegerField(null=True, blank=True, help_text="what the job did, e.g. invoices")
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=128, blank=True, help_text="the scheduler that claimed it")
    runner = models.CharField(max_length=128, blank=True, help_text="the worker running it")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="one_run_per_job_and_slot")
        ]
        indexes = [models.Index(fields=["name", "-slot"], name="scheduled_run_latest")]
        ordering = ["-slot", "name"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot.isoformat()}"


class DeadLetterStatus(models.TextChoices):
    DEAD = "dead", "failed, waiting for a person"
    RETRIED = "retried", "queued again by a person"
    DISCARDED = "discarded", "discarded by a person"


class DeadLetter(models.Model):
    """A background task that failed on every attempt: kept with its arguments to be retried."""

    task_path = models.CharField(max_length=255)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField()
    error = models.TextField(help_text="the exception of the last attempt")
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=DeadLetterStatus.choices, default=DeadLetterStatus.DEAD
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "-failed_at"], name="dead_letter_open")]
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.get_status_display()})"


class WorkerBeat(models.Model):
    """A running `rmadesk worker`: written when it starts and at every scheduler tick."""

    worker_id = models.CharField(max_length=128, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    backend = models.CharField(max_length=32)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname}"
