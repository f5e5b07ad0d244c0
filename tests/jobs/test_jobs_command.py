"""`rmadesk jobs run [--now ISO]`: every scan once at an instant, idempotent, and safe when two
processes run at once (R4 day-14 invoice, F2 late fees, R1 expiry, T1 naive --now refused)."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from rmadesk.billing import services as billing_services
from rmadesk.billing.models import Invoice, InvoiceLine
from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.jobs import scans
from rmadesk.rmas.models import Rma
from tests.billing.factories import SHIPPED_AT, advance_exchange, invoice
from tests.factories import CustomerFactory

UTC = dt.UTC
DAY = dt.timedelta(days=1)
SCRIPT = Path(sys.executable).parent / "rmadesk"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and two processes need PostgreSQL"
)


def jobs_run(now: str) -> str:
    out = io.StringIO()
    call_command("jobs", "run", "--now", now, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_no_invoice_on_day_13_exactly_one_on_day_14_and_never_again():
    rma = advance_exchange()  # replacement shipped Mon 2 Nov 2026 10:00 PST
    day_13 = jobs_run("2026-11-15T10:00:00-08:00")
    assert "invoice_unreturned_parts: 0 unreturned-parts invoices issued (R4)" in day_13
    assert "expire_labels: 1 return labels expired (R4)" in day_13  # the label lapsed on day 10
    assert jobs_run("2026-11-16T09:59:59-08:00").count(": 0 ") == 10  # every scan, none did a thing
    assert Invoice.objects.count() == 0

    day_14 = jobs_run("2026-11-16T10:00:00-08:00")
    assert day_14.splitlines() == [
        "jobs run at 2026-11-16T18:00:00+00:00",
        "  mark_breached_clocks: 0 clocks breached",
        "  warn_breaching_clocks: 0 breach warnings sent to staff",
        "  expire_rmas: 0 RMAs expired (R1)",
        "  expire_labels: 0 return labels expired (R4)",
        "  invoice_unreturned_parts: 1 unreturned-parts invoices issued (R4)",
        "  accrue_late_fees: 0 late-fee lines added (F2)",
        "  remind_label_expiring: 0 label-expiring reminders queued (R4, day 8)",
        "  remind_part_not_returned: 0 part-not-returned reminders queued (R4, day 12)",
        "  send_weekly_summary: 0 weekly summaries queued to managers",
        "  publish_pending_events: 0 events handed out again",
    ]
    assert clock.now() == dt.datetime(2026, 11, 16, 18, tzinfo=UTC)  # --now holds process-wide
    again = jobs_run("2026-11-16T10:00:00-08:00")
    later = jobs_run("2026-11-20T10:00:00-08:00")
    assert "invoice_unreturned_parts: 0" in again and "invoice_unreturned_parts: 0" in later
    inv = Invoice.objects.get()
    assert (inv.rma, inv.principal, inv.due_on) == (rma, Decimal("630.00"), dt.date(2026, 12, 16))
    assert AuditEvent.objects.filter(verb="invoice.issued", ticket_number=rma.number).count() == 1


@pytest.mark.django_db
def test_later_runs_expire_the_rma_and_accrue_late_fees_once():
    customer = CustomerFactory(payment_terms_days=0)
    rma = advance_exchange(customer=customer)
    jobs_run("2026-11-16T10:00:00-08:00")  # day 14: invoiced, due on issue (F1 upfront)
    out = jobs_run("2027-01-20T10:00:00-08:00")  # two full months after 16 Nov; RMA expired (R1)
    assert "expire_rmas: 1 RMAs expired (R1)" in out
    assert "accrue_late_fees: 2 late-fee lines added (F2)" in out
    assert "accrue_late_fees: 0" in jobs_run("2027-01-20T10:00:00-08:00")
    rma.refresh_from_db()
    assert rma.status == "expired"
    fees = InvoiceLine.objects.filter(kind="late_fee").order_by("late_fee_month")
    assert [(f.late_fee_month, f.amount) for f in fees] == [
        (1, Decimal("9.45")),  # 1.5% of 630.00 (F2)
        (2, Decimal("9.45")),
    ]


def test_naive_now_is_refused_with_exit_2_and_one_line(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["RMADESK_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [str(SCRIPT), "jobs", "run", "--now", "2026-11-16T10:00:00"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "naive datetime 2026-11-16T10:00:00 has no offset" in lines[0]
    assert "(rule T1)" in lines[0]


def test_naive_now_through_call_command_is_a_command_error():
    with pytest.raises(CommandError) as refused:
        call_command("jobs", "run", "--now", "2026-11-16 10:00")
    assert refused.value.returncode == 2
    assert "rule T1" in str(refused.value)


def exploding_scan(*, now: dt.datetime) -> int:
    """A scan that commits one unit, then fails inside the next: that unit alone is undone."""
    with transaction.atomic():
        AuditEvent.objects.create(
            at=now, actor_label="system", verb="kept", subject_type="x", subject_id="1"
        )
    with transaction.atomic():
        AuditEvent.objects.create(
            at=now, actor_label="system", verb="boom", subject_type="x", subject_id="2"
        )
        raise RuntimeError("disk on fire")


@pytest.mark.django_db
def test_a_failing_scan_is_reported_keeps_what_it_committed_and_the_others_run(monkeypatch):
    advance_exchange()
    monkeypatch.setattr(
        scans,
        "SCANS",
        (scans.Scan("explode", exploding_scan, "explosions"), *scans.SCANS),
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("jobs", "run", "--now", "2026-11-16T10:00:00-08:00", stdout=out)
    assert failed.value.returncode == 1
    assert "  explode: FAILED RuntimeError: disk on fire" in out.getvalue()
    assert "invoice_unreturned_parts: 1" in out.getvalue()
    assert Invoice.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="boom").exists()
    # Scans commit a row (or a batch) at a time, so a worker stopped half-way keeps its progress.
    assert AuditEvent.objects.filter(verb="kept").count() == 1
    with pytest.raises(scans.ScansFailed) as raised:
        scans.run_scans(now=dt.datetime(2026, 11, 16, 18, tzinfo=UTC))
    assert raised.value.report.counts["invoice_unreturned_parts"] == 0
    assert set(raised.value.report.errors) == {"explode"}


@pytest.mark.django_db
def test_run_scans_runs_every_scan_in_order():
    counts = scans.run_scans(now=SHIPPED_AT)
    assert list(counts) == [
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
    ]


# ------------------------------------------------------------------------------- PostgreSQL


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_jobs_run_processes_at_once_issue_one_invoice_each(tmp_path):
    customer = CustomerFactory(payment_terms_days=0)
    rmas = [advance_exchange(customer=customer) for _ in range(25)]
    environment = {**os.environ, "DATABASE_URL": _database_url(), "RMADESK_DATA_DIR": str(tmp_path)}

    def two_runs_at_once(now: str) -> list[str]:
        command = [str(SCRIPT), "jobs", "run", "--now", now]
        runs = [
            subprocess.Popen(
                command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120) for run in runs]
        for run, (_, stderr) in zip(runs, outputs, strict=True):
            assert run.returncode == 0, stderr
        return [stdout for stdout, _ in outputs]

    def counted(outputs: list[str], scan: str) -> int:
        return sum(
            int(line.split(":")[1].split()[0])
            for stdout in outputs
            for line in stdout.splitlines()
            if f"{scan}:" in line
        )

    day_14 = two_runs_at_once("2026-11-16T10:00:00-08:00")
    issued = [counted([out], "invoice_unreturned_parts") for out in day_14]
    assert sum(issued) == 25
    assert Invoice.objects.count() == 25
    assert sorted(Invoice.objects.values_list("rma_id", flat=True)) == sorted(r.pk for r in rmas)
    numbers = set(Invoice.objects.values_list("number", flat=True))
    assert numbers == {f"INV-{n:06d}" for n in range(1, 26)}
    # Due on issue (F1 upfront); a full month overdue on 20 December: one late-fee line each.
    month_later = two_runs_at_once("2026-12-20T10:00:00-08:00")
    assert counted(month_later, "invoice_unreturned_parts") == 0
    assert counted(month_later, "accrue_late_fees") == 25
    assert InvoiceLine.objects.filter(kind="late_fee").count() == 25
    assert AuditEvent.objects.filter(verb="invoice.issued").count() == 25
    assert Rma.objects.filter(label_expired_at__isnull=False).count() == 25
    assert AuditEvent.objects.filter(verb="rma.label_expired").count() == 25
    assert counted(day_14 + month_later, "expire_labels") == 25


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_threads_scanning_at_once_issue_and_charge_once():
    rmas = [advance_exchange() for _ in range(12)]
    overdue = [invoice(at=dt.datetime(2026, 1, 10, 18, tzinfo=UTC), terms=0) for _ in range(6)]
    now = dt.datetime(2026, 12, 1, 18, tzinfo=UTC)
    barrier = threading.Barrier(4)
    issued: list[int] = []
    charged: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            issued.append(billing_services.invoice_unreturned_parts(now=now))
            charged.append(billing_services.accrue_late_fees(now=now))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(issued) == 12 == Invoice.objects.filter(kind="unreturned_parts").count()
    assert {i.rma_id for i in Invoice.objects.filter(kind="unreturned_parts")} == {
        r.pk for r in rmas
    }
    # The service invoices: 10 Jan → 1 Dec is 10 full months; day-14 invoices (due 16 Nov, net
    # 30 from the factory customer → 16 Dec) are not overdue yet.
    assert sum(charged) == 60
    for inv in overdue:
        months = list(inv.lines.filter(kind="late_fee").values_list("late_fee_month", flat=True))
        assert sorted(months) == list(range(1, 11))
