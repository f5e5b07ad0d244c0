"""Issue 6 in a real browser: a manager opens Background work, sees what failed, and puts a
failed task back on the queue. The screenshot docs/screenshots/console-background-work.png
comes from this test (RMADESK_SCREENSHOTS=1 refreshes it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.jobs.models import DeadLetter, DeadLetterStatus, ScheduledRun, WorkerBeat
from rmadesk.mail.models_outbox import OutboxMessage
from tests.browser.conftest import log_in, shoot
from tests.jobs.bulk import queued_notifications

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
# Wednesday 18 November 2026, 10:00 Pacific.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
MINUTE = dt.timedelta(minutes=1)
TRACEBACK = """Traceback (most recent call last):
  File "rmadesk/jobs/queue.py", line 78, in run
    return function(*args, **kwargs)
  File "rmadesk/mail/outbox.py", line 212, in deliver_outbox
    connection.open()
ConnectionRefusedError: [Errno 111] Connection refused
"""


@pytest.fixture
def background():
    # The live server runs in another thread: only the process-wide clock reaches it.
    clock.set_now(NOW)
    add_user(email="lead@vendor.example", role="manager", password=PASSWORD)
    WorkerBeat.objects.create(
        worker_id="desk-1:4242",
        hostname="desk-1",
        pid=4242,
        backend="database",
        started_at=NOW - dt.timedelta(hours=6),
        last_seen_at=NOW - dt.timedelta(seconds=20),
    )
    for name, count, error in (
        ("accrue_late_fees", 2, ""),
        ("expire_rmas", 0, ""),
        ("invoice_unreturned_parts", None, "OperationalError: database is locked"),
        ("sweep_outbox", 14, ""),
    ):
        ScheduledRun.objects.create(
            name=name,
            slot=NOW - MINUTE,
            enqueued_at=NOW - MINUTE,
            started_at=NOW - MINUTE,
            finished_at=NOW - MINUTE + dt.timedelta(seconds=2),
            count=count,
            error=error,
        )
    letters = {}
    for name, minutes in (("invoice_unreturned_parts", 12), ("sweep_outbox", 40)):
        letters[name] = DeadLetter.objects.create(
            task_path="rmadesk.jobs.tasks.run_scheduled_job",
            args=[name],
            kwargs={},
            attempts=5,
            error="OperationalError: database is locked"
            if name != "sweep_outbox"
            else "ConnectionRefusedError: [Errno 111] Connection refused",
            traceback=TRACEBACK,
            failed_at=NOW - minutes * MINUTE,
        )
    queued_notifications(1, to="ops@acme.example")
    OutboxMessage.objects.filter(kind="bulk").update(
        status="failed",
        kind="agent_reply",
        subject="[#100042] Pool degraded: drive 3 UNAVAIL",
        ticket_number=100042,
        attempts=8,
        last_error="SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable",
    )
    yield letters
    clock.set_now(None)


def test_a_manager_retries_a_failed_task_from_the_console(background, open_page, tmp_path: Path):
    lead = open_page()
    log_in(lead, "lead@vendor.example", PASSWORD)
    lead.wait_for_url("**/console/dashboard/")  # the manager's page (issue 16)
    lead.get_by_role("link", name="Background work").click()
    lead.wait_for_url("**/console/jobs/")
    assert "2 task(s) failed for good" in lead.locator("#problems").inner_text()
    letter = background["invoice_unreturned_parts"]

    lead.locator(f"#task-{letter.pk}").get_by_role("button", name="Retry").click()
    lead.wait_for_url("**/console/jobs/")
    notice = lead.get_by_role("status").first
    notice.wait_for()
    assert notice.inner_text() == (
        'Queued again: rmadesk.jobs.tasks.run_scheduled_job("invoice_unreturned_parts"), '
        "from its first attempt."
    )
    assert lead.locator(f"#task-{letter.pk}").count() == 0
    letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.RETRIED
    queued = DBTaskResult.objects.get(task_path="rmadesk.jobs.tasks.run_scheduled_job")
    assert queued.args_kwargs == {"args": ["invoice_unreturned_parts"], "kwargs": {}}
    shoot(lead, "console-background-work", tmp_path)
