"""Taking over from a worker that died (SIGKILL, power loss): its work is redone, not doubled.

Every scheduler tick looks for workers that are gone without saying so: a `WorkerBeat` never
stopped whose process no longer exists on this machine, or whose beat is older than
`WORKER_ALIVE_WITHIN` (another machine). The first live worker to mark a dead one stopped
(a conditional update: only one wins) takes over what it held:

- the periodic job it was running is queued again on the same schedule slot (the job claims
  its rows itself, so what the dead worker committed is not done again);
- the notifications it was sending get their lease released and are queued again at once; they
  go out with their stored Message-ID, so a copy the SMTP server already had is the same mail;
- with the database backend, its task rows still marked running are marked failed;
- the domain events it committed but had not handed to their subscribers (killed between a
  scan's commit and the mail it owed) are handed out now (`publish_pending_events`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rmadesk.core.events import process_identity
from rmadesk.core.services import publish_pending_events
from rmadesk.jobs.identity import backend_name
from rmadesk.jobs.models import ScheduledRun, WorkerBeat
from rmadesk.jobs.queue import enqueue_on_commit
from rmadesk.jobs.tasks import deliver_outbox_message, run_scheduled_job
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus

logger = logging.getLogger("rmadesk.jobs")

# A worker whose scheduler has not ticked for this long is taken for dead.
WORKER_ALIVE_WITHIN = dt.timedelta(minutes=2)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def is_dead(beat: WorkerBeat, *, now: dt.datetime, hostname: str | None = None) -> bool:
    """True when a worker that never said it stopped is gone."""
    if beat.stopped_at is not None:
        return False  # it stopped cleanly: nothing to take over
    if beat.last_seen_at < now - WORKER_ALIVE_WITHIN:
        return True
    here = hostname if hostname is not None else socket.gethostname()[:255]
    return beat.hostname == here and not _process_exists(beat.pid)


def recover_dead_workers(*, now: dt.datetime, me: str = "") -> list[str]:
    """Take over the work of every dead worker; the ids of the workers taken over."""
    taken: list[str] = []
    for beat in WorkerBeat.objects.filter(stopped_at__isnull=True).exclude(worker_id=me):
        if not is_dead(beat, now=now):
            continue
        with transaction.atomic():
            won = WorkerBeat.objects.filter(pk=beat.pk, stopped_at__isnull=True).update(
                stopped_at=now
            )
            if not won:
                continue  # another live worker took this one over
            _take_over(beat, now)
        taken.append(beat.worker_id)
        logger.warning("worker %s died; its work is queued again", beat.worker_id)
    return taken


def recover_previous_run(worker_id: str, *, now: dt.datetime) -> bool:
    """At start: take over this worker id's own earlier process, if it died without stopping.

    A worker restarted under the same `--worker-id` (systemd, say) would otherwise keep
    refreshing its dead predecessor's heartbeat, and nobody would ever take that one over.
    """
    with transaction.atomic():
        dead = WorkerBeat.objects.filter(worker_id=worker_id, stopped_at__isnull=True).first()
        found = WorkerBeat.objects.filter(worker_id=worker_id, stopped_at__isnull=True).update(
            stopped_at=now
        )
        if found and dead is not None:
            _take_over(dead, now)
        WorkerBeat.objects.filter(worker_id=worker_id).delete()
    if found:
        logger.warning("worker %s had died without stopping; its work is queued again", worker_id)
    return bool(found)


def _take_over(beat: WorkerBeat, now: dt.datetime) -> None:
    worker_id = beat.worker_id
    for run in ScheduledRun.objects.select_for_update().filter(
        runner=worker_id, finished_at__isnull=True
    ):
        run.error = f"worker {worker_id} died while running this; queued again"
        run.runner = ""
        run.save(update_fields=["error", "runner"])
        enqueue_on_commit(run_scheduled_job, run.name, run.pk, periodic=True)
    held = list(
        OutboxMessage.objects.filter(status=OutboxStatus.SENDING, leased_by=worker_id).values_list(
            "pk", flat=True
        )
    )
    OutboxMessage.objects.filter(pk__in=held, status=OutboxStatus.SENDING).update(
        lease_until=now, leased_by=""
    )
    for pk in held:
        enqueue_on_commit(deliver_outbox_message, pk)
    _fail_database_tasks(worker_id, now)
    # Events it committed but had not handed to their subscribers yet (killed in between):
    # their mail is queued now, not at the next retry of pending events.
    publish_pending_events(now=now, recorded_by=process_identity(beat.hostname, beat.pid))


def _fail_database_tasks(worker_id: str, now: dt.datetime) -> None:
    if backend_name() != "database":
        return  # RQ moves a dead worker's jobs to its failed registry itself
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for result in running:
        if result.worker_ids and result.worker_ids[-1] == worker_id[:64]:
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
