"""The periodic jobs and their schedule (policy file `[schedule]`), claimed once per slot.

Every `rmadesk worker` runs a scheduler that ticks every few seconds. On each tick, for each
job whose slot has come round (slots are whole multiples of the job's interval since the epoch,
in UTC), it inserts a `ScheduledRun` row for `(job, slot)` and enqueues the job in the same
transaction (`rmadesk.jobs.worker.tick`). The unique constraint on `(name, slot)` lets exactly
one scheduler win, however many workers on however many machines tick at once; the others'
inserts fail and enqueue nothing. A slot missed while every worker was down is not made up:
each job catches up on everything due whenever it next runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rmadesk.jobs.maintenance import KEEP_RECORDS, prune_job_records, sweep_outbox
from rmadesk.jobs.scans import SCANS, ScanFunction
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.policy.loader import Policy

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

__all__ = ["EPOCH", "KEEP_RECORDS", "Job", "periodic_jobs", "slot_of"]


@dataclass(frozen=True)
class Job:
    """A periodic job: its name, how often it runs, what it runs and what its count means."""

    name: str
    every: dt.timedelta
    what: str
    function: ScanFunction

    def run(self, *, now: dt.datetime) -> int:
        return int(self.function(now=require_aware(now, "now")))


def periodic_jobs(policy: Policy) -> list[Job]:
    """Every periodic job, with the interval the policy file gives it.

    Raises PolicyError naming `schedule.scans.<name>` for an interval given to no such scan.
    """
    schedule = policy.document.schedule
    names = {scan.name for scan in SCANS}
    for name in schedule.scans:
        if name not in names:
            raise PolicyError(
                f"no scan called {name!r}; the scans are {', '.join(sorted(names))}",
                rule="",
                field=f"schedule.scans.{name}",
            )
    jobs = [
        Job(
            name=scan.name,
            every=dt.timedelta(minutes=schedule.scans.get(scan.name, schedule.every_minutes)),
            what=scan.what,
            function=scan.run,
        )
        for scan in SCANS
    ]
    jobs.append(
        Job(
            name="deliver_outbox",
            every=dt.timedelta(minutes=schedule.outbox_every_minutes),
            what="notifications sent (retries and take-overs; new mail goes at once)",
            function=sweep_outbox,
        )
    )
    jobs.append(
        Job(
            name="prune_job_records",
            every=dt.timedelta(hours=1),
            what="finished job records (7 days) and Idempotency-Keys (24 h) deleted",
            function=prune_job_records,
        )
    )
    return jobs


def slot_of(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    """The start of the slot `now` falls in: the last whole multiple of `every` since the epoch."""
    now = require_aware(now, "now").astimezone(dt.UTC)
    return EPOCH + every * ((now - EPOCH) // every)
