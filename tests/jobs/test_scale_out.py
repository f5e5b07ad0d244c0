"""Scale-out through the broker: tasks on RQ over the machine's real Redis, several workers.

The must-show of issue 6: three `rmadesk worker` processes running the day-14 scan (R4) at once
over the same due advance exchanges issue exactly one invoice per RMA, because the scan claims
its RMAs with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL) and the unique constraint
`one_automatic_invoice_per_advance_exchange` turns a lost race into a no-op. The test makes the
three scans overlap for sure (each waits, holding an RMA it claimed, until all three do) so a
few dozen RMAs are enough; `bench/worker_scan.py` runs the 10,000-RMA version and times it.
"""

from __future__ import annotations

import signal
from decimal import Decimal
from typing import Any

import pytest

from tests.jobs.installation import Installation, wait_for

INVOICES = "SELECT COUNT(*) FROM billing_invoice WHERE kind = 'unreturned_parts'"
RMAS = 30  # for the three scans at once


def rq_jobs(site: Installation) -> dict[str, int]:
    """The RQ registries of the installation's queue: how many jobs each holds."""
    import redis
    from rq import Queue

    from tests.jobs.installation import REDIS_URL

    queue = Queue(site.queue, connection=redis.Redis.from_url(REDIS_URL))
    return {
        "queued": queue.count,
        "finished": queue.finished_job_registry.count,
        "failed": queue.failed_job_registry.count,
        "started": queue.started_job_registry.count,
    }


@pytest.mark.parametrize(
    "installation",
    [("sqlite", "rq"), pytest.param(("postgresql", "rq"), marks=pytest.mark.postgres)],
    indirect=True,
    ids="-".join,
)
def test_the_scheduler_and_tasks_run_through_the_redis_broker(installation: Installation):
    site = installation
    numbers = site.seed("rmas", "20")
    assert len(numbers) == 20
    worker = site.start_worker("--tick", "0.2")
    wait_for(lambda: site.scalar(INVOICES) == 20, "the day-14 invoices", timeout=120)
    # The invoices' notifications went out through the broker too: the scan queued one outbox
    # sweep for all of them when it finished.
    wait_for(
        lambda: site.scalar("SELECT COUNT(*) FROM mail_outboxmessage WHERE status = 'sent'") == 20,
        "the invoice notifications sent",
    )
    wait_for(
        lambda: (
            site.scalar(
                "SELECT COUNT(*) FROM jobs_scheduledrun WHERE name = 'invoice_unreturned_parts' "
                "AND count = 20"
            )
            == 1
        ),
        "the scan's run recorded",
    )
    wait_for(lambda: rq_jobs(site)["queued"] == 0, "the queue drained")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0, site.log()

    # Through Redis, not the database queue: no task row was ever written there.
    assert site.scalar("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult") == 0
    registries = rq_jobs(site)
    assert registries["failed"] == 0, site.log()
    assert registries["finished"] >= 9 + 1  # the 9 periodic jobs, and the scan's outbox sweep
    assert (
        site.scalar("SELECT COUNT(*) FROM jobs_workerbeat WHERE stopped_at IS NOT NULL") == 1
    )  # it said it stopped: nobody will take its work over
    status = site.rmadesk("worker", "--status")
    assert "backend: rq" in status
    assert "invoice_unreturned_parts" in status and "done at" in status


def waiting_for_the_invoice_counter(site: Installation) -> int:
    """Sessions of the installation waiting for a lock on the invoice counter."""
    return int(
        site.scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE '%core_counter%'"
        )
    )


@pytest.mark.postgres
@pytest.mark.parametrize("installation", [("postgresql", "rq")], indirect=True, ids="-".join)
def test_three_workers_scanning_at_once_issue_exactly_one_invoice_per_advance_exchange(
    installation: Installation,
):
    import psycopg

    site = installation
    numbers = site.seed("rmas", str(RMAS))
    assert len(set(numbers)) == RMAS
    # Three runs of the scan on the queue, three workers to take one each.
    site.seed("scans", "invoice_unreturned_parts", "3")
    # The test holds the invoice counter first (its row does not exist yet: the test creates it
    # in a transaction it never commits), so each scan, having claimed an RMA, waits for it. Once
    # all three wait, the test lets go: from then on the three scan the same RMAs at once.
    holder: Any = psycopg.connect(site.database_url)
    try:
        holder.execute("INSERT INTO core_counter (name, last_value) VALUES ('invoice', 0)")
        workers = [
            site.start_worker("--burst", "--no-scheduler", name=f"worker-{n}") for n in range(3)
        ]
        wait_for(lambda: waiting_for_the_invoice_counter(site) == 3, "three scans at once")
        assert site.scalar(INVOICES) == 0
    finally:
        holder.rollback()
        holder.close()
    for n, worker in enumerate(workers):
        assert worker.wait(timeout=300) == 0, site.log(f"worker-{n}")

    assert site.scalar(INVOICES) == RMAS
    assert (
        site.scalar(
            "SELECT COUNT(DISTINCT rma_id) FROM billing_invoice WHERE kind = 'unreturned_parts'"
        )
        == RMAS
    )
    # Each for the one part of its RMA, 450.00 (R4: the full cost of what was not returned).
    assert site.query(
        "SELECT COUNT(*), SUM(amount) FROM billing_invoiceline l JOIN billing_invoice i "
        "ON i.id = l.invoice_id WHERE i.kind = 'unreturned_parts'"
    ) == [(RMAS, Decimal("450.00") * RMAS)]
    assert site.scalar("SELECT COUNT(*) FROM core_auditevent WHERE verb = 'invoice.issued'") == (
        RMAS
    )
    # One notification per invoice, each delivered once.
    assert site.query("SELECT status, COUNT(*) FROM mail_outboxmessage GROUP BY status") == [
        ("sent", RMAS)
    ]
    registries = rq_jobs(site)
    assert registries["failed"] == 0
    assert registries["queued"] == 0
    # The three scans' own counts add up to the invoices: no run counted one another issued.
    import redis
    from rq import Queue

    from tests.jobs.installation import REDIS_URL

    queue = Queue(site.queue, connection=redis.Redis.from_url(REDIS_URL))
    scans = [
        job
        for job in queue.finished_job_registry.get_job_ids()
        if (found := queue.fetch_job(job)) is not None
        and found.func_name == "rmadesk.jobs.tasks.run_scheduled_job"
    ]
    counts = [queue.fetch_job(job).return_value() for job in scans]  # type: ignore[union-attr]
    assert len(counts) == 3
    assert sum(counts) == RMAS
