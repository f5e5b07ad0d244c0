"""Scale-out through the broker: tasks on RQ over the machine's real Redis, several workers.

The must-show of issue 6: three `rmadesk worker` processes running the day-14 scan (R4) at once
over 10,000 due advance exchanges issue exactly 10,000 invoices, one per RMA, because the scan
claims its RMAs with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL) and the unique constraint
`one_automatic_invoice_per_advance_exchange` turns a lost race into a no-op.
"""

from __future__ import annotations

import signal
from decimal import Decimal

import pytest

from tests.jobs.installation import Installation, wait_for

INVOICES = "SELECT COUNT(*) FROM billing_invoice WHERE kind = 'unreturned_parts'"


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
    [("sqlite", "rq"), ("postgresql", "rq")],
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


@pytest.mark.parametrize("installation", [("postgresql", "rq")], indirect=True, ids="-".join)
def test_three_workers_scanning_at_once_issue_exactly_one_invoice_per_advance_exchange(
    installation: Installation,
):
    site = installation
    numbers = site.seed("rmas", "10000")
    assert len(set(numbers)) == 10_000
    # Three runs of the scan on the queue, three workers to take one each: all three scan the
    # same 10,000 RMAs at the same time.
    site.seed("scans", "invoice_unreturned_parts", "3")
    workers = [site.start_worker("--burst", "--no-scheduler", name=f"worker-{n}") for n in range(3)]
    for n, worker in enumerate(workers):
        assert worker.wait(timeout=900) == 0, site.log(f"worker-{n}")

    assert site.scalar(INVOICES) == 10_000
    assert (
        site.scalar(
            "SELECT COUNT(DISTINCT rma_id) FROM billing_invoice WHERE kind = 'unreturned_parts'"
        )
        == 10_000
    )
    # Each for the one part of its RMA, 450.00 (R4: the full cost of what was not returned).
    assert site.query(
        "SELECT COUNT(*), SUM(amount) FROM billing_invoiceline l JOIN billing_invoice i "
        "ON i.id = l.invoice_id WHERE i.kind = 'unreturned_parts'"
    ) == [(10_000, Decimal("4500000.00"))]
    assert site.scalar("SELECT COUNT(*) FROM core_auditevent WHERE verb = 'invoice.issued'") == (
        10_000
    )
    # One notification per invoice, each delivered once.
    assert site.query("SELECT status, COUNT(*) FROM mail_outboxmessage GROUP BY status") == [
        ("sent", 10_000)
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
    assert sum(counts) == 10_000
