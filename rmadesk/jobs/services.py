"""Writes about the background work: a person retrying or discarding what failed for good."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

from rmadesk.core import clock
from rmadesk.core.choices import Role
from rmadesk.core.permissions import require_role
from rmadesk.core.services import record_event
from rmadesk.jobs.models import DeadLetter, DeadLetterStatus
from rmadesk.jobs.queue import enqueue_on_commit

# Who may put failed work back on the queue: the people who run the desk.
OPERATORS = frozenset({Role.MANAGER, Role.ADMIN})


class NotRetryable(Exception):
    """The record is not waiting for a person (already retried, discarded, or sent)."""


def retry_dead_letter(*, dead_letter_id: int, actor: Any) -> DeadLetter:
    """Queue a dead-lettered task again, from its first attempt; marks the letter retried."""
    require_role(actor, OPERATORS, "retry a failed task")
    with transaction.atomic():
        letter = DeadLetter.objects.select_for_update().get(pk=dead_letter_id)
        if letter.status != DeadLetterStatus.DEAD:
            raise NotRetryable(f"this task was already {letter.get_status_display()}")
        try:
            task = import_string(letter.task_path)
        except ImportError:
            # Renamed or removed since it failed: nothing to run; discard it instead.
            raise NotRetryable(
                f"the task {letter.task_path} no longer exists in this version; discard it"
            ) from None
        letter.status = DeadLetterStatus.RETRIED
        letter.handled_at = clock.now()
        letter.handled_by = actor
        letter.save(update_fields=["status", "handled_at", "handled_by"])
        record_event(
            actor=actor,
            verb="task_retried",
            subject_type="task",
            subject_id=letter.pk,
            note=f"{letter.task_path} queued again after {letter.attempts} failed attempt(s)",
        )
        enqueue_on_commit(task, *letter.args, **letter.kwargs)
    return letter


def discard_dead_letter(*, dead_letter_id: int, actor: Any) -> DeadLetter:
    """Take a dead-lettered task off the list without running it (it is kept, marked)."""
    require_role(actor, OPERATORS, "discard a failed task")
    with transaction.atomic():
        letter = DeadLetter.objects.select_for_update().get(pk=dead_letter_id)
        if letter.status != DeadLetterStatus.DEAD:
            raise NotRetryable(f"this task was already {letter.get_status_display()}")
        letter.status = DeadLetterStatus.DISCARDED
        letter.handled_at = clock.now()
        letter.handled_by = actor
        letter.save(update_fields=["status", "handled_at", "handled_by"])
        record_event(
            actor=actor,
            verb="task_discarded",
            subject_type="task",
            subject_id=letter.pk,
            note=f"{letter.task_path} discarded after {letter.attempts} failed attempt(s)",
        )
    return letter


def retry_failed_notification(*, message_pk: int, actor: Any) -> Any:
    """Queue an undelivered notification again, with a fresh set of attempts (same Message-ID)."""
    from rmadesk.jobs.tasks import deliver_outbox_message  # noqa: PLC0415
    from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus  # noqa: PLC0415

    require_role(actor, OPERATORS, "retry an undelivered notification")
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_pk)
        if message.status != OutboxStatus.FAILED:
            raise NotRetryable(f"this notification is {message.status}, not failed")
        message.status = OutboxStatus.QUEUED
        message.attempts = 0
        message.next_attempt_at = clock.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        record_event(
            actor=actor,
            verb="notification_retried",
            subject_type="outbox_message",
            subject_id=message.pk,
            ticket_number=message.ticket_number,
            note=f"{message.kind} to {', '.join(message.to)} queued again ({message.last_error})",
        )
        enqueue_on_commit(deliver_outbox_message, message.pk)
    return message
