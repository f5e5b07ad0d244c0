"""The breach scan and the periodic scans: how long with N breaches, and with nothing to do.

Builds a throwaway test database (`test_<name>` on PostgreSQL from DATABASE_URL, in memory on
SQLite), fills it in bulk with `--background` tickets whose clocks are not due (a realistic
table for the index to search) and `--breaches` tickets whose first response is overdue, then
times, at one instant:

1. `mark_breached_clocks` with the breaches to mark (their alerts built and queued in the
   outbox after each batch commits, to an assignee and a manager, as in production);
2. `mark_breached_clocks` again: nothing to do;
3. every periodic scan (`rmadesk.jobs.scans.scan_report`) with nothing to do.

Prints wall-clock times and the SQL statements each ran, and checks the counts (each breach
marked once, one alert each). Prints; never asserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rmadesk_bench uv run python bench/scans.py
    uv run python bench/scans.py --breaches 200 --background 5000      # SQLite, smaller
"""

# ruff: noqa: E402 -- the path fix below must run before Django is imported
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/scans.py`, this folder comes first on the path; no script here may
# shadow a standard module: drop it, and put the project root first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_test_environment

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=LA)
BATCH = 5000


def build(breaches: int, background: int) -> None:
    """Tickets with one first-response clock each: `breaches` overdue, `background` not due."""
    from rmadesk.assets.models import Asset, ProductModel
    from rmadesk.core.policies import active_policy
    from rmadesk.core.services import add_user
    from rmadesk.customers.models import Contract, Customer
    from rmadesk.tickets.models import ServiceClock, Ticket

    customer = Customer.objects.create(
        name="Bench Storage",
        country="US",
        zone="America/Los_Angeles",
        email="it@bench.example",
        payment_terms_days=30,
        created_at=NOW - dt.timedelta(days=400),
    )
    Contract.objects.create(
        customer=customer,
        plan="gold",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2028, 1, 1),
    )
    model, _ = ProductModel.objects.get_or_create(
        name="TrueNAS M50", defaults={"product_line": "truenas"}
    )
    asset = Asset.objects.create(
        customer=customer,
        serial="A1-BENCH",
        model=model,
        shipped_on=dt.date(2025, 6, 1),
        warranty_years=3,
        price="25000.00",
    )
    agent = add_user(email="bench-agent@vendor.example", role="agent")
    add_user(email="bench-manager@vendor.example", role="manager")
    version = active_policy().version
    total = breaches + background
    number = 100001
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        tickets, dues = [], []
        for i in range(made, made + size):
            overdue = i < breaches
            # Overdue ones by up to a day; the others due in 1 to 4 days (no breach warning).
            minutes = 1 + i % 1440 if overdue else -(1440 + i % 4320)
            due = NOW - dt.timedelta(minutes=minutes)
            opened = due - dt.timedelta(hours=4)
            tickets.append(
                Ticket(
                    number=number,
                    customer=customer,
                    asset=asset,
                    plan="gold",
                    severity="S2",
                    status="open",
                    channel="portal",
                    subject=f"Bench ticket {number}",
                    opened_at=opened,
                    policy_version=version,
                    assignee=agent,
                    next_due_at=due,
                    updated_at=opened,
                )
            )
            dues.append((opened, due))
            number += 1
        Ticket.objects.bulk_create(tickets, batch_size=BATCH)
        ServiceClock.objects.bulk_create(
            [
                ServiceClock(
                    ticket=ticket,
                    kind="first_response",
                    state="running",
                    started_at=opened,
                    due_at=due,
                    target="4 business hours",
                    calendar="Pacific business hours",
                )
                for ticket, (opened, due) in zip(tickets, dues, strict=True)
            ],
            batch_size=BATCH,
        )
        made += size
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


@contextmanager
def without_subscribers() -> Iterator[None]:
    """No subscriber hears a breach: no alert is built (the events are not stored either)."""
    from rmadesk.core import events
    from rmadesk.tickets.events import ClockBreached

    kept = events._subscribers.pop(ClockBreached, [])
    try:
        yield
    finally:
        events._subscribers[ClockBreached] = kept


def reset() -> None:
    """Every breached clock running again, as built: the scan can run once more."""
    from rmadesk.core.models import AuditEvent
    from rmadesk.tickets.models import ServiceClock, Ticket

    ServiceClock.objects.filter(state="breached").update(state="running", stopped_at=None)
    Ticket.objects.filter(is_breached=True).update(is_breached=False)
    AuditEvent.objects.filter(verb="clock.breached").delete()


def timed(work: Callable[[], Any]) -> tuple[Any, float, int]:
    """What `work` answers, its wall-clock seconds and the SQL statements it ran."""
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        answer = work()
        elapsed = time.perf_counter() - start
    return answer, elapsed, statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breaches", type=int, default=1000)
    parser.add_argument("--background", type=int, default=50_000, help="tickets not due")
    args = parser.parse_args()

    from rmadesk.core import clock
    from rmadesk.core.models import AuditEvent
    from rmadesk.jobs.scans import scan_report
    from rmadesk.mail.models import OutboxMessage
    from rmadesk.tickets.models import ServiceClock
    from rmadesk.tickets.services import mark_breached_clocks

    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with clock.frozen_at(NOW):
            start = time.perf_counter()
            build(args.breaches, args.background)
            print(
                f"built {args.breaches:,} overdue + {args.background:,} not-due clocks "
                f"in {time.perf_counter() - start:.1f} s"
            )
            # First without subscribers: the marking alone, the part that holds the locks.
            with without_subscribers():
                marked, seconds, statements = timed(lambda: mark_breached_clocks(now=NOW))
            print(
                f"breach scan, {args.breaches:,} breaches, marking only (no alerts): "
                f"{seconds:.2f} s, {statements} SQL statements (marked {marked:,})"
            )
            reset()
            marked, seconds, statements = timed(lambda: mark_breached_clocks(now=NOW))
            alerts = OutboxMessage.objects.filter(kind="breach_alert").count()
            audited = AuditEvent.objects.filter(verb="clock.breached").count()
            breached = ServiceClock.objects.filter(state="breached").count()
            print(
                f"breach scan, {args.breaches:,} breaches: {seconds:.2f} s, {statements} SQL "
                f"statements ({seconds / max(marked, 1) * 1000:.2f} ms a breach, alerts included)"
            )
            print(
                f"  marked {marked:,}, clocks breached {breached:,}, audit rows {audited:,}, "
                f"alerts queued {alerts:,} (each should equal {args.breaches:,})"
            )
            again, seconds, statements = timed(lambda: mark_breached_clocks(now=NOW))
            print(
                f"breach scan, nothing to do: {seconds * 1000:.1f} ms, {statements} SQL "
                f"statements (marked {again})"
            )
            report, seconds, statements = timed(lambda: scan_report(now=NOW))
            print(
                f"every scan, nothing to do: {seconds * 1000:.0f} ms, {statements} SQL statements"
            )
            for name, count in report.counts.items():
                print(f"  {name}: {count}")
            for name, error in report.errors.items():
                print(f"  {name} FAILED: {error}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
