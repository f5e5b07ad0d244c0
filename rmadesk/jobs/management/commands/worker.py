"""`rmadesk worker`: run background tasks and the periodic scans; `--status` to see how it goes."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rmadesk.jobs.outage import local_worker_states, summary
from rmadesk.jobs.selectors import worker_status
from rmadesk.jobs.worker import WorkerOptions, backend_name, new_worker_id, run_worker


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:  # also refuses nan
        raise ValueError(value)
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    # Every worker start would otherwise import the whole site (URLs, API, reportlab) to check
    # it: a second of CPU per worker, per restart. `rmadesk check` and the web server check it.
    requires_system_checks: list[str] = []
    help = (
        "Run queued background tasks (notifications, PDFs) and the periodic scans on the "
        "schedule of the policy file ([schedule], every minute by default). Run one per machine, "
        "or several: they share the work and never do a job twice. --status shows the queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status",
            action="store_true",
            help="show queue depth, the last run of each scan, live workers and failures; exit",
        )
        parser.add_argument("--json", action="store_true", help="with --status: as JSON")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="only run queued tasks; do not enqueue the periodic scans",
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="run the tasks queued now, then exit (no scheduler)",
        )
        parser.add_argument(
            "--tick",
            type=_positive,
            default=5.0,
            metavar="SECONDS",
            help="how often the scheduler looks for a job due (5)",
        )
        parser.add_argument(
            "--poll",
            type=_positive,
            default=1.0,
            metavar="SECONDS",
            help="database backend: how long to wait when the queue is empty (1)",
        )
        parser.add_argument(
            "--max-tasks", type=_count, default=None, help="exit after N tasks (N ≥ 1)"
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="stop when the process that started this one exits (used by `rmadesk demo`)",
        )
        parser.add_argument("--worker-id", default=None, help="default: host-pid-random")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self._status(as_json=options["json"])
            return
        _log_to(self.stdout, options["verbosity"])
        # The database backend keeps 64 characters of a worker id.
        worker_id = (options["worker_id"] or new_worker_id())[:64]
        scheduler = not (options["no_scheduler"] or options["burst"])
        self.stdout.write(
            f"rmadesk worker {worker_id}: {backend_name()} backend"
            + (", scheduling the periodic scans" if scheduler else "")
        )
        run_worker(
            WorkerOptions(
                worker_id=worker_id,
                tick_seconds=options["tick"],
                poll_seconds=options["poll"],
                scheduler=scheduler,
                burst=options["burst"],
                max_tasks=options["max_tasks"],
                parent_pid=os.getppid() if options["exit_with_parent"] else None,
            )
        )

    def _status(self, *, as_json: bool) -> None:
        # Read first, and without the database: a worker waiting out an outage says so here.
        here = local_worker_states()
        try:
            status = worker_status()
        except Exception as error:
            if as_json:
                self.stdout.write(json.dumps({"error": str(error), "this_machine": here}, indent=2))
            else:
                self._this_machine(here)
            raise CommandError(f"cannot read the worker status: {error}", returncode=2) from None
        if as_json:
            self.stdout.write(json.dumps({**status.as_json(), "this_machine": here}, indent=2))
            return
        local = timezone.localtime  # settings' zone is UTC: times print as stored

        def when(value: Any) -> str:
            return local(value).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"

        state = status.state
        self.stdout.write(f"backend: {status.backend}   queue: {status.queue}")
        if state.error:
            self.stdout.write(f"queue depth: unknown ({state.error})")
        else:
            self.stdout.write(
                f"queue depth: {state.ready} ready, {state.scheduled} waiting to retry, "
                f"{state.running} running, {state.failed} failed attempts on record"
            )
        self.stdout.write(f"live workers: {len(status.workers)}")
        for beat in status.workers:
            self.stdout.write(
                f"  {beat.worker_id}  pid {beat.pid}  up since {when(beat.started_at)}  "
                f"last seen {when(beat.last_seen_at)}"
            )
        self._this_machine(here)
        self.stdout.write("last runs:")
        if not status.last_runs:
            self.stdout.write("  none yet")
        for run in status.last_runs:
            if run.error:
                outcome = f"FAILED {run.error}"
            elif run.finished_at is not None:
                outcome = f"done at {when(run.finished_at)}: {run.count}"
            elif run.started_at is not None:
                outcome = f"running since {when(run.started_at)}"
            else:
                outcome = "queued"
            self.stdout.write(f"  {run.name:<28} slot {when(run.slot)}  {outcome}")
        outbox = ", ".join(f"{count} {state_}" for state_, count in status.outbox.items())
        self.stdout.write(f"outbox: {outbox}")
        self.stdout.write(f"failed for good (dead letters): {status.dead_letters}")
        for problem in status.problems:
            self.stdout.write(self.style.WARNING(f"! {problem}"))

    def _this_machine(self, states: list[dict[str, Any]]) -> None:
        if not states:
            return
        self.stdout.write("workers on this machine:")
        for state in states:
            line = f"  {state.get('worker_id')}  pid {state.get('pid')}  {summary(state)}"
            warn = state.get("state") == "reconnecting"
            self.stdout.write(self.style.WARNING(line) if warn else line)


def _log_to(stream: Any, verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("rmadesk.jobs", "django_tasks", "django_tasks_db", "rq.worker"):
        log = logging.getLogger(name)
        log.setLevel(level)
        if not log.handlers:
            log.addHandler(handler)
