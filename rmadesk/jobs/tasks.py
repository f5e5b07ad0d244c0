"""rmadesk's background tasks, on the Django Tasks API (the `django_tasks` backport).

On Django 6, `from django_tasks import task` becomes `from django.tasks import task`; nothing
else here changes. Tasks are thin: each calls one service that claims its own rows, so a task
delivered twice, or lost with a killed worker and run again by the next sweep, neither doubles
nor loses anything. Which backend runs them (the database, or RQ on Redis) is a setting.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django_tasks import task

from rmadesk.core import clock
from rmadesk.jobs.queue import TASK_QUEUE, enqueue, retried
from rmadesk.mail.outbox import batched_delivery

QUEUE = TASK_QUEUE


@task(queue_name=QUEUE)
@retried
def run_scheduled_job(name: str, run_pk: int | None = None) -> int:
    """Run the periodic job `name` now (a scan, the outbox sweep); record it on its slot's row."""
    from rmadesk.core.policies import active_policy  # noqa: PLC0415 - apps load first
    from rmadesk.jobs.models import ScheduledRun  # noqa: PLC0415
    from rmadesk.jobs.schedule import periodic_jobs  # noqa: PLC0415

    jobs = {job.name: job for job in periodic_jobs(active_policy())}
    if name not in jobs:
        raise KeyError(f"no periodic job called {name!r}; the jobs are {', '.join(jobs)}")
    from rmadesk.jobs.worker import CURRENT  # noqa: PLC0415

    now = clock.now()
    runs = ScheduledRun.objects.filter(pk=run_pk) if run_pk is not None else None
    if runs is not None:
        # Who runs it: if this worker dies, a live one queues the run again (jobs.recovery).
        runs.update(started_at=now, runner=CURRENT.worker_id)
    try:
        with batched_delivery() as batch:
            count = jobs[name].run(now=now)
    except Exception as error:
        if runs is not None:
            runs.update(finished_at=clock.now(), error=f"{type(error).__name__}: {error}"[:4000])
        raise
    finally:
        if batch.queued:
            # The notifications the job queued (committed or not) go in one sweep, not one
            # task each; a sweep finding nothing due costs one query.
            enqueue(deliver_due_outbox)
    if runs is not None:
        runs.update(finished_at=clock.now(), count=count)
    return count


@task(queue_name=QUEUE)
@retried
def deliver_outbox_message(message_pk: int) -> int:
    """Send one queued notification, if it is still due and no other worker holds it (0 or 1).

    A failed send is the outbox's to retry (its own back-off, then `failed`), not the task's.
    """
    from rmadesk.mail.outbox import deliver_outbox  # noqa: PLC0415

    return deliver_outbox(limit=1, message_pk=message_pk)


@task(queue_name=QUEUE)
@retried
def deliver_due_outbox() -> int:
    """Send every due notification (queued by a periodic job, or left by a dead worker)."""
    return sweep_outbox(now=clock.now())


def sweep_outbox(*, now: dt.datetime, batch: int = 500) -> int:
    """Send every due notification: back-off retries, and rows a killed worker left `sending`."""
    from rmadesk.mail.outbox import deliver_outbox  # noqa: PLC0415

    sent = 0
    while True:
        done = deliver_outbox(limit=batch)
        sent += done
        if done < batch:
            return sent


def prune_job_records(*, now: dt.datetime) -> int:
    """Delete schedule runs and finished task results older than seven days."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    from rmadesk.jobs.models import ScheduledRun  # noqa: PLC0415
    from rmadesk.jobs.schedule import KEEP_RECORDS  # noqa: PLC0415

    before = now - KEEP_RECORDS
    deleted, _ = ScheduledRun.objects.filter(slot__lt=before).delete()
    finished, _ = (
        DBTaskResult.objects.finished()
        .filter(Q(finished_at__lt=before) | Q(finished_at__isnull=True, enqueued_at__lt=before))
        .delete()
    )
    return deleted + finished
