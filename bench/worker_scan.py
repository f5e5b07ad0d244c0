"""The worker tests at benchmark size: three workers scanning 10,000 RMAs, a kill at 1,500.

Two scenarios that used to be tests (tests/jobs/test_scale_out.py and test_worker_kill.py run
the same scenarios on a few dozen RMAs; sizes and times live here, where nothing is asserted
about speed):

- **three-workers**: K advance exchanges due their day-14 invoice (R4), W copies of the scan
  queued on RQ, W `rmadesk worker --burst --no-scheduler` processes started together. Prints
  the wall time from the first start to the last exit and invoices/s; with `--workers 1,3`,
  the ratio against one worker. Checked: exactly K invoices, one per RMA, one line of 450.00,
  one audit event and one notification sent per invoice, no failed job, and the scans' own
  counts add up to K.
- **kill**: K due advance exchanges, one `rmadesk worker` scanning; SIGKILLed once it has
  issued N invoices; a second worker takes over. Prints each worker's start-up (to its first
  invoice), the first worker's rate and the take-over's, their ratio, and the time from the
  kill to the last invoice.
  Checked: exactly K invoices for K RMAs, one audit event and one notification each, and the
  dead worker's run finished by the take-over.

Each run gets its own database, copied from a template migrated once (tests/jobs/installation),
and RQ runs a queue of their own, deleted afterwards. A wrong count prints an ERROR line and
exits 1; timings are printed, never asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/worker_scan.py
    uv run python bench/worker_scan.py --scenario kill --database sqlite     # no PostgreSQL
"""

# ruff: noqa: E402 -- the path fix below must run before anything imports `queue`
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/worker_scan.py`, this file's folder comes first on the path, where
# a script named like a standard module would shadow it: drop it.
_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

import argparse
import os
import signal
import tempfile
import time
from decimal import Decimal
from typing import Any

from tests.jobs.installation import (
    REDIS_URL,
    DatabaseTemplates,
    Installation,
    fresh_database,
    postgres_url,
    wait_for,
)

INVOICES = "SELECT COUNT(*) FROM billing_invoice WHERE kind = 'unreturned_parts'"


def check(errors: list[str], what: str, got: object, expected: object) -> None:
    if got != expected:
        errors.append(f"{what}: {got!r}, expected {expected!r}")


def check_invoices(site: Installation, rmas: int, errors: list[str]) -> None:
    """One invoice per RMA for its one part, one audit event and one notification each."""
    check(errors, "invoices", site.scalar(INVOICES), rmas)
    check(
        errors,
        "RMAs invoiced",
        site.scalar(
            "SELECT COUNT(DISTINCT rma_id) FROM billing_invoice WHERE kind = 'unreturned_parts'"
        ),
        rmas,
    )
    check(
        errors,
        "invoice lines, total",
        site.query(
            "SELECT COUNT(*), SUM(amount) FROM billing_invoiceline l JOIN billing_invoice i "
            "ON i.id = l.invoice_id WHERE i.kind = 'unreturned_parts'"
        ),
        [(rmas, Decimal("450.00") * rmas)],
    )
    check(
        errors,
        "audit events",
        site.scalar("SELECT COUNT(*) FROM core_auditevent WHERE verb = 'invoice.issued'"),
        rmas,
    )


def rq_scan_counts(site: Installation) -> tuple[list[int], int]:
    """The finished scans' own counts, and how many jobs failed, from the queue's registries."""
    import redis
    from rq import Queue

    queue = Queue(site.queue, connection=redis.Redis.from_url(REDIS_URL))
    counts = []
    for job_id in queue.finished_job_registry.get_job_ids():
        job = queue.fetch_job(job_id)
        if job is not None and job.func_name == "rmadesk.jobs.tasks.run_scheduled_job":
            counts.append(int(job.return_value()))
    return counts, queue.failed_job_registry.count


def three_workers(site: Installation, rmas: int, workers: int) -> dict[str, Any]:
    errors: list[str] = []
    started = time.perf_counter()
    check(errors, "RMAs seeded", len(set(site.seed("rmas", str(rmas)))), rmas)
    seeded = time.perf_counter() - started
    site.seed("scans", "invoice_unreturned_parts", str(workers))
    started = time.perf_counter()
    processes = [
        site.start_worker("--burst", "--no-scheduler", name=f"worker-{n}") for n in range(workers)
    ]
    for n, process in enumerate(processes):
        if process.wait(timeout=3600) != 0:
            errors.append(f"worker {n} exited with {process.returncode}: {site.log(f'worker-{n}')}")
    wall = time.perf_counter() - started
    check_invoices(site, rmas, errors)
    check(
        errors,
        "notifications",
        site.query("SELECT status, COUNT(*) FROM mail_outboxmessage GROUP BY status"),
        [("sent", rmas)],
    )
    counts, failed = rq_scan_counts(site)
    check(errors, "failed jobs", failed, 0)
    check(errors, "scans finished", len(counts), workers)
    check(errors, "the scans' counts added up", sum(counts), rmas)
    return {"seed": seeded, "wall": wall, "rate": rmas / wall, "split": counts, "errors": errors}


def kill(site: Installation, rmas: int, kill_after: int) -> dict[str, Any]:
    errors: list[str] = []
    started = time.perf_counter()
    check(errors, "RMAs seeded", len(site.seed("rmas", str(rmas))), rmas)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    first = site.start_worker("--tick", "0.2", "--worker-id", "first", name="first")
    wait_for(lambda: site.scalar(INVOICES) > 0, "the first invoice", timeout=600)
    scanning = time.perf_counter()
    wait_for(lambda: site.scalar(INVOICES) >= kill_after, f"{kill_after} invoices", timeout=3600)
    site.kill(first)
    killed = time.perf_counter()
    issued = int(site.scalar(INVOICES))
    if not kill_after <= issued < rmas:
        errors.append(f"killed after {issued} of {rmas} invoices: not in the middle of the scan")
    second = site.start_worker("--tick", "0.2", "--worker-id", "second", name="second")
    restarted = time.perf_counter()
    wait_for(lambda: site.scalar(INVOICES) > issued, "the take-over", timeout=600)
    resumed = time.perf_counter()
    resumed_at = int(site.scalar(INVOICES))
    wait_for(lambda: site.scalar(INVOICES) >= rmas, "every invoice", timeout=3600)
    done = time.perf_counter()
    wait_for(
        lambda: (
            site.scalar(
                "SELECT COUNT(*) FROM jobs_scheduledrun WHERE name = 'invoice_unreturned_parts' "
                "AND finished_at IS NOT NULL AND error LIKE '%worker first died%'"
            )
            == 1
        ),
        "the taken-over run finished",
        timeout=600,
    )
    second.send_signal(signal.SIGTERM)
    if second.wait(timeout=300) != 0:
        errors.append(f"the second worker exited with {second.returncode}: {site.log('second')}")
    check_invoices(site, rmas, errors)
    check(
        errors, "notifications queued", site.scalar("SELECT COUNT(*) FROM mail_outboxmessage"), rmas
    )
    before = issued / max(killed - scanning, 1e-9)
    after = (rmas - resumed_at) / max(done - resumed, 1e-9)
    return {
        "seed": seeded,
        "first worker start": scanning - started,
        "first rate": before,
        "issued before the kill": issued,
        "second worker start": resumed - restarted,
        "take-over rate": after,
        "kill to last invoice": done - killed,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("three-workers", "kill", "both"), default="both")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--backend", choices=("database", "rq"), default=None)
    parser.add_argument("--rmas", type=int, default=None, help="10,000; kill: 1,500")
    parser.add_argument("--workers", default="3", help="three-workers: counts, e.g. 1,3")
    parser.add_argument("--kill-after", type=int, default=None, help="kill: 10%% of --rmas")
    args = parser.parse_args()
    if args.database == "postgresql" and postgres_url() is None:
        sys.exit(
            "set DATABASE_URL to a PostgreSQL server, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres, or use --database sqlite"
        )
    scenarios = ["three-workers", "kill"] if args.scenario == "both" else [args.scenario]
    if "three-workers" in scenarios and args.database != "postgresql":
        sys.exit("three-workers measures SELECT ... FOR UPDATE SKIP LOCKED: PostgreSQL only")
    print(f"CPUs: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}; {args.database}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="rmadesk-bench-worker-scan-") as folder:
        templates = DatabaseTemplates(Path(folder))
        try:
            for scenario in scenarios:
                runs: list[tuple[str, dict[str, Any]]] = []
                if scenario == "three-workers":
                    rmas = args.rmas or 10_000
                    for n in [int(x) for x in args.workers.split(",")]:
                        label = f"three-workers: {rmas:,} RMAs, {n} worker(s), rq"
                        print(label, flush=True)
                        with run_site(templates, folder, args.database, "rq", label) as site:
                            runs.append((label, three_workers(site, rmas, n)))
                else:
                    rmas = args.rmas or 1_500
                    kill_after = args.kill_after or max(rmas // 10, 1)
                    backend = args.backend or "database"
                    label = f"kill: {rmas:,} RMAs, killed after {kill_after:,}, {backend}"
                    print(label, flush=True)
                    with run_site(templates, folder, args.database, backend, label) as site:
                        runs.append((label, kill(site, rmas, kill_after)))
                failed |= report(runs)
        finally:
            templates.drop()
    sys.exit(1 if failed else 0)


def run_site(templates: DatabaseTemplates, folder: str, kind: str, backend: str, label: str) -> Any:
    import contextlib

    @contextlib.contextmanager
    def site() -> Any:
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix="run-"))
        with fresh_database(kind, tmp, templates) as url:
            installation = Installation(tmp_path=tmp, database_url=url, backend=backend)
            try:
                yield installation
            finally:
                installation.stop_all()
                installation.clear_queue()

    return site()


def report(runs: list[tuple[str, dict[str, Any]]]) -> bool:
    failed = False
    one = next((r["rate"] for label, r in runs if ", 1 worker(s)" in label and "rate" in r), None)
    for label, result in runs:
        print(f"  {label}")
        for key, value in result.items():
            if key == "errors":
                continue
            shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
            unit = " /s" if "rate" in key else (" s" if isinstance(value, float) else "")
            print(f"    {key:<24} {shown}{unit}")
        if one is not None and "rate" in result:
            print(f"    {'ratio to 1 worker':<24} {result['rate'] / one:.2f}")
        if "take-over rate" in result and result["first rate"]:
            ratio = result["take-over rate"] / result["first rate"]
            print(f"    {'take-over / first rate':<24} {ratio:.2f}")
        for error in result["errors"]:
            print(f"ERROR {label}: {error}")
            failed = True
    return failed


if __name__ == "__main__":
    main()
