"""Reads about the background work: queue depth, last runs, workers, failures, dead letters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rmadesk.core import clock
from rmadesk.jobs.identity import backend_name
from rmadesk.jobs.models import DeadLetter, DeadLetterStatus, ScheduledRun, WorkerBeat
from rmadesk.jobs.queue import queue_name
from rmadesk.jobs.recovery import WORKER_ALIVE_WITHIN
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.mail.outbox import outbox_counts


@dataclass
class LastRun:
    name: str
    slot: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    count: int | None
    error: str


@dataclass
class QueueState:
    """The task queue as its backend sees it; `error` when the broker cannot be reached."""

    ready: int = 0
    scheduled: int = 0
    running: int = 0
    failed: int = 0
    error: str = ""


@dataclass
class WorkerStatus:
    backend: str
    queue: str
    state: QueueState
    last_runs: list[LastRun]
    workers: list[WorkerBeat]
    dead_letters: int
    outbox: dict[str, int]
    now: dt.datetime
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "queue": self.queue,
            "now": self.now.isoformat(),
            "queue_depth": {
                "ready": self.state.ready,
                "scheduled": self.state.scheduled,
                "running": self.state.running,
                "failed": self.state.failed,
                "error": self.state.error or None,
            },
            "last_runs": [
                {
                    "name": run.name,
                    "slot": run.slot.isoformat(),
                    "started_at": run.started_at.isoformat() if run.started_at else None,
                    "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                    "count": run.count,
                    "error": run.error or None,
                }
                for run in self.last_runs
            ],
            "workers": [
                {
                    "worker_id": beat.worker_id,
                    "hostname": beat.hostname,
                    "pid": beat.pid,
                    "backend": beat.backend,
                    "started_at": beat.started_at.isoformat(),
                    "last_seen_at": beat.last_seen_at.isoformat(),
                }
                for beat in self.workers
            ],
            "dead_letters": self.dead_letters,
            "outbox": self.outbox,
            "problems": self.problems,
        }


def queue_state() -> QueueState:
    """Ready, deferred, running and failed tasks on rmadesk's queue, from the backend."""
    if backend_name() == "rq":
        return _rq_state()
    results = DBTaskResult.objects.filter(queue_name=queue_name())
    ready = results.ready().count()
    waiting = results.filter(status=TaskResultStatus.READY).count()
    return QueueState(
        ready=ready,
        scheduled=waiting - ready,
        running=results.filter(status=TaskResultStatus.RUNNING).count(),
        failed=results.filter(status=TaskResultStatus.FAILED).count(),
    )


def _rq_state() -> QueueState:
    try:
        import django_rq  # noqa: PLC0415 - only with the rq backend

        queue = django_rq.get_queue(queue_name())
        return QueueState(
            ready=queue.count,
            scheduled=queue.scheduled_job_registry.count,
            running=queue.started_job_registry.count,
            failed=queue.failed_job_registry.count,
        )
    except Exception as error:  # the broker is down: say so, do not fail the whole status
        return QueueState(error=f"{type(error).__name__}: {error}")


def last_runs() -> list[LastRun]:
    """The latest run of each periodic job (by slot)."""
    latest = ScheduledRun.objects.values("name").annotate(slot=Max("slot"))
    wanted = {(row["name"], row["slot"]) for row in latest}
    if not wanted:
        return []
    runs = ScheduledRun.objects.filter(slot__in={slot for _, slot in wanted})
    found = [run for run in runs if (run.name, run.slot) in wanted]
    return [
        LastRun(run.name, run.slot, run.started_at, run.finished_at, run.count, run.error)
        for run in sorted(found, key=lambda run: run.name)
    ]


def live_workers(now: dt.datetime) -> list[WorkerBeat]:
    return list(
        WorkerBeat.objects.filter(
            stopped_at__isnull=True, last_seen_at__gte=now - WORKER_ALIVE_WITHIN
        ).order_by("hostname", "worker_id")
    )


def open_dead_letters() -> QuerySet[DeadLetter]:
    return DeadLetter.objects.filter(status=DeadLetterStatus.DEAD).order_by("-failed_at", "-id")


def failed_notifications() -> QuerySet[OutboxMessage]:
    """Notifications the outbox gave up on (status failed), the latest first."""
    return OutboxMessage.objects.filter(status=OutboxStatus.FAILED).order_by("-id")


def worker_status(now: dt.datetime | None = None) -> WorkerStatus:
    """Everything `rmadesk worker --status` and the console's Background work page show."""
    now = now or clock.now()
    status = WorkerStatus(
        backend=backend_name(),
        queue=queue_name(),
        state=queue_state(),
        last_runs=last_runs(),
        workers=live_workers(now),
        dead_letters=open_dead_letters().count(),
        outbox=outbox_counts(),
        now=now,
    )
    if status.state.error:
        status.problems.append(f"the task broker cannot be reached: {status.state.error}")
    if not status.workers:
        status.problems.append(
            "no worker is running: start one with `rmadesk worker` (scans and mail wait until then)"
        )
    if status.dead_letters:
        status.problems.append(f"{status.dead_letters} task(s) failed for good: see the console")
    if status.outbox.get("failed"):
        status.problems.append(f"{status.outbox['failed']} notification(s) could not be delivered")
    return status
