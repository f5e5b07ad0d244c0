"""The reports over N tickets: how long each report takes, against a budget of 2 s.

Builds a throwaway test database (Django's test-database machinery: `test_<name>` on
PostgreSQL from DATABASE_URL, in memory on SQLite), fills it in bulk with N tickets over the
year before "now" and their finished service-level clock runs (a first response for each, a
next update for 60 %; about 12 % breached, a tenth of those not answered yet, business times
spread from minutes to days), N/50 RMAs with their parts (a mix of kinds and states) and N/100
invoices with late fees and payments. Then times each report's selector as a manager would call
it (and the attainment API through Django's test Client), R runs each: prints the median and the
slowest run in ms, the number of SQL queries and the rows answered. Budget: every report under
2,000 ms at 1,000,000 tickets on PostgreSQL. Prints; never asserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rmadesk_bench uv run python bench/reports.py
    uv run python bench/reports.py --tickets 20000 --runs 3      # SQLite, smaller
"""

# ruff: noqa: E402 -- the path fix below must run before anything imports `queue`
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/reports.py`, this file's folder comes first on the path, where
# bench/queue.py would shadow the standard library's `queue` (imported by Django): drop it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=LA)
PLANS = ("gold", "silver", "bronze", "truecommand")
SEVERITIES = ("S1", "S2", "S3", "S4")
BATCH = 5000
BUDGET_MS = 2000


def build(tickets: int, seed: int) -> None:
    """Bulk-create the records the reports read."""
    from rmadesk.assets.models import Asset, ProductModel
    from rmadesk.billing.models import Invoice, InvoiceLine, Payment
    from rmadesk.customers.models import Customer
    from rmadesk.rmas.models import Rma, RmaItem
    from rmadesk.tickets.models import ClockRun, Ticket

    rng = random.Random(seed)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Customer {i:05d}",
                country="US",
                zone="America/Los_Angeles",
                email=f"it{i}@customer.example",
                payment_terms_days=30,
                created_at=NOW - dt.timedelta(days=800),
            )
            for i in range(max(10, tickets // 200))
        ],
        batch_size=BATCH,
    )
    model, _ = ProductModel.objects.get_or_create(
        name="TrueNAS M50", defaults={"product_line": "truenas"}
    )
    asset = Asset.objects.create(
        customer=customers[0],
        serial="A1-0000001",
        model=model,
        shipped_on=dt.date(2025, 6, 1),
        warranty_years=3,
        price="25000.00",
    )
    year = 365 * 24 * 3600
    number = 100001
    made = 0
    while made < tickets:
        size = min(BATCH, tickets - made)
        rows = []
        for _ in range(size):
            opened = NOW - dt.timedelta(seconds=rng.randrange(year))
            is_open = opened > NOW - dt.timedelta(days=30) and rng.random() < 0.5
            rows.append(
                Ticket(
                    number=number,
                    customer=customers[rng.randrange(len(customers))],
                    plan=rng.choice(PLANS),
                    severity=rng.choice(SEVERITIES),
                    status=rng.choice(("open", "waiting_on_customer")) if is_open else "resolved",
                    channel="portal",
                    subject="Pool degraded",
                    opened_at=opened,
                    closed_at=None if is_open else opened + dt.timedelta(days=2),
                    policy_version="bench",
                    updated_at=opened,
                )
            )
            number += 1
        Ticket.objects.bulk_create(rows, batch_size=BATCH)
        runs = []
        for ticket in rows:
            kinds = ["first_response"] + (["next_update"] if rng.random() < 0.6 else [])
            for kind in kinds:
                target = rng.choice((2, 4, 8, 12, 24)) * 3600
                due = ticket.opened_at + dt.timedelta(seconds=target * 2)
                due_on = due.astimezone(LA).date()
                breached = rng.random() < 0.12
                answered = not breached or rng.random() < 0.9
                spent = rng.randrange(target, target * 3) if breached else rng.randrange(target)
                runs.append(
                    ClockRun(
                        ticket=ticket,
                        kind=kind,
                        plan=ticket.plan,
                        severity=ticket.severity,
                        state="breached" if breached else "met",
                        started_at=ticket.opened_at,
                        due_at=due,
                        answered_at=due if answered else None,
                        business_seconds=spent if answered else None,
                        target_seconds=target,
                        is_due_in_hours=rng.random() < 0.8,
                        due_on=due_on,
                        due_week=due_on - dt.timedelta(days=due_on.weekday()),
                        due_month=due_on.replace(day=1),
                    )
                )
        ClockRun.objects.bulk_create(runs, batch_size=BATCH)
        made += size
    tickets_for_rmas = list(Ticket.objects.order_by("pk")[: max(10, tickets // 50)])
    rmas = []
    for ticket in tickets_for_rmas:
        issued = ticket.opened_at + dt.timedelta(hours=4)
        kind = rng.choice(("advance_exchange", "repair", "replacement", "money_back"))
        shipped = issued + dt.timedelta(hours=rng.randrange(4, 240))
        received = shipped + dt.timedelta(days=rng.randrange(2, 20)) if rng.random() < 0.7 else None
        rmas.append(
            Rma(
                number=ticket.number,
                ticket=ticket,
                kind=kind,
                status="received" if received else "replacement_shipped",
                issued_at=issued,
                expires_at=issued + dt.timedelta(days=30),
                replacement_shipped_at=shipped,
                received_at=received,
                invoice_at=shipped + dt.timedelta(days=14),
            )
        )
    Rma.objects.bulk_create(rmas, batch_size=BATCH)
    RmaItem.objects.bulk_create(
        [RmaItem(rma=r, part="HDD", unit_price=Decimal("300.00")) for r in rmas], batch_size=BATCH
    )
    invoices = [
        Invoice(
            number=f"INV-B-{i:07d}",
            customer=customers[i % len(customers)],
            kind="service",
            currency="USD",
            issued_at=NOW - dt.timedelta(days=i % 200),
            due_on=(NOW - dt.timedelta(days=i % 200 - 30)).date(),
            principal=Decimal("1000.00"),
            status="open" if i % 3 else "paid",
        )
        for i in range(max(10, tickets // 100))
    ]
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=inv,
                kind="late_fee",
                description="late fee",
                amount=Decimal("15.00"),
                late_fee_month=1,
                added_at=inv.issued_at + dt.timedelta(days=60),
            )
            for inv in invoices[::4]
        ],
        batch_size=BATCH,
    )
    Payment.objects.bulk_create(
        [
            Payment(invoice=inv, amount=Decimal("100.00"), received_at=inv.issued_at)
            for inv in invoices[::5]
        ],
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    del asset


def timed(call: Callable[[], Any], runs: int) -> tuple[list[float], int, int]:
    times = []
    queries = rows = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            answer = call()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
        rows = len(answer) if isinstance(answer, list) else 1
    return times, queries, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261118)
    parser.add_argument("--keepdb", action="store_true", help="keep and reuse the database")
    args = parser.parse_args()

    from rmadesk.core import clock
    from rmadesk.core.services import add_user, issue_token
    from rmadesk.reports.attainment import attainment
    from rmadesk.reports.backlog import backlog, waiting_on_customer
    from rmadesk.reports.breaches import breach_counts, breaches
    from rmadesk.reports.dashboard import dashboard
    from rmadesk.reports.filters import Filters
    from rmadesk.reports.money import money_figures
    from rmadesk.reports.ranges import DateRange
    from rmadesk.reports.rmas import rma_figures
    from rmadesk.tickets.models import Ticket

    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        with clock.frozen_at(NOW):
            kept = Ticket.objects.count()
            if kept:
                print(f"reusing the kept database: {kept:,} tickets")
            else:
                start = time.perf_counter()
                build(args.tickets, args.seed)
                print(f"built {args.tickets:,} tickets in {time.perf_counter() - start:.1f} s")
            manager = add_user(email=f"bench-lead{os.getpid()}@vendor.example", role="manager")
            client = Client()
            token = issue_token(user=manager)
            today = NOW.date()
            quarter = DateRange.of(today - dt.timedelta(days=90), today, "week")
            whole_year = DateRange.of(today - dt.timedelta(days=365), today, "month")
            month = DateRange.of(today - dt.timedelta(days=29), today, "week")
            gold_s1 = Filters(plan="gold", severity="S1")
            api = f"/api/v1/reports/attainment?from={whole_year.first}&to={today}&period=month"
            cases: list[tuple[str, Callable[[], Any]]] = [
                ("attainment, 13 weeks by week", lambda: attainment(manager, quarter)),
                ("attainment, a year by month", lambda: attainment(manager, whole_year)),
                ("attainment, a year, gold S1", lambda: attainment(manager, whole_year, gold_s1)),
                ("breaches, 30 days (500 rows)", lambda: breaches(manager, month)),
                ("breach counts, a year", lambda: breach_counts(manager, whole_year)),
                ("backlog by age", lambda: backlog(manager)),
                ("waiting on the customer", lambda: waiting_on_customer(manager)),
                ("RMAs, a year", lambda: rma_figures(manager, whole_year)),
                ("money, a year", lambda: money_figures(manager, whole_year)),
                ("manager's page", lambda: dashboard(manager)),
                (
                    "API attainment, a year by month",
                    lambda: client.get(api, headers={"Authorization": f"Bearer {token}"}),
                ),
            ]
            print(f"{args.runs} runs each (ms); budget: every report under {BUDGET_MS} ms")
            print(f"{'report':36} {'median':>8} {'slowest':>8} {'queries':>8} {'rows':>6}")
            over = []
            for name, call in cases:
                times, queries, rows = timed(call, args.runs)
                median = statistics.median(times)
                if max(times) > BUDGET_MS:
                    over.append(name)
                print(f"{name:36} {median:8.1f} {max(times):8.1f} {queries:8d} {rows:6d}")
            print("over budget: " + (", ".join(over) if over else "none"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
