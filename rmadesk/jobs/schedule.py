"""The periodic jobs and their schedule (policy file `[schedule]`), claimed once per slot.

Every `rmadesk worker` runs a scheduler that ticks every few seconds. On each tick, for each
job whose slot has come round (slots are whole multiples of the job's interval since the epoch,
in UTC), it inserts a `ScheduledRun` row for `(job, slot)` and enqueues the job in the same
transaction. The unique constraint on `(name, slot)` lets exactly one scheduler win, however
many workers on however many machines tick at once; the others' inserts fail and enqueue
nothing. A slot missed while every worker was down is not made up: each job catches up on
everything due whenever it next runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.db import IntegrityError, transaction

from rmadesk.jobs.scans import SCANS, run_scan
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.policy.loader import Policy

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Job records (schedule runs, finished task results) older than this are deleted, hourly.
KEEP_RECORDS = dt.timedelta(days=7)


@dataclass(frozen=True)
class Job:
    """A periodic job: its name, how often it runs, and what its count means."""

    name: str
    every: dt.timedelta
    what: str
    # A scan of rmadesk.jobs.scans by its name, or else this function (module, name).
    function: tuple[str, str] | None = None

    def run(self, *, now: dt.datetime) -> int:
        if self.function is None:
            return run_scan(self.name, now=now)
        job: Callable[..., int] = getattr(import_module(self.function[0]), self.function[1])
        return int(job(now=now))


def periodic_jobs(policy: Policy) -> list[Job]:
    """Every periodic job, with the interval the policy file gives it.

    Raises PolicyError naming `schedule.scans.<name>` for an interval given to no such scan.
    """
    schedule = policy.document.schedule
    names = {name for name, _, _, _ in SCANS}
    for name in schedule.scans:
        if name not in names:
            raise PolicyError(
                f"no scan called {name!r}; the scans are {', '.join(sorted(names))}",
                rule="",
                field=f"schedule.scans.{name}",
            )
    jobs = [
        Job(
            name=name,
            every=dt.timedelta(minutes=schedule.scans.get(name, schedule.every_minutes)),
            what=what,
        )
        for name, _, _, what in SCANS
    ]
    jobs.append(
        Job(
            name="deliver_outbox",
            every=dt.timedelta(minutes=schedule.outbox_every_minutes),
            what="notifications sent (retries and take-overs; new mail goes at once)",
            function=("rmadesk.jobs.tasks", "sweep_outbox"),
        )
    )
    jobs.append(
        Job(
            name="prune_job_records",
            every=dt.timedelta(hours=1),
            what="finished job records older than 7 days deleted",
            function=("rmadesk.jobs.tasks", "prune_job_records"),
        )
    )
    return jobs


def slot_of(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the slot `now` falls in: the last whole multiple of `every` since the epoch."""
    now = require_aware(now, "now").astimezone(dt.UTC)
    return EPOCH + every * ((now - EPOCH) // every)


def tick(*, now: dt.datetime, policy: Policy, worker: str = "") -> list[str]:
    """Claim and enqueue every job whose current slot nobody has claimed; the names enqueued."""
    from rmadesk.jobs.models import ScheduledRun  # noqa: PLC0415 - models after apps load
    from rmadesk.jobs.queue import enqueue  # noqa: PLC0415
    from rmadesk.jobs.tasks import run_scheduled_job  # noqa: PLC0415

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
