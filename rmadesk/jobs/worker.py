"""`rmadesk worker`: run queued tasks, and schedule the periodic jobs, in one process.

The process has two parts. A scheduler thread ticks every few seconds: it records that the
worker is alive (`WorkerBeat`) and enqueues each periodic job whose slot has come round
(`schedule.tick`, claimed once across all workers). The main thread runs the task backend's
own worker loop: django-tasks-db's for the database backend, RQ's for the `rq` backend.

A database outage does not end the process: the loop waits, reconnects with back-off and
resumes (`rmadesk.jobs.outage`), and says so in `worker --status` and `/readyz` meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django_tasks_db.management.commands.db_worker import Worker

from rmadesk.core import clock
from rmadesk.core.policies import active_policy, ensure_active_policy_recorded
from rmadesk.jobs.identity import CURRENT, backend_name, new_worker_id
from rmadesk.jobs.models import ScheduledRun, WorkerBeat
from rmadesk.jobs.outage import UNAVAILABLE, WorkerState, describe, wait_for_database
from rmadesk.jobs.queue import enqueue, queue_name
from rmadesk.jobs.recovery import recover_dead_workers, recover_previous_run
from rmadesk.jobs.schedule import periodic_jobs, slot_of
from rmadesk.jobs.tasks import run_scheduled_job
from rmadesk.policy.loader import Policy

__all__ = ["CURRENT", "WorkerOptions", "backend_name", "new_worker_id", "run_worker", "tick"]

logger = logging.getLogger("rmadesk.jobs")


@dataclass(frozen=True)
class WorkerOptions:
    worker_id: str
    tick_seconds: float = 5.0
    poll_seconds: float = 1.0
    scheduler: bool = True
    burst: bool = False
    max_tasks: int | None = None
    # Stop (as on SIGTERM) once this process is no longer our parent: the demo's worker must
    # not outlive the demo, even when the demo is killed outright.
    parent_pid: int | None = None


def tick(*, now: dt.datetime, policy: Policy, worker: str = "") -> list[str]:
    """Claim and enqueue every job whose current slot nobody has claimed; the names enqueued."""
    enqueued: list[str] = []
    jobs = periodic_jobs(policy)
    claimed = set(
        ScheduledRun.objects.filter(slot__in={slot_of(now, job.every) for job in jobs}).values_list(
            "name", "slot"
        )
    )
    for job in jobs:
        slot = slot_of(now, job.every)
        if (job.name, slot) in claimed:
            continue  # cheap pre-check; the constraint below is what decides
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    name=job.name, slot=slot, enqueued_at=now, worker=worker[:128]
                )
                # In the same transaction: if the queue refuses, the slot stays free for the
                # next tick (of any worker) instead of being taken and never run.
                enqueue(run_scheduled_job, job.name, run.pk, periodic=True)
        except IntegrityError:
            continue  # another worker's scheduler claimed this slot first
        enqueued.append(job.name)
    return enqueued


class Scheduler(threading.Thread):
    """The scheduler thread: a heartbeat and `schedule.tick` every `tick_seconds`."""

    def __init__(self, worker_id: str, tick_seconds: float, parent_pid: int | None = None) -> None:
        super().__init__(name="rmadesk-scheduler", daemon=True)
        self.worker_id = worker_id
        self.tick_seconds = tick_seconds
        self.parent_pid = parent_pid
        self.stopping = threading.Event()

    def run(self) -> None:
        database_was_away = False
        try:
            while not self.stopping.is_set():
                if self.parent_pid is not None and os.getppid() != self.parent_pid:
                    logger.warning("the parent process is gone: stopping")
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                close_old_connections()
                try:
                    now = clock.now()
                    beat(self.worker_id, now)
                    recover_dead_workers(now=now, me=self.worker_id)
                    enqueued = tick(now=now, policy=active_policy(), worker=self.worker_id)
                    if enqueued:
                        logger.info("scheduled %s", ", ".join(enqueued))
                    database_was_away = False
                except UNAVAILABLE as error:
                    # The task loop logs the outage and its end; one line here, not a traceback
                    # every tick.
                    if not database_was_away:
                        logger.warning(
                            "scheduler paused, database unavailable: %s", describe(error)
                        )
                    database_was_away = True
                except Exception:  # a database or broker outage: log it, try again next tick
                    logger.exception(
                        "scheduler tick failed; trying again in %ss", self.tick_seconds
                    )
                self.stopping.wait(self.tick_seconds)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()


def beat(worker_id: str, now: dt.datetime) -> None:
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(last_seen_at=now)
    if not updated:
        WorkerBeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            backend=backend_name(),
            started_at=now,
            last_seen_at=now,
        )


def stopped(worker_id: str) -> None:
    try:
        WorkerBeat.objects.filter(worker_id=worker_id).update(stopped_at=clock.now())
    except Exception:  # the database is gone too: the beat simply goes stale
        logger.exception("could not record that worker %s stopped", worker_id)


def run_worker(options: WorkerOptions) -> None:
    """Run until told to stop (SIGINT/SIGTERM: the task in hand is finished first)."""
    # The database backend keeps 64 characters of a worker id: use no more, so they match.
    CURRENT.worker_id = options.worker_id[:64]
    state = WorkerState(options.worker_id)
    state.write(state="running")
    try:
        _wait_until_the_database_answers(state)
        ensure_active_policy_recorded()  # L6: the version new tickets get is stored with its text
        _run_worker(options)
    finally:
        state.remove()


def _wait_until_the_database_answers(state: WorkerState) -> None:
    """At start: a database that is away is waited for, as during a run."""
    try:
        WorkerBeat.objects.exists()
    except UNAVAILABLE as error:
        wait_for_database(state, error)


def _run_worker(options: WorkerOptions) -> None:
    scheduler = (
        Scheduler(options.worker_id, options.tick_seconds, options.parent_pid)
        if options.scheduler
        else None
    )
    recover_previous_run(options.worker_id, now=clock.now())
    if scheduler is not None:
        beat(options.worker_id, clock.now())
        scheduler.start()
    try:
        if backend_name() == "rq":
            _run_rq(options)
        else:
            _run_database(options, WorkerState(options.worker_id))
    finally:
        if scheduler is not None:
            scheduler.stop()
            scheduler.join(timeout=10)
        stopped(options.worker_id)


def _run_database(options: WorkerOptions, state: WorkerState) -> None:
    worker = Worker(
        queue_names=[queue_name()],
        interval=options.poll_seconds,
        batch=options.burst,
        backend_name="default",
        startup_delay=not options.burst,
        max_tasks=options.max_tasks,
        worker_id=CURRENT.worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        while True:
            try:
                worker.run()
                return
            except UNAVAILABLE as error:
                # The database went away under the loop: wait for it, then go on where it was.
                worker.running_task = False
                if not worker.running:
                    return  # told to stop meanwhile
                if not wait_for_database(state, error, should_stop=lambda: not worker.running):
                    return
                worker.startup_delay = False
    except SystemExit as exit_:
        # The library's signal handler exits the process from inside its loop; let `finally`
        # above record the stop, then leave with the same status.
        if exit_.code not in (0, None):
            raise


def _run_rq(options: WorkerOptions) -> None:
    import django_rq  # noqa: PLC0415 - only with the rq backend
    from django_tasks_rq.backend import Job  # noqa: PLC0415 - only with the rq backend

    # RQ's default worker forks a work horse per task. rmadesk's tasks are short and share the
    # process with the scheduler thread, whose database connection must never cross a fork
    # (SQLite in particular deadlocks), so tasks run in this process: RQ's SimpleWorker.
    # RQ = {"WORKER_CLASS": "rq.worker.Worker"} in settings brings the forking one back.
    connections.close_all()
    worker_class = getattr(settings, "RQ", {}).get("WORKER_CLASS", "rq.worker.SimpleWorker")
    # RQ keeps a dead worker's name registered for minutes: a restart under the same worker id
    # must not be refused for it, so RQ's name carries this process's pid.
    worker = django_rq.get_worker(
        queue_name(),
        job_class=Job,
        worker_class=worker_class,
        name=f"{CURRENT.worker_id}.{os.getpid()}",
    )
    worker.work(
        with_scheduler=True,  # runs retries queued with run_after when their time comes
        burst=options.burst,
        max_jobs=options.max_tasks,
        logging_level="INFO",
    )
