"""Writes about the background work: a person retrying or discarding what failed for good."""

from __future__ import annotations

from django.db import transaction
from django.utils.module_loading import import_string

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, NotFound
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor, user_or_none
from rmadesk.core.services import record_event
from rmadesk.jobs.models import DeadLetter, DeadLetterStatus
from rmadesk.jobs.permissions import require_operator
from rmadesk.jobs.queue import enqueue_on_commit
from rmadesk.jobs.tasks import deliver_outbox_message
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus


class NotRetryable(Conflict):
    """The record is not waiting for a person (already retried, discarded, or sent)."""


def _letter(dead_letter_id: int) -> DeadLetter:
    try:
        return lock(DeadLetter.objects.all(), dead_letter_id)
    except DeadLetter.DoesNotExist:
        raise NotFound(f"no failed task {dead_letter_id}", field="dead_letter") from None


def retry_dead_letter(*, dead_letter_id: int, actor: Actor) -> DeadLetter:
    """Queue a dead-lettered task again, from its first attempt; marks the letter retried."""
    require_operator(actor, "retry a failed task")
    with transaction.atomic():
        letter = _letter(dead_letter_id)
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
        letter.handled_by = user_or_none(actor)
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


def discard_dead_letter(*, dead_letter_id: int, actor: Actor) -> DeadLetter:
    """Take a dead-lettered task off the list without running it (it is kept, marked)."""
    require_operator(actor, "discard a failed task")
    with transaction.atomic():
        letter = _letter(dead_letter_id)
        if letter.status != DeadLetterStatus.DEAD:
            raise NotRetryable(f"this task was already {letter.get_status_display()}")
        letter.status = DeadLetterStatus.DISCARDED
        letter.handled_at = clock.now()
        letter.handled_by = user_or_none(actor)
        letter.save(update_fields=["status", "handled_at", "handled_by"])
        record_event(
            actor=actor,
            verb="task_discarded",
            subject_type="task",
            subject_id=letter.pk,
            note=f"{letter.task_path} discarded after {letter.attempts} failed attempt(s)",
        )
    return letter


def retry_failed_notification(*, message_pk: int, actor: Actor) -> OutboxMessage:
    """Queue an undelivered notification again, with a fresh set of attempts (same Message-ID)."""
    require_operator(actor, "retry an undelivered notification")
    with transaction.atomic():
        try:
            message = lock(OutboxMessage.objects.all(), message_pk)
        except OutboxMessage.DoesNotExist:
            raise NotFound(f"no notification {message_pk}", field="message") from None
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
