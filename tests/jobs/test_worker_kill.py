"""The kill tests: a worker SIGKILLed in the middle of a scan, and of a delivery.

A real installation (its own SQLite file or PostgreSQL database), real `rmadesk worker`
processes, and for delivery a real SMTP server that is slow on purpose. The worker is killed
with SIGKILL (no handler runs: as when a machine loses power); a new worker started afterwards
finds it dead (its process is gone), queues its unfinished work again and releases its mail
leases at once (`rmadesk.jobs.recovery`). Counted in the database afterwards: nothing is lost
and nothing was done twice.

The scan is killed once a few of its invoices are committed and most are still due. On
PostgreSQL the kill lands at a chosen point: the test holds the invoice counter, so the worker
is killed inside the transaction of an RMA it has claimed, which must be invoiced once by the
take-over. A few dozen RMAs show the take-over as well as thousands;
`bench/worker_scan.py` runs the same scenario at 1,500 RMAs and times it.
"""

from __future__ import annotations

import contextlib
import signal
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.jobs.installation import Installation, wait_for
from tests.mail.outbound.conftest import SmtpServer

# RMAs due their invoice, and how many invoices the first worker has committed when the test
# stops it: enough that the scan is well under way, few enough that most of it is left.
RMAS = 40
KILL_AFTER = 3
MAILS = 12
KILL_AT = 4  # the message the SMTP server holds when the sending worker is killed

INVOICES = "SELECT COUNT(*) FROM billing_invoice WHERE kind = 'unreturned_parts'"


@contextlib.contextmanager
def stopped_before_its_next_invoice(site: Installation) -> Iterator[None]:
    """Keep the scanning worker from committing another invoice until the block ends.

    PostgreSQL: the test locks the row of the gapless invoice counter, which every invoice
    locks until its transaction commits, and waits until the worker waits for it, inside the
    transaction of the RMA it has claimed. SQLite has one lock, the database's, which the worker
    takes again straight after each commit (a second writer waiting for it would starve): there
    the block just runs, and the caller kills the worker at once.
    """
    if site.database_url.startswith("sqlite:///"):
        yield
        return
    import psycopg

    with psycopg.connect(site.database_url) as db:
        db.execute("SELECT last_value FROM core_counter WHERE name = 'invoice' FOR UPDATE")
        wait_for(
            lambda: (
                site.scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                    "AND query LIKE '%core_counter%'"
                )
                >= 1
            ),
            "the scan to wait for the invoice counter",
        )
        try:
            yield
        finally:
            db.rollback()


def other_sessions(site: Installation) -> int:
    """Sessions on the installation's PostgreSQL database other than the one asking."""
    return int(
        site.scalar(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )


def invoice_run(site: Installation) -> list[tuple[object, ...]]:
    return site.query(
        "SELECT started_at IS NOT NULL, finished_at IS NOT NULL, runner, error, count "
        "FROM jobs_scheduledrun WHERE name = 'invoice_unreturned_parts' ORDER BY slot"
    )


@pytest.mark.parametrize(
    "installation",
    [
        ("sqlite", "database"),
        pytest.param(("postgresql", "database"), marks=pytest.mark.postgres),
        pytest.param(("postgresql", "rq"), marks=pytest.mark.postgres),
    ],
    indirect=True,
    ids="-".join,
)
def test_a_worker_killed_mid_scan_loses_no_invoice_and_issues_none_twice(
    installation: Installation,
):
    site = installation
    assert len(site.seed("rmas", str(RMAS))) == RMAS
    first = site.start_worker("--tick", "0.2", "--worker-id", "first", name="first")
    wait_for(lambda: site.scalar(INVOICES) >= KILL_AFTER, f"{KILL_AFTER} invoices")
    with stopped_before_its_next_invoice(site):
        site.kill(first)
    issued = site.scalar(INVOICES)
    assert KILL_AFTER <= issued < RMAS, "killed in the middle of the scan"
    if not site.database_url.startswith("sqlite"):
        # The killed worker's sessions end as the server notices (the one that waited for the
        # counter when it gets it): then its claimed RMA is free again.
        wait_for(lambda: other_sessions(site) == 0, "the killed worker's sessions to end")
    # The run it held: started by the dead worker, never finished.
    assert (True, False, "first", "", None) in invoice_run(site)

    second = site.start_worker("--tick", "0.2", "--worker-id", "second", name="second")
    wait_for(lambda: site.scalar(INVOICES) == RMAS, "every invoice", timeout=300)
    wait_for(
        lambda: any(
            finished and "died" in str(error) for _, finished, _, error, _ in invoice_run(site)
        ),
        "the taken-over run finished",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=120) == 0, site.log("second")

    # The run the dead worker held was queued again on its slot, and finished the rest.
    taken_over = [row for row in invoice_run(site) if "worker first died" in str(row[3])]
    assert len(taken_over) == 1, invoice_run(site)
    # It issued what was left; a later slot's run, if one started meanwhile, shared the rest.
    finished_counts = sum(row[4] or 0 for row in invoice_run(site) if row[2] != "first")
    assert finished_counts == RMAS - issued
    assert site.scalar(
        "SELECT stopped_at IS NOT NULL FROM jobs_workerbeat WHERE worker_id = 'first'"
    )
    # Counted in the database: one invoice per RMA, one line, one event, one notification.
    assert (
        site.scalar(
            "SELECT COUNT(DISTINCT rma_id) FROM billing_invoice WHERE kind = 'unreturned_parts'"
        )
        == RMAS
    )
    assert site.query(
        "SELECT COUNT(*), SUM(amount) FROM billing_invoiceline l JOIN billing_invoice i "
        "ON i.id = l.invoice_id WHERE i.kind = 'unreturned_parts'"
    ) == [(RMAS, Decimal("450.00") * RMAS)]
    assert site.scalar("SELECT COUNT(*) FROM core_auditevent WHERE verb = 'invoice.issued'") == (
        RMAS
    )
    assert site.scalar("SELECT COUNT(*) FROM mail_outboxmessage") == RMAS


@pytest.mark.parametrize(
    "installation",
    [
        ("sqlite", "database"),
        pytest.param(("postgresql", "database"), marks=pytest.mark.postgres),
    ],
    indirect=True,
    ids="-".join,
)
def test_a_worker_killed_mid_delivery_loses_no_mail_and_sends_each_identity_once(
    installation: Installation, smtp_server: SmtpServer
):
    site = installation
    site.extra_env.update(
        {
            "RMADESK_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "RMADESK_EMAIL_HOST": smtp_server.host,
            "RMADESK_EMAIL_PORT": str(smtp_server.port),
            # Long: the take-over must not wait for the dead worker's lease to run out.
            "RMADESK_OUTBOX_LEASE_SECONDS": "3600",
        }
    )
    queued: list[str] = site.seed("mails", str(MAILS))
    assert len(set(queued)) == MAILS

    collector = smtp_server.collector
    collector.delay = 1.0  # the server keeps the worker waiting for its 250 a whole second
    first = site.start_worker("--tick", "0.2", "--worker-id", "first", name="first")
    wait_for(lambda: len(collector.messages) >= KILL_AT, f"message {KILL_AT} to arrive")
    site.kill(first)  # mid-send: the server holds the message, the worker never saw the 250
    in_flight = collector.messages[KILL_AT - 1].message_id
    assert site.query(
        "SELECT status, leased_by, COUNT(*) FROM mail_outboxmessage "
        "WHERE status <> 'queued' GROUP BY status, leased_by ORDER BY status"
    ) == [("sending", "first", 1), ("sent", "first", KILL_AT - 1)]

    collector.delay = 0.0
    second = site.start_worker("--tick", "0.2", "--worker-id", "second", name="second")
    wait_for(
        lambda: (
            site.scalar("SELECT COUNT(*) FROM mail_outboxmessage WHERE status = 'sent'") == MAILS
        ),
        "every notification sent",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=120) == 0, site.log("second")

    received = Counter(collector.message_ids())
    # Every notification arrived, each under its one identity; the one in flight at the kill
    # went again with the same Message-ID (the server cannot tell the worker it had it).
    assert set(received) == set(queued)
    assert received[in_flight] == 2
    assert sum(received.values()) == MAILS + 1
    # In the database: every row sent once; only the one in flight took two attempts.
    assert site.query(
        "SELECT attempts, COUNT(*) FROM mail_outboxmessage GROUP BY attempts ORDER BY attempts"
    ) == [(1, MAILS - 1), (2, 1)]
    assert (
        site.scalar(f"SELECT attempts FROM mail_outboxmessage WHERE message_id = '{in_flight}'")
        == 2
    )
