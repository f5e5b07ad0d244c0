"""Periodic housekeeping of the background work: the outbox sweep, old job records."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from rmadesk.core.idempotency import prune_idempotency_keys
from rmadesk.jobs.identity import CURRENT
from rmadesk.jobs.models import ScheduledRun
from rmadesk.mail.outbox import deliver_outbox

# Job records (schedule runs, finished task results) older than this are deleted, hourly.
KEEP_RECORDS = dt.timedelta(days=7)


def sweep_outbox(*, now: dt.datetime, batch: int = 500) -> int:
    """Send every due notification: back-off retries, and rows a killed worker left `sending`."""
    sent = 0
    while True:
        done = deliver_outbox(limit=batch, worker_id=CURRENT.worker_id)
        sent += done
        if done < batch:
            return sent


def prune_job_records(*, now: dt.datetime) -> int:
    """Delete schedule runs and finished task results older than seven days.

    Also the API's Idempotency-Keys past RMADESK_IDEMPOTENCY_HOURS (issue 13): a retry after
    that runs afresh.
    """
    before = now - KEEP_RECORDS
    deleted, _ = ScheduledRun.objects.filter(slot__lt=before).delete()
    finished, _ = (
        DBTaskResult.objects.finished()
        .filter(Q(finished_at__lt=before) | Q(finished_at__isnull=True, enqueued_at__lt=before))
        .delete()
    )
    keys = prune_idempotency_keys(now=now)
    return deleted + finished + keys
