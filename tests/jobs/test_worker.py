"""The worker's parts in one process: the schedule, retries with back-off, dead letters, status.

The task backend here is the default database one (django-tasks-db), run with its own worker
loop (`rmadesk worker --burst`), so every task goes through a real queue table.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core.models import AuditEvent
from rmadesk.jobs import schedule, worker
from rmadesk.jobs.models import DeadLetter, DeadLetterStatus, ScheduledRun, WorkerBeat
from rmadesk.jobs.queue import TASK_QUEUE, backoff, enqueue, retried
from rmadesk.jobs.recovery import WORKER_ALIVE_WITHIN, recover_dead_workers
from rmadesk.jobs.services import NotRetryable, retry_dead_letter
from rmadesk.jobs.worker import WorkerOptions, run_worker
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import default_policy, load_policy

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 16, 18, 0, 30, tzinfo=UTC)  # Mon 16 Nov 2026, 10:00:30 Pacific
ALL_JOBS = [
    "mark_breached_clocks",
    "warn_breaching_clocks",
    "expire_rmas",
    "expire_labels",
    "invoice_unreturned_parts",
    "accrue_late_fees",
    "remind_label_expiring",
    "remind_part_not_returned",
    "send_weekly_summary",
    "publish_pending_events",
    "deliver_outbox",
    "prune_job_records",
]
FLAKY_MARKER = "flaky-attempt"


@task(queue_name=TASK_QUEUE)
@retried
def flaky(fail_times: int) -> int:
    """Fails its first `fail_times` runs (counted in audit events), then succeeds."""
    done = AuditEvent.objects.filter(verb=FLAKY_MARKER).count()
    AuditEvent.objects.create(
        at=NOW, actor_label="system", verb=FLAKY_MARKER, subject_type="x", subject_id=str(done)
    )
    if done < fail_times:
        raise RuntimeError(f"disk on fire (run {done + 1})")
    return done + 1


@pytest.fixture
def burst() -> Iterator[None]:
    """`run_worker` replaces the process's SIGINT/SIGTERM handlers: give pytest its own back."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def run_queued() -> None:
    run_worker(WorkerOptions(worker_id="test-worker", scheduler=False, burst=True))


def results(path: str) -> list[str]:
    return list(
        DBTaskResult.objects.filter(task_path=path)
        .order_by("enqueued_at")
        .values_list("status", flat=True)
    )


# ------------------------------------------------------------------------------ schedule


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=1440),
)
def test_a_slot_starts_on_a_whole_interval_and_contains_the_instant(now, minutes):
    every = dt.timedelta(minutes=minutes)
    slot = schedule.slot_of(now, every)
    assert slot <= now < slot + every
    assert (slot - schedule.EPOCH) % every == dt.timedelta(0)


def test_a_naive_instant_has_no_slot_rule_t1():
    with pytest.raises(PolicyError, match="T1"):
        schedule.slot_of(dt.datetime(2026, 11, 16, 18), dt.timedelta(minutes=1))


def test_the_default_schedule_runs_every_scan_and_the_outbox_every_minute():
    jobs = {job.name: job.every for job in schedule.periodic_jobs(default_policy())}
    assert list(jobs) == ALL_JOBS
    assert {every for name, every in jobs.items() if name != "prune_job_records"} == {
        dt.timedelta(minutes=1)
    }
    assert jobs["prune_job_records"] == dt.timedelta(hours=1)


def _policy_with(tmp_path: Path, schedule_toml: str):
    from importlib import resources

    text = resources.files("rmadesk.policy").joinpath("default.toml").read_text("utf-8")
    text = text[: text.index("[schedule]")] + schedule_toml
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return load_policy(path)


def test_the_policy_file_sets_the_intervals(tmp_path):
    policy = _policy_with(
        tmp_path,
        "[schedule]\nevery_minutes = 5\noutbox_every_minutes = 2\n"
        "scans = { accrue_late_fees = 60 }\n",
    )
    jobs = {job.name: job.every for job in schedule.periodic_jobs(policy)}
    assert jobs["invoice_unreturned_parts"] == dt.timedelta(minutes=5)
    assert jobs["accrue_late_fees"] == dt.timedelta(minutes=60)
    assert jobs["deliver_outbox"] == dt.timedelta(minutes=2)


def test_an_interval_for_a_scan_that_does_not_exist_names_the_key(tmp_path):
    policy = _policy_with(tmp_path, "[schedule]\nscans = { invoice_everything = 5 }\n")
    with pytest.raises(PolicyError) as refused:
        schedule.periodic_jobs(policy)
    assert refused.value.field == "schedule.scans.invoice_everything"
    assert "invoice_unreturned_parts" in str(refused.value)


def test_a_zero_interval_is_refused_by_the_policy_file(tmp_path):
    from rmadesk.policy.errors import PolicyFileError

    with pytest.raises(PolicyFileError) as refused:
        _policy_with(tmp_path, "[schedule]\nevery_minutes = 0\n")
    assert "schedule.every_minutes: Input should be greater than or equal to 1" in str(
        refused.value
    )


@pytest.mark.django_db
def test_each_slot_is_claimed_and_queued_once_however_often_the_schedulers_tick():
    policy = default_policy()
    assert worker.tick(now=NOW, policy=policy, worker="a") == ALL_JOBS
    assert worker.tick(now=NOW, policy=policy, worker="b") == []
    assert worker.tick(now=NOW + dt.timedelta(seconds=29), policy=policy, worker="c") == []
    # The next minute: every job again but the hourly prune.
    later = worker.tick(now=NOW + dt.timedelta(minutes=1), policy=policy, worker="b")
    assert later == ALL_JOBS[:-1]
    assert ScheduledRun.objects.count() == 2 * len(ALL_JOBS) - 1
    queued = DBTaskResult.objects.filter(task_path="rmadesk.jobs.tasks.run_scheduled_job")
    assert queued.count() == 2 * len(ALL_JOBS) - 1
    # Periodic jobs go ahead of single notifications in the queue.
    assert set(queued.values_list("priority", flat=True)) == {10}
    first = ScheduledRun.objects.get(
        name="expire_rmas", slot=dt.datetime(2026, 11, 16, 18, tzinfo=UTC)
    )
    assert first.worker == "a"


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_job_runs_and_records_its_count_on_its_slot(burst):
    from tests.billing.factories import advance_exchange

    rma = advance_exchange()  # day-14 invoice due 16 Nov 2026 (R4)
    worker.tick(now=NOW, policy=default_policy(), worker="a")
    from rmadesk.core import clock

    with clock.frozen_at(NOW):
        run_queued()
    run = ScheduledRun.objects.get(name="invoice_unreturned_parts")
    assert (run.count, run.error, run.runner) == (1, "", "test-worker")
    assert run.started_at == run.finished_at == NOW
    assert rma.invoices.count() == 1
    assert set(results("rmadesk.jobs.tasks.run_scheduled_job")) == {TaskResultStatus.SUCCESSFUL}
    # The invoice's notification went in the one sweep the scan queued, not a task of its own.
    assert results("rmadesk.jobs.tasks.deliver_due_outbox") == [TaskResultStatus.SUCCESSFUL]
    assert results("rmadesk.jobs.tasks.deliver_outbox_message") == []


# ------------------------------------------------------------------------------ retries


def test_the_back_off_doubles_from_30_seconds_and_stops_at_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_retried_after_its_back_off(burst):
    before = dt.datetime.now(UTC)
    enqueue(flaky, 1)
    run_queued()  # the first attempt fails; the retry waits its back-off
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs == {"args": [1], "kwargs": {"attempt": 2}}
    assert before + dt.timedelta(seconds=30) <= retry.run_after
    assert retry.run_after <= dt.datetime.now(UTC) + dt.timedelta(seconds=30)
    assert results(f"{__name__}.flaky") == [TaskResultStatus.FAILED, TaskResultStatus.READY]
    # Its time comes: the second attempt succeeds, and nothing is dead-lettered.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=dt.datetime.now(UTC))
    run_queued()
    assert results(f"{__name__}.flaky") == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert AuditEvent.objects.filter(verb=FLAKY_MARKER).count() == 2
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(RMADESK_TASK_MAX_ATTEMPTS=3, RMADESK_TASK_FIRST_BACKOFF_SECONDS=0)
def test_a_task_failing_every_attempt_becomes_a_dead_letter_that_a_manager_can_retry(burst):
    from rmadesk.core.services import add_user

    enqueue(flaky, 5)
    run_queued()  # three attempts, no wait between them here
    assert results(f"{__name__}.flaky") == [TaskResultStatus.FAILED] * 3
    letter = DeadLetter.objects.get()
    assert (letter.task_path, letter.args, letter.kwargs, letter.attempts) == (
        f"{__name__}.flaky",
        [5],
        {},
        3,
    )
    assert letter.error == "RuntimeError: disk on fire (run 3)"
    assert "Traceback" in letter.traceback and letter.status == DeadLetterStatus.DEAD

    manager = add_user(email="lead@vendor.example", role="manager")
    retry_dead_letter(dead_letter_id=letter.pk, actor=manager)
    letter.refresh_from_db()
    assert (letter.status, letter.handled_by) == (DeadLetterStatus.RETRIED, manager)
    assert AuditEvent.objects.filter(verb="task_retried", subject_id=str(letter.pk)).count() == 1
    with pytest.raises(NotRetryable):
        retry_dead_letter(dead_letter_id=letter.pk, actor=manager)
    run_queued()  # from attempt 1 again: runs 4 and 5 fail, run 6 succeeds
    assert results(f"{__name__}.flaky")[-1] == TaskResultStatus.SUCCESSFUL
    assert DeadLetter.objects.count() == 1


# ------------------------------------------------------------------------------ take-over


@pytest.mark.django_db
def test_a_dead_worker_is_taken_over_once_and_a_live_or_stopped_one_never():
    from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
    from tests.jobs.bulk import queued_notifications

    def beat(worker_id, last_seen, stopped=None, pid=1):
        return WorkerBeat.objects.create(
            worker_id=worker_id,
            hostname="elsewhere",
            pid=pid,
            backend="database",
            started_at=last_seen,
            last_seen_at=last_seen,
            stopped_at=stopped,
        )

    beat("alive", NOW)
    beat("stopped", NOW - dt.timedelta(hours=1), stopped=NOW - dt.timedelta(hours=1))
    beat("silent", NOW - WORKER_ALIVE_WITHIN - dt.timedelta(seconds=1))
    run = ScheduledRun.objects.create(
        name="expire_rmas", slot=NOW, enqueued_at=NOW, started_at=NOW, runner="silent"
    )
    queued_notifications(2)
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.first().pk).update(
        status=OutboxStatus.SENDING, leased_by="silent", lease_until=NOW + dt.timedelta(hours=1)
    )

    assert recover_dead_workers(now=NOW, me="alive") == ["silent"]
    assert recover_dead_workers(now=NOW, me="alive") == []  # once
    run.refresh_from_db()
    assert run.runner == "" and "worker silent died" in run.error
    held = OutboxMessage.objects.get(status=OutboxStatus.SENDING)
    assert (held.leased_by, held.lease_until) == ("", NOW)  # due again at once
    assert WorkerBeat.objects.get(worker_id="silent").stopped_at == NOW
    assert WorkerBeat.objects.get(worker_id="alive").stopped_at is None


# ------------------------------------------------------------------------------ status


@pytest.mark.django_db
def test_worker_status_shows_queue_depth_last_runs_workers_and_failures():
    from rmadesk.core import clock

    WorkerBeat.objects.create(
        worker_id="w1",
        hostname="jobs-1",
        pid=4242,
        backend="database",
        started_at=NOW - dt.timedelta(hours=2),
        last_seen_at=NOW,
    )
    ScheduledRun.objects.create(
        name="invoice_unreturned_parts",
        slot=NOW.replace(second=0),
        enqueued_at=NOW,
        started_at=NOW,
        finished_at=NOW + dt.timedelta(seconds=3),
        count=12,
        runner="w1",
    )
    ScheduledRun.objects.create(
        name="accrue_late_fees",
        slot=NOW.replace(second=0),
        enqueued_at=NOW,
        started_at=NOW,
        finished_at=NOW,
        error="OperationalError: database is gone",
    )
    DeadLetter.objects.create(
        task_path="rmadesk.jobs.tasks.deliver_due_outbox", attempts=5, error="boom", failed_at=NOW
    )
    enqueue(flaky, 0)
    enqueue(flaky, 0, run_after=dt.datetime.now(UTC) + dt.timedelta(hours=1))

    out = io.StringIO()
    with clock.frozen_at(NOW):
        call_command("worker", "--status", stdout=out)
    text = out.getvalue()
    assert "backend: database   queue: default" in text
    assert "queue depth: 1 ready, 1 waiting to retry, 0 running, 0 failed attempts" in text
    assert "live workers: 1" in text
    assert "w1  pid 4242  up since 2026-11-16 16:00:30 UTC" in text
    assert (
        "invoice_unreturned_parts     slot 2026-11-16 18:00:00 UTC  done at 2026-11-16 18:00:33 "
        "UTC: 12"
    ) in text
    assert "FAILED OperationalError: database is gone" in text
    assert "failed for good (dead letters): 1" in text

    out = io.StringIO()
    with clock.frozen_at(NOW):
        call_command("worker", "--status", "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["queue_depth"] == {
        "ready": 1,
        "scheduled": 1,
        "running": 0,
        "failed": 0,
        "error": None,
    }
    assert status["dead_letters"] == 1
    assert [w["worker_id"] for w in status["workers"]] == ["w1"]
    assert {run["name"]: run["count"] for run in status["last_runs"]} == {
        "accrue_late_fees": None,
        "invoice_unreturned_parts": 12,
    }


@pytest.mark.django_db
def test_worker_status_says_when_the_broker_cannot_be_reached(settings):
    from rmadesk.jobs.selectors import worker_status

    settings.RMADESK_TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "SOCKET_CONNECT_TIMEOUT": 1}}
    status = worker_status(NOW)
    assert status.state.error.startswith("ConnectionError")
    assert status.problems[0].startswith("the task broker cannot be reached: ConnectionError")


@pytest.mark.django_db
def test_a_worker_restarted_under_its_old_id_takes_over_its_dead_predecessor_first():
    from rmadesk.jobs.recovery import recover_previous_run

    WorkerBeat.objects.create(
        worker_id="jobs-1",
        hostname="elsewhere",
        pid=1,
        backend="database",
        started_at=NOW,
        last_seen_at=NOW,
    )
    run = ScheduledRun.objects.create(
        name="expire_labels", slot=NOW, enqueued_at=NOW, started_at=NOW, runner="jobs-1"
    )
    assert recover_previous_run("jobs-1", now=NOW) is True
    run.refresh_from_db()
    assert run.runner == "" and "worker jobs-1 died" in run.error
    assert not WorkerBeat.objects.filter(worker_id="jobs-1").exists()  # a fresh beat follows
    assert recover_previous_run("jobs-1", now=NOW) is False


@pytest.mark.django_db
def test_a_dead_letter_whose_task_no_longer_exists_cannot_be_retried_and_stays_listed():
    from rmadesk.core.services import add_user

    letter = DeadLetter.objects.create(
        task_path="rmadesk.jobs.tasks.renamed_long_ago", attempts=5, error="boom", failed_at=NOW
    )
    manager = add_user(email="lead@vendor.example", role="manager")
    with pytest.raises(NotRetryable, match="no longer exists"):
        retry_dead_letter(dead_letter_id=letter.pk, actor=manager)
    letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.DEAD
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    ("option", "value"), [("--tick", "0"), ("--poll", "-1"), ("--max-tasks", "0")]
)
def test_a_worker_option_out_of_range_is_refused_naming_the_option(option, value):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=f"argument {option}: invalid"):
        call_command("worker", option, value)
