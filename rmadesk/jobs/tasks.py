"""rmadesk's background tasks, on the Django Tasks API (the `django_tasks` backport).

On Django 6, `from django_tasks import task` becomes `from django.tasks import task`; nothing
else here changes. Tasks are thin: each calls one service that claims its own rows, so a task
delivered twice, or lost with a killed worker and run again by the next sweep, neither doubles
nor loses anything. Which backend runs them (the database, or RQ on Redis) is a setting.

Delivery of new mail: the outbox announces each queued notification (`OutboxMessageQueued`);
`start_delivery`, subscribed in `JobsConfig.ready`, queues one delivery task for it. A periodic
job may queue thousands of notifications in one run: while it runs, the announcements are only
counted (`batched_delivery`) and one outbox sweep is queued at its end instead.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django_tasks import task

from rmadesk.core import clock
from rmadesk.core.policies import active_policy
from rmadesk.jobs.identity import CURRENT
from rmadesk.jobs.maintenance import sweep_outbox
from rmadesk.jobs.models import ScheduledRun
from rmadesk.jobs.queue import TASK_QUEUE, enqueue, enqueue_on_commit, retried
from rmadesk.jobs.schedule import periodic_jobs
from rmadesk.mail.events import OutboxMessageQueued
from rmadesk.mail.outbox import deliver_outbox

QUEUE = TASK_QUEUE


class _Batching(threading.local):
    active = False
    queued = 0


_batching = _Batching()


@contextlib.contextmanager
def batched_delivery() -> Iterator[_Batching]:
    """Within the block, queue no delivery task per notification; count them instead."""
    outer = _batching.active, _batching.queued
    _batching.active, _batching.queued = True, 0
    try:
        yield _batching
    finally:
        _batching.active = outer[0]
        if outer[0]:
            _batching.queued += outer[1]


def start_delivery(event: OutboxMessageQueued) -> None:
    """A notification was queued: send it now (or count it, inside a periodic job's run)."""
    if _batching.active:
        _batching.queued += 1
        return
    # Sent by a worker as soon as the row is committed; the outbox sweep backs this up.
    enqueue_on_commit(deliver_outbox_message, event.message_pk)


@task(queue_name=QUEUE)
@retried
def run_scheduled_job(name: str, run_pk: int | None = None) -> int:
    """Run the periodic job `name` now (a scan, the outbox sweep); record it on its slot's row."""
    jobs = {job.name: job for job in periodic_jobs(active_policy())}
    if name not in jobs:
        raise KeyError(f"no periodic job called {name!r}; the jobs are {', '.join(jobs)}")
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
    return deliver_outbox(limit=1, message_pk=message_pk, worker_id=CURRENT.worker_id)


@task(queue_name=QUEUE)
@retried
def deliver_due_outbox() -> int:
    """Send every due notification (queued by a periodic job, or left by a dead worker)."""
    return sweep_outbox(now=clock.now())
