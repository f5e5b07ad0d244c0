"""The outbox worker: claims, leases, retries, permanent failures, crash recovery, concurrency.

Against a real SMTP server (aiosmtpd) that can be told to refuse; rows are queued with
`enqueue` directly, so these tests are about delivery, not about which event mails whom.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from email.utils import parsedate_to_datetime

import pytest
from django.core.mail import get_connection
from django.core.management import CommandError, call_command
from django.db import connection

from rmadesk.core import clock
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.mail.outbox import (
    MAX_ATTEMPTS,
    Draft,
    _claim,
    build_email,
    deliver_outbox,
    enqueue,
    is_own_message_id,
    outbox_counts,
)
from tests.mail.outbound.conftest import SmtpServer, free_port

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 2, 17, 0, tzinfo=UTC)


def draft(n: int = 1, **fields: object) -> Draft:
    values: dict[str, object] = {
        "kind": "test",
        "dedupe_key": f"test:{n}",
        "to": [f"customer{n}@example.com"],
        "subject": f"Message {n}",
        "text_body": f"Body {n}\n",
        "html_body": f"<p>Body {n}</p>",
    }
    return Draft(**(values | fields))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _fixed_now():
    with clock.frozen_at(NOW):
        yield


# --------------------------------------------------------------------------------- enqueue


@pytest.mark.django_db
def test_one_row_per_dedupe_key_and_none_without_a_recipient():
    first = enqueue(draft(1))
    again = enqueue(draft(1, subject="something else"))
    assert first is not None and again is not None and again.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert enqueue(draft(2, to=["", "  "])) is None
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_headers_and_addresses_are_normalised_at_enqueue(settings):
    settings.RMADESK_MAIL_DOMAIN = "mail.vendor.example"
    row = enqueue(
        draft(
            1,
            to=["a@example.com", "A@example.com", "b@example.com"],
            cc=["b@example.com", "c@example.com"],
            subject="Two\nlines",
        )
    )
    assert row is not None
    assert row.to == ["a@example.com", "b@example.com"]
    assert row.cc == ["c@example.com"]
    assert row.subject == "Two lines"
    assert row.headers["Date"] == "Mon, 02 Nov 2026 17:00:00 GMT"
    assert row.message_id.startswith("<rmadesk.")
    assert row.message_id.endswith("@mail.vendor.example>")
    assert is_own_message_id(row.message_id)
    assert not is_own_message_id("<abc@customer.example>")
    assert not is_own_message_id(None)


# -------------------------------------------------------------------------------- delivery


@pytest.mark.django_db
def test_a_temporary_refusal_is_retried_after_a_back_off(smtp: SmtpServer):
    row = enqueue(draft(1))
    assert row is not None
    smtp.collector.refuse_with = "451 4.3.0 Try again later"
    assert deliver_outbox(now=NOW) == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1)
    assert "451" in row.last_error and "attempt 1" in row.last_error
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=30)
    assert deliver_outbox(now=NOW + dt.timedelta(seconds=29)) == 0  # still backing off
    smtp.collector.refuse_with = None
    assert deliver_outbox(now=NOW + dt.timedelta(seconds=30)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")
    assert row.sent_at == NOW + dt.timedelta(seconds=30)
    assert [m.message_id for m in smtp.messages] == [row.message_id]


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once(smtp: SmtpServer):
    row = enqueue(draft(1))
    assert row is not None
    smtp.collector.refuse_with = "554 5.7.1 Message refused"
    assert deliver_outbox(now=NOW) == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "554" in row.last_error
    assert deliver_outbox(now=NOW + dt.timedelta(days=1)) == 0  # failed rows stay failed


@pytest.mark.django_db
def test_an_unreachable_server_gives_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    row = enqueue(draft(1))
    assert row is not None
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_outbox(now=at) == 0
        row.refresh_from_db()
        assert row.attempts == attempt
        assert "ConnectionRefusedError" in row.last_error
        at = row.next_attempt_at
    assert row.status == OutboxStatus.FAILED
    # The back-off grew: 30 s, 1 min, 2 min, ... capped at 2 hours.
    assert row.next_attempt_at - NOW > dt.timedelta(minutes=60)


@pytest.mark.django_db
def test_other_rows_still_go_when_one_fails(smtp: SmtpServer):
    enqueue(draft(1, attachments=[{"type": "nonsense"}]))
    enqueue(draft(2))
    assert deliver_outbox(now=NOW) == 1
    assert [m.subject for m in smtp.messages] == ["Message 2"]
    broken = OutboxMessage.objects.get(dedupe_key="test:1")
    assert broken.status == OutboxStatus.QUEUED and "unknown attachment" in broken.last_error


@pytest.mark.django_db
def test_a_row_left_sending_by_a_dead_worker_is_resent_with_its_message_id(smtp: SmtpServer):
    """Crash recovery: the SMTP server got the message, the worker died before marking it sent."""
    row = enqueue(draft(1))
    assert row is not None
    lease = dt.timedelta(minutes=5)
    claimed = _claim(NOW, lease, None, "worker-that-dies")
    assert claimed is not None and claimed.status == OutboxStatus.SENDING
    assert get_connection().send_messages([build_email(claimed)]) == 1  # ...then the crash
    # While the dead worker's lease lasts, nobody takes the row.
    assert deliver_outbox(now=NOW + dt.timedelta(minutes=4)) == 0
    assert deliver_outbox(now=NOW + dt.timedelta(minutes=5, seconds=1)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert [m.message_id for m in smtp.messages] == [row.message_id, row.message_id]


@pytest.mark.django_db
def test_the_mail_is_what_the_row_says(smtp: SmtpServer):
    row = enqueue(
        draft(
            1,
            cc=["copy@example.com"],
            headers={"In-Reply-To": "<root@example.com>", "References": "<root@example.com>"},
        )
    )
    assert row is not None
    deliver_outbox(now=NOW)
    [mail] = smtp.messages
    assert sorted(mail.rcpt_tos) == ["copy@example.com", "customer1@example.com"]
    assert mail.message["Cc"] == "copy@example.com"
    assert mail.message["Message-ID"] == row.message_id
    assert parsedate_to_datetime(str(mail.message["Date"])) == NOW  # fixed at enqueue
    assert mail.message["In-Reply-To"] == "<root@example.com>"
    assert mail.text().strip() == "Body 1"
    assert "<p>Body 1</p>" in mail.html()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_workers_at_once_send_each_row_once(smtp: SmtpServer):
    for n in range(40):
        enqueue(draft(n))
    smtp.collector.delay = 0.01
    sent: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work() -> None:
        try:
            start.wait()
            sent.append(deliver_outbox(now=NOW))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(sent) == 40
    ids = smtp.collector.message_ids()
    assert len(ids) == len(set(ids)) == 40
    assert outbox_counts() == {"queued": 0, "sending": 0, "sent": 40, "failed": 0}


# --------------------------------------------------------------------------------- command


@pytest.mark.django_db
def test_outbox_send_and_status_commands(smtp: SmtpServer):
    enqueue(draft(1))
    enqueue(draft(2))
    out = io.StringIO()
    call_command("outbox", "status", stdout=out)
    assert out.getvalue().splitlines() == ["queued: 2", "sending: 0", "sent: 0", "failed: 0"]
    out = io.StringIO()
    call_command("outbox", "send", "--now", "2026-11-02T09:00:00-08:00", stdout=out)
    assert out.getvalue() == "outbox: 2 sent\n"
    assert len(smtp.messages) == 2
    out = io.StringIO()
    call_command("outbox", "send", stdout=out)
    assert out.getvalue() == "outbox: 0 sent\n"


@pytest.mark.django_db
def test_mail_send_is_the_same_sender(smtp: SmtpServer):
    enqueue(draft(1))
    out = io.StringIO()
    call_command("mail", "send", "--limit", "5", stdout=out)
    assert out.getvalue() == "outbox: 1 sent\n"
    assert [m.subject for m in smtp.messages] == ["Message 1"]


@pytest.mark.django_db
def test_outbox_send_refuses_a_naive_now():
    with pytest.raises(CommandError, match="T1"):
        call_command("outbox", "send", "--now", "2026-11-02T09:00:00")


# ----------------------------------------------------------------------------------- admin


@pytest.mark.django_db
def test_the_admin_lists_the_outbox_read_only(admin_client):
    row = enqueue(draft(1, ticket_number=100123))
    assert row is not None
    page = admin_client.get("/admin/mail/outboxmessage/")
    assert page.status_code == 200
    assert b"Message 1" in page.content and b"customer1@example.com" in page.content
    detail = admin_client.get(f"/admin/mail/outboxmessage/{row.pk}/change/")
    assert detail.status_code == 200
    assert row.message_id.encode().replace(b"<", b"&lt;").replace(b">", b"&gt;") in detail.content
    assert b'name="_save"' not in detail.content
    assert admin_client.post(f"/admin/mail/outboxmessage/{row.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/mail/outboxmessage/add/").status_code == 403
