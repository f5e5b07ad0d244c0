"""The console's Background work page: the worker status with exact numbers, failed tasks and
undelivered notifications, and retrying or discarding them (managers and admins only).

The console's clock is frozen at Wed 18 Nov 2026, 10:00 PST; staff see times in the vendor's
zone (T1). Tasks go to the default database backend, so a retry leaves a DBTaskResult row.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rmadesk.core.models import AuditEvent
from rmadesk.jobs.models import DeadLetter, DeadLetterStatus, ScheduledRun, WorkerBeat
from rmadesk.jobs.queue import enqueue
from rmadesk.jobs.tasks import deliver_outbox_message, run_scheduled_job
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html
from tests.console.helpers import text_of as tag_free_text
from tests.jobs.bulk import queued_notifications

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def dead_letter(name: str = "expire_rmas", **fields) -> DeadLetter:
    values = {
        "task_path": "rmadesk.jobs.tasks.run_scheduled_job",
        "args": [name],
        "kwargs": {"run_pk": 7},
        "attempts": 5,
        "error": "OperationalError: database is locked",
        "traceback": 'Traceback (most recent call last):\n  File "scans.py", line 3\n',
        "failed_at": NOW - 5 * MINUTE,
    }
    values.update(fields)
    return DeadLetter.objects.create(**values)


def failed_notifications(count: int, *, ticket_number: int | None = None) -> list[OutboxMessage]:
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    queued_notifications(count, to="ops@acme.example")
    made = OutboxMessage.objects.exclude(pk__in=before)
    made.update(
        status=OutboxStatus.FAILED,
        attempts=8,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
        ticket_number=ticket_number,
    )
    return list(made.order_by("pk"))


def tasks_in_the_queue(ready: int, waiting: int, running: int, failed: int) -> None:
    """Rows in django-tasks-db's table, in each state the page counts."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # the queue reads the real time
    for _ in range(ready):
        enqueue(run_scheduled_job, "sweep_outbox")
    for _ in range(waiting):
        enqueue(run_scheduled_job, "sweep_outbox", run_after=later)
    for status, count in ((TaskResultStatus.RUNNING, running), (TaskResultStatus.FAILED, failed)):
        for _ in range(count):
            pk = enqueue(run_scheduled_job, "sweep_outbox").id
            DBTaskResult.objects.filter(pk=pk).update(status=status)


def text_of(page: str) -> str:
    """The page's text, entities decoded (quotes in arguments come escaped)."""
    return unescape(tag_free_text(page)).strip()


def cell(page: str, label: str) -> str:
    """The value beside a row heading of the status tables."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td>', page)
    assert found, label
    return found.group(1)


def test_the_page_shows_the_worker_status_with_exact_numbers():
    manager = client_for(make_user("manager"))
    tasks_in_the_queue(ready=3, waiting=2, running=1, failed=4)
    WorkerBeat.objects.create(
        worker_id="desk-1:4242",
        hostname="desk-1",
        pid=4242,
        backend="database",
        started_at=NOW - dt.timedelta(hours=2),
        last_seen_at=NOW - dt.timedelta(seconds=30),
    )
    WorkerBeat.objects.create(  # gone quiet an hour ago: not listed as running
        worker_id="old-box:1",
        hostname="old-box",
        pid=1,
        backend="database",
        started_at=NOW - dt.timedelta(days=1),
        last_seen_at=NOW - dt.timedelta(hours=1),
    )
    ScheduledRun.objects.create(
        name="expire_rmas",
        slot=NOW - 2 * MINUTE,
        enqueued_at=NOW - 2 * MINUTE,
        started_at=NOW - 2 * MINUTE,
        finished_at=NOW - MINUTE,
        count=3,
    )
    ScheduledRun.objects.create(  # an older slot of the same job: not the last run
        name="expire_rmas", slot=NOW - 60 * MINUTE, enqueued_at=NOW - 60 * MINUTE, count=99
    )
    ScheduledRun.objects.create(
        name="accrue_late_fees",
        slot=NOW - MINUTE,
        enqueued_at=NOW - MINUTE,
        started_at=NOW - MINUTE,
        finished_at=NOW - MINUTE,
        error="ValueError: no rate",
    )
    dead_letter()
    dead_letter(status=DeadLetterStatus.RETRIED)  # handled: not listed
    failed_notifications(2, ticket_number=4711)
    queued_notifications(1)

    page = html(manager.get("/console/jobs/"))
    text = text_of(page)

    assert "tasks run on the database backend, queue default" in text
    assert "As of Wed 18 Nov 2026, 10:00 PST (-08:00)" in text
    assert cell(page, "Ready to run") == "3"
    assert cell(page, "Waiting to retry (or scheduled)") == "2"
    assert cell(page, "Running") == "1"
    assert cell(page, "Failed attempts") == "4"
    assert [cell(page, name) for name in ("Queued", "Sending", "Sent", "Failed")] == [
        "1",
        "0",
        "0",
        "2",
    ]
    workers = re.search(r'<table class="striped" id="workers">(.*?)</table>', page, re.S)[1]
    assert text_of(workers).count("desk-1") == 2 and "old-box" not in workers
    assert (
        "desk-1 4242 desk-1:4242 (database) Wed 18 Nov 2026, 08:00 PST (-08:00) "
        "Wed 18 Nov 2026, 09:59 PST (-08:00)"
    ) in text_of(workers)
    runs = text_of(re.search(r'id="last-runs">(.*?)</table>', page, re.S)[1])
    assert (
        "accrue_late_fees Wed 18 Nov 2026, 09:59 PST (-08:00) Wed 18 Nov 2026, 09:59 PST (-08:00) "
        "failed ValueError: no rate"
    ) in runs
    assert (
        "expire_rmas Wed 18 Nov 2026, 09:58 PST (-08:00) Wed 18 Nov 2026, 09:59 PST (-08:00) 3 done"
    ) in runs
    assert "99" not in runs
    problems = re.findall(r'<p class="notice warning" role="alert">(.*?)</p>', page, re.S)
    assert [text_of(p) for p in problems] == [
        "Attention: 1 task(s) failed for good: see the console",
        "Attention: 2 notification(s) could not be delivered",
    ]


def test_failed_tasks_and_undelivered_notifications_are_listed():
    manager = client_for(make_user("manager"))
    letter = dead_letter()
    mails = failed_notifications(1, ticket_number=4711) + failed_notifications(1)
    page = html(manager.get("/console/jobs/"))

    row = re.search(rf'<tr id="task-{letter.pk}">(.*?)</tr>', page, re.S)[1]
    assert text_of(row).startswith(
        'rmadesk.jobs.tasks.run_scheduled_job "expire_rmas", run_pk=7 5 '
        "Wed 18 Nov 2026, 09:55 PST (-08:00) OperationalError: database is locked "
        "Traceback Traceback (most recent call last):"
    )
    assert "<details><summary>Traceback</summary>" in row
    assert "Failed tasks (1)" in text_of(page)
    assert "Undelivered notifications (2)" in text_of(page)
    first = re.search(rf'<tr id="notification-{mails[0].pk}">(.*?)</tr>', page, re.S)[1]
    assert text_of(first).startswith(
        f"bulk ops@acme.example {mails[0].subject} #4711 8 "
        "SMTPRecipientsRefused: 550 mailbox unavailable"
    )
    assert 'href="/console/tickets/4711/"' in first
    second = re.search(rf'<tr id="notification-{mails[1].pk}">(.*?)</tr>', page, re.S)[1]
    assert "/console/tickets/" not in second and " — " in text_of(second)
    assert page.index(f"notification-{mails[1].pk}") < page.index(f"notification-{mails[0].pk}")


def test_an_empty_page_says_what_is_missing():
    page = text_of(html(client_for(make_user("agent")).get("/console/jobs/")))
    assert "Attention: no worker is running: start one with `rmadesk worker`" in page
    assert "No worker has been seen in the last two minutes." in page
    assert "No periodic job has run yet." in page
    assert "No failed task." in page
    assert "No undelivered notification." in page


def test_the_nav_links_the_page_for_every_staff_page():
    page = html(client_for(make_user("clerk")).get("/console/receiving/"))
    assert '<a href="/console/jobs/">Background work</a>' in page
    page = html(client_for(make_user("clerk")).get("/console/jobs/"))
    assert '<a href="/console/jobs/" aria-current="page">Background work</a>' in page


def test_retry_queues_the_task_again_and_marks_the_letter_retried(
    django_capture_on_commit_callbacks,
):
    user = make_user("manager")
    manager = client_for(user)
    letter = dead_letter()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/console/jobs/tasks/{letter.pk}/retry")
    assert response.status_code == 302
    assert response["Location"] == "/console/jobs/"
    letter.refresh_from_db()
    assert (letter.status, letter.handled_at, letter.handled_by) == (
        DeadLetterStatus.RETRIED,
        NOW,
        user,
    )
    queued = DBTaskResult.objects.get(task_path="rmadesk.jobs.tasks.run_scheduled_job")
    assert queued.args_kwargs == {"args": ["expire_rmas"], "kwargs": {"run_pk": 7}}
    assert queued.status == TaskResultStatus.READY
    assert AuditEvent.objects.filter(verb="task_retried", subject_id=str(letter.pk)).count() == 1
    page = text_of(html(manager.get(response["Location"])))
    assert (
        'Queued again: rmadesk.jobs.tasks.run_scheduled_job("expire_rmas", run_pk=7), '
        "from its first attempt."
    ) in page
    assert "No failed task." in page


def test_retry_keeps_the_pages_the_viewer_was_on(django_capture_on_commit_callbacks):
    manager = client_for(make_user("manager"))
    letter = dead_letter()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/console/jobs/tasks/{letter.pk}/retry?tasks_page=2&mail_page=3&next=//evil.example"
        )
    assert response["Location"] == "/console/jobs/?tasks_page=2&mail_page=3"


def test_discard_marks_the_letter_and_queues_nothing(django_capture_on_commit_callbacks):
    manager = client_for(make_user("admin"))
    letter = dead_letter()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/console/jobs/tasks/{letter.pk}/discard")
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.DISCARDED
    assert not DBTaskResult.objects.exists()
    page = text_of(html(manager.get("/console/jobs/")))
    assert (
        'Discarded: rmadesk.jobs.tasks.run_scheduled_job("expire_rmas", run_pk=7) will not run '
        "(kept on record)."
    ) in page


def test_retry_of_a_failed_notification_queues_it_with_fresh_attempts(
    django_capture_on_commit_callbacks,
):
    manager = client_for(make_user("manager"))
    (mail,) = failed_notifications(1, ticket_number=4711)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/console/jobs/notifications/{mail.pk}/retry")
    assert response.status_code == 302
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.next_attempt_at) == (OutboxStatus.QUEUED, 0, NOW)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == deliver_outbox_message.module_path
    assert queued.args_kwargs == {"args": [mail.pk], "kwargs": {}}
    page = text_of(html(manager.get("/console/jobs/")))
    assert f"Queued again: “{mail.subject}” to ops@acme.example." in page
    assert "No undelivered notification." in page


def test_an_agent_may_not_retry_gets_403_and_nothing_changes(django_capture_on_commit_callbacks):
    agent = client_for(make_user("agent"))
    letter = dead_letter()
    (mail,) = failed_notifications(1)
    page = html(agent.get("/console/jobs/"))
    assert ">Retry</button>" not in page and ">Discard</button>" not in page
    assert "Retrying and discarding need the manager or admin role." in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for path in (
            f"/console/jobs/tasks/{letter.pk}/retry",
            f"/console/jobs/tasks/{letter.pk}/discard",
            f"/console/jobs/notifications/{mail.pk}/retry",
        ):
            response = agent.post(path)
            assert response.status_code == 403, path
            assert "needs the role admin or manager" in html(response)
    assert callbacks == []
    letter.refresh_from_db()
    mail.refresh_from_db()
    assert (letter.status, mail.status, mail.attempts) == ("dead", "failed", 8)
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.filter(verb__in=["task_retried", "task_discarded"]).exists()


def test_a_letter_already_handled_is_not_retryable_and_the_page_says_so(
    django_capture_on_commit_callbacks,
):
    manager = client_for(make_user("manager"))
    letter = dead_letter(status=DeadLetterStatus.DISCARDED)
    (mail,) = failed_notifications(1)
    OutboxMessage.objects.filter(pk=mail.pk).update(status=OutboxStatus.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        retried = manager.post(f"/console/jobs/tasks/{letter.pk}/retry", follow=True)
        resent = manager.post(f"/console/jobs/notifications/{mail.pk}/retry", follow=True)
    assert retried.redirect_chain == [("/console/jobs/", 302)]
    assert "Nothing done: this task was already discarded by a person." in text_of(html(retried))
    assert "Nothing done: this notification is sent, not failed." in text_of(html(resent))
    letter.refresh_from_db()
    mail.refresh_from_db()
    assert (letter.status, mail.status) == (DeadLetterStatus.DISCARDED, OutboxStatus.SENT)
    assert not DBTaskResult.objects.exists()


def test_the_manager_forms_carry_the_csrf_token():
    manager = client_for(make_user("manager"), csrf=True)
    dead_letter()
    failed_notifications(1)
    page = html(manager.get("/console/jobs/"))
    forms = re.findall(r'<form method="post" action="/console/jobs/.*?</form>', page, flags=re.S)
    assert len(forms) == 3
    assert all('name="csrfmiddlewaretoken"' in form for form in forms)


def test_both_lists_page_by_25_with_their_own_page_numbers():
    manager = client_for(make_user("manager"))
    for n in range(30):
        dead_letter(f"job_{n}", failed_at=NOW - n * MINUTE)
    failed_notifications(27)
    first = html(manager.get("/console/jobs/"))
    assert first.count('<tr id="task-') == 25 and first.count('<tr id="notification-') == 25
    assert '?tasks_page=2#failed-tasks" rel="next"' in first
    assert '?mail_page=2#undelivered" rel="next"' in first
    second = html(manager.get("/console/jobs/?tasks_page=2"))
    assert second.count('<tr id="task-') == 5 and second.count('<tr id="notification-') == 25
    assert "&quot;job_29&quot;" in second and "&quot;job_0&quot;" not in second
    assert '?tasks_page=2&amp;mail_page=2#undelivered" rel="next"' in second
    assert 'action="/console/jobs/tasks/' in second and "/retry?tasks_page=2" in second


def test_the_page_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    manager = client_for(make_user("manager"))

    def make(count: int) -> None:
        for n in range(count):
            dead_letter(f"job_{n}")
        failed_notifications(count, ticket_number=4711)

    make(5)
    with CaptureQueriesContext(connection) as few:
        manager.get("/console/jobs/")
    make(25)
    with CaptureQueriesContext(connection) as many:
        response = manager.get("/console/jobs/")
    assert html(response).count('<tr id="task-') == 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_max_num_queries(16):  # session, user, role; the status; two pages
        manager.get("/console/jobs/?tasks_page=2")
