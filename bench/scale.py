"""Scale-out: the day-14 scan and outbox delivery with 1, 2 and 4 workers on PostgreSQL.

Two jobs, each run by N real `rmadesk worker --burst --no-scheduler --max-tasks 1` processes
(N = 1, 2, 4), with the database task backend and with RQ on Redis:

- **scan**: K advance exchanges whose day-14 invoice is due (R4, `tests.jobs.bulk`); N copies
  of the `invoice_unreturned_parts` job are queued and N workers run them at once, one each.
  The scan claims RMAs 100 at a time with `FOR UPDATE SKIP LOCKED`, so the copies should split
  the rows. Checked: exactly K invoices, one per RMA. (The invoice notices the invoices queue
  are left in the outbox: delivering mail is the other job.)
- **outbox**: M notifications waiting in the outbox; N copies of the `deliver_outbox` sweep, N
  workers, sending over SMTP to a sink (aiosmtpd) in this process. Checked: M rows `sent` and M
  distinct Message-IDs received.

Every run gets a fresh database, copied from a migrated template (`CREATE DATABASE ... TEMPLATE`),
and RQ runs get their own queue name, deleted afterwards. Times: "wall" from starting the
workers to the last one exiting (includes each worker's Django start-up), "scan" from the first
task starting to the last one finishing (from the task results). Prints rates and ratios
against 1 worker, how the copies split the items, and how often a worker's query was waiting
on a lock (pg_stat_activity sampled every 20 ms); never asserts (a wrong count prints an ERROR
line and exits 1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/scale.py
    ... bench/scale.py --backend database --rmas 300 --mails 300 --workers 1,2    # quicker
"""

# ruff: noqa: E402 -- the path fix below must run before anything imports `queue`
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/scale.py`, this file's folder comes first on the path, where
# a script named like a standard module would shadow it: drop it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import contextlib
import json
import os
import subprocess
import tempfile
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")
# One task per worker: each runs one copy of the job, then exits (the invoice notices the scan
# queues stay queued: they are outbox work, measured by the outbox job).
WORKER = [sys.executable, "-m", "rmadesk.cli", "worker", "--burst", "--no-scheduler"]
WORKER += ["--max-tasks", "1"]
WORKER_TIMEOUT = 900  # seconds; a run that takes longer is stopped and reported
JOBS = {"scan": "invoice_unreturned_parts", "outbox": "deliver_outbox"}
RESULT = "RESULT "  # the prefix of the one line a run prints for the parent


# ------------------------------------------------------------------------------ the parent


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead (scheme normalised for libpq)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, f"/{name}", parts.query, ""))


def admin_connection(url: str) -> Any:
    import psycopg

    return psycopg.connect(with_database(url, urlsplit(url).path.lstrip("/") or "postgres"))


def redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def base_env(url: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        RMADESK_DATA_DIR=data_dir,
        RMADESK_DEBUG="0",  # as in production: no query log in the workers
        DJANGO_SETTINGS_MODULE="rmadesk.config.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def run_once(
    args: argparse.Namespace, admin: Any, template: str, data_dir: str, spec: dict[str, Any]
) -> dict[str, Any]:
    """One run in a fresh database, in a child process of this script; its result."""
    name = f"{template.removesuffix('_template')}_{spec['backend'][:2]}_{spec['job']}_{spec['n']}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        env = base_env(with_database(args.url, name), data_dir)
        env["RMADESK_TASKS_BACKEND"] = spec["backend"]
        # Unique per run (RQ keys on it); DBTaskResult.queue_name holds at most 32 characters.
        env["RMADESK_TASKS_QUEUE"] = f"bench{os.getpid()}-{os.urandom(4).hex()}"
        env["RMADESK_REDIS_URL"] = args.redis
        child = subprocess.run(
            [sys.executable, __file__, "--run", json.dumps(spec)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        result = None
        for line in child.stdout.splitlines():
            if line.startswith(RESULT):
                result = json.loads(line.removeprefix(RESULT))
            else:
                print(f"    {line}")
        if result is None:
            return {**spec, "errors": [f"the run failed (exit {child.returncode})"]}
        return result
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'backend':9} {'job':7} {'workers':>7} {'items':>6} {'wall s':>7} {'scan s':>7} "
        f"{'items/s wall':>12} {'items/s scan':>12} {'ratio wall':>10} {'ratio scan':>10} "
        f"{'lock':>5} {'load':>5}  split"
    )
    print(header)
    print("-" * len(header))
    ones: dict[tuple[str, str], dict[str, Any]] = {}
    for row in results:
        if row.get("wall") is None:
            print(f"{row['backend']:9} {row['job']:7} {row['n']:7d}  failed: {row['errors']}")
            continue
        if row["n"] == 1:
            ones[row["backend"], row["job"]] = row
        one = ones.get((row["backend"], row["job"]))
        wall_rate = row["items"] / row["wall"]
        scan_rate = row["items"] / row["scan"] if row["scan"] else float("nan")
        ratio_wall = f"{one['wall'] / row['wall']:.2f}x" if one else "-"
        ratio_scan = f"{one['scan'] / row['scan']:.2f}x" if one and row["scan"] else "-"
        split = "/".join(str(count) for count in row["split"])
        print(
            f"{row['backend']:9} {row['job']:7} {row['n']:7d} {row['items']:6d} "
            f"{row['wall']:7.2f} {row['scan']:7.2f} {wall_rate:12.0f} {scan_rate:12.0f} "
            f"{ratio_wall:>10} {ratio_scan:>10} {row['locked']:5.0%} {row['load']:5.1f}  {split}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("database", "rq", "both"), default="both")
    parser.add_argument("--job", choices=("scan", "outbox", "both"), default="both")
    # 500 each keeps a full run near 5 minutes on a 2-CPU machine; docs/benchmarks.md used 1,000.
    parser.add_argument("--rmas", type=int, default=500, help="due advance exchanges (500)")
    parser.add_argument("--mails", type=int, default=500, help="queued notifications (500)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # internal: one run, in a child
    args = parser.parse_args()
    if args.run:
        sys.exit(child_run(json.loads(args.run)))

    args.url = os.environ.get("DATABASE_URL", "").strip()
    if urlsplit(args.url).scheme not in POSTGRES_SCHEMES:
        sys.exit(
            "bench/scale.py measures workers splitting rows with SELECT ... FOR UPDATE SKIP "
            "LOCKED, which needs PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres "
            "uv run python bench/scale.py"
        )
    args.redis = os.environ.get("RMADESK_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
    backends = ["database", "rq"] if args.backend == "both" else [args.backend]
    jobs = ["scan", "outbox"] if args.job == "both" else [args.job]
    counts = [int(n) for n in args.workers.split(",")]
    if "rq" in backends and (problem := redis_problem(args.redis)) is not None:
        print(f"SKIP rq: Redis at {args.redis} does not answer ({problem})")
        backends.remove("rq")

    print(
        f"CPUs: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}; "
        f"{args.rmas:,} due advance exchanges, {args.mails:,} notifications; "
        f"workers {', '.join(map(str, counts))}"
    )
    admin = admin_connection(args.url)
    admin.autocommit = True
    print(f"PostgreSQL {admin.info.server_version // 10000}.{admin.info.server_version % 10000}")
    template = f"rmadesk_bench_scale_{os.getpid()}_template"
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="rmadesk-bench-scale-") as data_dir:
        try:
            admin.execute(f'CREATE DATABASE "{template}"')
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "rmadesk.cli", "migrate", "-v0"],
                env=base_env(with_database(args.url, template), data_dir),
                cwd=ROOT,
                check=True,
            )
            print(f"migrated the template database in {time.perf_counter() - start:.1f} s")
            for backend in backends:
                for job in jobs:
                    items = args.rmas if job == "scan" else args.mails
                    for n in counts:
                        spec = {"backend": backend, "job": job, "n": n, "items": items}
                        print(f"{backend} {job}: {n} worker(s), {items:,} items")
                        results.append(run_once(args, admin, template, data_dir, spec))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            admin.close()
    print()
    print_table(results)
    errors = [(row, error) for row in results for error in row.get("errors", [])]
    for row, error in errors:
        print(f"ERROR {row['backend']} {row['job']} {row['n']} worker(s): {error}")
    print(
        f"\n{os.cpu_count()} CPUs run the workers, PostgreSQL, Redis and the SMTP sink: "
        "more workers than CPUs cannot scale linearly."
    )
    sys.exit(1 if errors else 0)


# ------------------------------------------------------------------------- one run (child)


class Sink:
    """An aiosmtpd handler counting the mail it receives and the Message-IDs."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email.parser import BytesHeaderParser

        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.message_ids.append(str(headers["Message-ID"]).strip())
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LockSampler(threading.Thread):
    """Samples pg_stat_activity every 20 ms: how often a worker's query waits on a row lock."""

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.stopping = threading.Event()
        self.active = 0
        self.waiting = 0

    def run(self) -> None:
        import psycopg

        s = self.settings
        with psycopg.connect(
            dbname=s["NAME"],
            user=s["USER"] or None,
            password=s["PASSWORD"] or None,
            host=s["HOST"] or None,
            port=s["PORT"] or None,
            autocommit=True,
        ) as connection:
            while not self.stopping.wait(0.02):
                rows = connection.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid() AND state = 'active'"
                ).fetchall()
                self.active += len(rows)
                self.waiting += sum(1 for (kind,) in rows if kind == "Lock")

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    def share(self) -> float:
        return self.waiting / self.active if self.active else 0.0


def start_workers(n: int, env: dict[str, str], logs: Path) -> list[tuple[Any, Path]]:
    workers = []
    for number in range(n):
        log = logs / f"worker-{number}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [*WORKER, "--worker-id", f"bench-{os.getpid()}-{number}"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        workers.append((process, log))
    return workers


def wait_for(workers: list[tuple[Any, Path]], errors: list[str]) -> None:
    deadline = time.monotonic() + WORKER_TIMEOUT
    for process, log in workers:
        try:
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()  # our own child, by its handle
            process.wait()
            code = None
        if code != 0:
            tail = log.read_text().splitlines()[-15:]
            errors.append(f"worker pid {process.pid} exited {code}: " + " | ".join(tail))


def task_results(backend: str, ids: list[str]) -> list[Any]:
    """The TaskResults of the queued copies (status, started_at, finished_at, return value)."""
    if backend == "rq":
        # Fetched through the queue's own connection: django_tasks_rq's get_result uses
        # django_rq's connection named "default", which a bench queue name does not have.
        import django_rq
        from django_tasks_rq.backend import Job

        from rmadesk.jobs.queue import queue_name

        connection = django_rq.get_queue(queue_name()).connection
        return [Job.fetch(result_id, connection=connection).task_result for result_id in ids]
    from rmadesk.jobs.tasks import run_scheduled_job

    return [run_scheduled_job.get_result(result_id) for result_id in ids]


def clean_rq(ids: list[str]) -> None:
    import django_rq
    from rq.job import Job

    from rmadesk.jobs.queue import queue_name

    queue = django_rq.get_queue(queue_name())
    connection = queue.connection
    for result_id in ids:
        with contextlib.suppress(Exception):
            Job.fetch(result_id, connection=connection).delete()
    queue.delete(delete_jobs=True)
    for pattern in (f"*{queue_name()}*", f"rq:worker:bench-{os.getpid()}-*"):
        for key in connection.scan_iter(pattern):  # the stopped workers' records expire anyway
            connection.delete(key)


def child_run(spec: dict[str, Any]) -> int:
    """Fill the database, queue N copies of the job, run N workers, check and time them."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.db import connections

    from rmadesk.jobs.queue import enqueue
    from rmadesk.jobs.tasks import run_scheduled_job
    from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
    from tests.jobs import bulk

    backend, job, n, items = spec["backend"], spec["job"], spec["n"], spec["items"]
    errors: list[str] = []
    load = os.getloadavg()[0]
    start = time.perf_counter()
    if job == "scan":
        bulk.due_advance_exchanges(items)
    else:
        bulk.queued_notifications(items)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = dict(os.environ)
    env.update(
        RMADESK_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        RMADESK_EMAIL_HOST="127.0.0.1",
        RMADESK_EMAIL_PORT=str(port),
    )
    print(f"filled in {time.perf_counter() - start:.1f} s")
    ids = [str(enqueue(run_scheduled_job, JOBS[job]).id) for _ in range(n)]
    connections.close_all()  # nothing of ours open while the workers run
    sampler = LockSampler(connections["default"].settings_dict)
    try:
        with tempfile.TemporaryDirectory(prefix="rmadesk-bench-workers-") as logs:
            sampler.start()
            start = time.perf_counter()
            workers = start_workers(n, env, Path(logs))
            wait_for(workers, errors)
            wall = time.perf_counter() - start
            sampler.stop()
        results = task_results(backend, ids)
    finally:
        controller.stop()
        if backend == "rq":
            clean_rq(ids)
    started = [r.started_at for r in results if r.started_at is not None]
    finished = [r.finished_at for r in results if r.finished_at is not None]
    for result in results:
        if result.status != "SUCCESSFUL":
            errors.append(f"task {result.id} ended {result.status}: {result.errors}")
    scan = (max(finished) - min(started)).total_seconds() if started and finished else None
    first = min(started) if started else None
    offsets = ", ".join(
        f"+{(r.started_at - first).total_seconds():.2f}s"
        for r in sorted(results, key=lambda r: r.started_at or first)
        if r.started_at is not None and first is not None
    )
    split = sorted(
        (int(r.return_value) if r.status == "SUCCESSFUL" else 0 for r in results), reverse=True
    )
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
    unsent = OutboxMessage.objects.exclude(status=OutboxStatus.SENT).count()
    received, distinct = len(sink.message_ids), len(set(sink.message_ids))
    print(
        f"load average {load:.2f} before; tasks started {offsets}; "
        f"worker connections waiting on a lock in {sampler.share():.0%} of samples"
    )
    if job == "scan":
        from rmadesk.billing.choices import InvoiceKind
        from rmadesk.billing.models import Invoice

        invoices = Invoice.objects.filter(kind=InvoiceKind.UNRETURNED_PARTS)
        made = invoices.count()
        rmas = invoices.values("rma").distinct().count()
        print(
            f"invoices: {made:,} for {rmas:,} RMAs (expected {items:,}); "
            f"{unsent:,} invoice notices queued in the outbox, not sent by this run"
        )
        if made != items or rmas != items:
            errors.append(f"{made} invoices for {rmas} RMAs, expected {items}")
    else:
        print(
            f"outbox: {sent:,} sent; sink received {received:,} messages, {distinct:,} distinct "
            f"Message-IDs (expected {items:,})"
        )
        if sent != items or distinct != items or unsent:
            errors.append(f"{sent} sent, {distinct} distinct Message-IDs, expected {items}")
        if received != distinct:
            print(f"note: {received - distinct} duplicate deliveries (same Message-ID)")
    if sum(split) != items:
        errors.append(f"the tasks' counts {split} add up to {sum(split)}, not {items}")
    for error in errors:
        print(f"ERROR {error}")
    result = {
        **spec,
        "wall": wall,
        "scan": scan,
        "split": split,
        "load": load,
        "locked": sampler.share(),
        "errors": errors,
    }
    print(RESULT + json.dumps(result))
    return 0


if __name__ == "__main__":
    main()
