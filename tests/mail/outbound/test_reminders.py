"""Reminder scans (R4): label expiring on day 8, part not returned on day 12, once per RMA.

The replacement ships Monday 2 November 2026 10:00 PST: the prepaid label lapses on day 10
(Thursday 12 November 10:00 PST) and the unreturned parts are invoiced on day 14 (Monday
16 November 10:00 PST). `rmadesk jobs run --now` moves time, as a scheduler would.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.outbox import deliver_outbox
from rmadesk.rmas.services import remind_label_expiring, remind_part_not_returned
from tests.billing.factories import advance_exchange
from tests.factories import CustomerFactory
from tests.mail.outbound.conftest import SmtpServer
from tests.rmas.pdf_reading import pdf_text
from tests.tickets.factories import pacific


def jobs_run(now: str) -> str:
    out = io.StringIO()
    call_command("jobs", "run", "--now", now, stdout=out)
    return out.getvalue()


def count(output: str, scan: str) -> int:
    [line] = [line for line in output.splitlines() if line.strip().startswith(f"{scan}:")]
    return int(line.split(":")[1].split()[0])


@pytest.fixture
def rma():
    customer = CustomerFactory(name="Acme Storage", email="it@acme.example")
    return advance_exchange(customer=customer)  # shipped Mon 2 Nov 2026 10:00 PST, R4 dates


@pytest.mark.django_db
def test_label_reminder_on_day_8_part_reminder_on_day_12_each_once(smtp: SmtpServer, rma):
    assert count(jobs_run("2026-11-09T10:00:00-08:00"), "remind_label_expiring") == 0  # day 7
    assert count(jobs_run("2026-11-10T09:59:59-08:00"), "remind_label_expiring") == 0
    day_8 = jobs_run("2026-11-10T10:00:00-08:00")
    assert "  remind_label_expiring: 1 label-expiring reminders queued (R4, day 8)" in day_8
    assert count(day_8, "remind_part_not_returned") == 0
    assert count(jobs_run("2026-11-10T10:00:00-08:00"), "remind_label_expiring") == 0
    assert count(jobs_run("2026-11-11T16:00:00-08:00"), "remind_label_expiring") == 0

    assert count(jobs_run("2026-11-14T09:59:59-08:00"), "remind_part_not_returned") == 0
    day_12 = jobs_run("2026-11-14T10:00:00-08:00")
    assert "  remind_part_not_returned: 1 part-not-returned reminders queued (R4, day 12)" in (
        day_12
    )
    assert count(jobs_run("2026-11-15T10:00:00-08:00"), "remind_part_not_returned") == 0

    assert list(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == [
        f"label_expiring:{rma.number}",
        f"part_not_returned:{rma.number}",
    ]
    verbs = AuditEvent.objects.filter(ticket_number=rma.number).values_list("verb", flat=True)
    assert list(verbs).count("rma.label_expiring") == 1
    assert list(verbs).count("rma.part_not_returned") == 1

    with clock.frozen_at(pacific(2026, 11, 15, 10, 0)):
        assert deliver_outbox() == 2
    label, part = smtp.messages
    assert label.rcpt_tos == part.rcpt_tos == ["it@acme.example"]
    assert label.subject == (
        f"[#{rma.number}] Reminder: the return label for RMA {rma.number} expires "
        f"Thu 12 Nov 2026 10:00 PST"
    )
    [(filename, content)] = label.attachments()
    assert filename == f"rma-{rma.number}-label.pdf" and f"RMA {rma.number}" in pdf_text(content)
    assert "If it has not arrived by Mon 16 Nov 2026 10:00 PST" in label.text()
    assert part.subject == (
        f"[#{rma.number}] Reminder: the part for RMA {rma.number} has not arrived"
    )
    assert "the full cost of the unreturned components, 630.00 USD." in part.text()  # R4
    assert part.message["In-Reply-To"] == label.message_id  # one thread per ticket
    assert label.message["Auto-Submitted"] == "auto-generated"


@pytest.mark.django_db
def test_no_reminder_once_the_part_is_back(rma):
    rma.received_at = pacific(2026, 11, 9, 12, 0)
    rma.status = "received"
    rma.save()
    assert remind_label_expiring(now=pacific(2026, 11, 10, 12, 0)) == 0
    assert remind_part_not_returned(now=pacific(2026, 11, 14, 12, 0)) == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_scan_after_the_deadline_sends_no_late_reminder(rma):
    assert remind_label_expiring(now=pacific(2026, 11, 12, 10, 0)) == 0  # the label lapsed
    assert remind_part_not_returned(now=pacific(2026, 11, 16, 10, 0)) == 0  # invoiced now
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_other_rmas_get_no_reminders():
    repair = advance_exchange(kind="repair", status="label_issued", shipped_at=None)
    not_shipped = advance_exchange(shipped_at=None)
    assert remind_label_expiring(now=pacific(2026, 11, 10, 12, 0)) == 0
    assert remind_part_not_returned(now=pacific(2026, 11, 14, 12, 0)) == 0
    assert repair.pk and not_shipped.pk and OutboxMessage.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_scans_at_once_remind_each_rma_once():
    rmas = [advance_exchange() for _ in range(10)]
    now = pacific(2026, 11, 10, 12, 0)
    counts: list[int] = []
    start = threading.Barrier(4)

    def scan() -> None:
        try:
            start.wait()
            counts.append(remind_label_expiring(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(rmas)
    assert OutboxMessage.objects.filter(kind="label_expiring").count() == len(rmas)
    assert AuditEvent.objects.filter(verb="rma.label_expiring").count() == len(rmas)


def test_reminder_days_follow_the_policy():
    from rmadesk.core.policies import active_policy
    from rmadesk.rmas.services.scans import REMINDER_LEAD_DAYS

    spec = active_policy().document.rma
    assert spec.label_valid_days - REMINDER_LEAD_DAYS == 8
    assert spec.invoice_after_days - REMINDER_LEAD_DAYS == 12
