"""The agent queue at 100,000 tickets: how long `GET /console/` takes, for every view.

Builds a throwaway test database (Django's test-database machinery: `test_<name>` on
PostgreSQL from DATABASE_URL, in memory on SQLite), fills it with N tickets in bulk (each with
its customer, asset, first message, first-response clock computed by the policy core, the
denormalised `next_due_at` / `is_breached` / `updated_at` the ticket services keep; a share
of them closed over the last 60 days), then times the queue page through Django's test
Client, logged in as an agent: the first page sorted by due time, every built-in view, a saved
view, each sortable column, filtered pages, a deep page and four searches. Prints the median
and p95 of R requests each, the number of SQL queries one request runs, and each case's ratio
to the first page. Budget: median under 300 ms for every case. Prints; never asserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rmadesk_bench uv run python bench/agent_queue.py
    uv run python bench/agent_queue.py --tickets 20000 --requests 20      # SQLite, smaller
"""

# ruff: noqa: E402 -- the path fix below must run before Django is imported
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/agent_queue.py`, this file's folder comes first on the path; no script
# here may shadow a standard module (this one was `queue.py` once, breaking every other): drop it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import datetime as dt
import os
import random
import statistics
import time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

LA = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=LA)
PLANS = (("gold", 0.3), ("silver", 0.35), ("bronze", 0.25), ("truecommand", 0.1))
SEVERITIES = ("S1", "S2", "S3", "S4")
CHANNELS = ("portal", "email", "phone")
WORDS = (
    *("pool", "degraded", "disk", "failure", "replication", "lag", "snapshot", "scrub"),
    *("error", "controller", "fan", "power", "supply", "network", "interface", "slow"),
    *("boot", "upgrade", "license", "question", "alert", "enclosure"),
)
RARE_WORD = "xylophonic"  # appears in a handful of messages only: a selective text search
BATCH = 5000
BUDGET_MS = 300  # the median every case must stay under (bench/README.md)


def clocks_for(ticket: Any, answer: Any, waiting: bool) -> list[Any]:
    """The clocks the ticket services would have left: a running (or, past due, breached)
    first response; or, for a ticket waiting on the customer, a met first response and a
    paused next update (L5)."""
    from rmadesk.tickets.models import ServiceClock

    due = answer.due
    common = {"target": answer.target, "calendar": answer.calendar or ""}
    if waiting:
        return [
            ServiceClock(
                kind="first_response",
                state="met",
                started_at=ticket.opened_at,
                due_at=due,
                stopped_at=ticket.opened_at,
                explanation=list(answer.explain),
                **common,
            ),
            ServiceClock(
                kind="next_update",
                state="paused",
                started_at=ticket.opened_at,
                paused_at=ticket.opened_at,
                **common,
            ),
        ]
    breached = due is not None and due < NOW
    return [
        ServiceClock(
            kind="first_response",
            state="breached" if breached else "running",
            started_at=answer.clock_starts or ticket.opened_at,
            due_at=due,
            stopped_at=due if breached else None,
            explanation=list(answer.explain),
            **common,
        )
    ]


def build(tickets: int, seed: int, closed_share: float) -> dict[str, Any]:
    """Bulk-create the records; returns what the timed requests search for."""
    from rmadesk.assets.models import Asset, ProductModel
    from rmadesk.core.policies import active_policy
    from rmadesk.core.services import add_user
    from rmadesk.customers.models import Customer
    from rmadesk.policy.service_levels import response_due
    from rmadesk.tickets.models import Message, ServiceClock, Ticket
    from rmadesk.tickets.services import queue_fields

    rng = random.Random(seed)
    policy = active_policy()
    customers_n = max(10, tickets // 50)
    assets_n = max(10, tickets // 2)
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Customer {i:05d} {rng.choice(['Storage', 'Media', 'Labs', 'Bank'])}",
                country="US",
                zone="America/Los_Angeles",
                email=f"it{i}@customer.example",
                payment_terms_days=30,
                created_at=NOW - dt.timedelta(days=400),
            )
            for i in range(customers_n)
        ],
        batch_size=BATCH,
    )
    appliance, _ = ProductModel.objects.get_or_create(
        name="TrueNAS M50", defaults={"product_line": "truenas"}
    )
    assets = Asset.objects.bulk_create(
        [
            Asset(
                customer=customers[i % customers_n],
                serial=f"A1-{i:07d}",
                model=appliance,
                shipped_on=dt.date(2025, 6, 1),
                warranty_years=3,
                price="25000.00",
            )
            for i in range(assets_n)
        ],
        batch_size=BATCH,
    )
    agents = [add_user(email=f"bench-agent{i}@vendor.example", role="agent") for i in range(20)]
    version = policy.version
    plans, weights = zip(*PLANS, strict=True)
    number = 100001
    made = 0
    while made < tickets:
        size = min(BATCH, tickets - made)
        rows: list[Ticket] = []
        clocks_of: list[list[ServiceClock]] = []
        for _ in range(size):
            asset = assets[rng.randrange(assets_n)]
            plan = rng.choices(plans, weights)[0]
            severity = rng.choice(SEVERITIES[1:] if plan == "truecommand" else SEVERITIES)
            opened = NOW - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 10))
            answer = response_due(
                policy,
                plan=plan,
                severity=severity,
                start=opened,
                country="US",
                zone="America/Los_Angeles",
            )
            closed = rng.random() < closed_share
            waiting = not closed and rng.random() < 0.15
            ticket = Ticket(
                number=number,
                customer_id=asset.customer_id,
                asset=asset,
                plan=plan,
                severity=severity,
                status="waiting_on_customer" if waiting else "open",
                channel=rng.choice(CHANNELS),
                subject=" ".join(rng.sample(WORDS, 3)).capitalize(),
                opened_at=opened,
                policy_version=version,
                assignee=rng.choice([*agents, None, None]),
            )
            clocks_of.append(clocks_for(ticket, answer, waiting or closed))
            if closed:  # resolved some time in the last 60 days (a tenth of them this week)
                ticket.status = "resolved"
                ticket.opened_at = NOW - dt.timedelta(minutes=rng.randrange(60, 60 * 24 * 60))
                ticket.closed_at = ticket.opened_at + (NOW - ticket.opened_at) * rng.random()
                ticket.close_reason = "Fixed."
                for found in clocks_of[-1]:
                    found.state = "met" if found.kind == "first_response" else found.state
            # The denormalised queue fields, as the ticket services would have stored them.
            ticket.next_due_at, ticket.is_breached = queue_fields(ticket.status, clocks_of[-1])
            ticket.updated_at = ticket.closed_at or ticket.opened_at
            rows.append(ticket)
            number += 1
        Ticket.objects.bulk_create(rows, batch_size=BATCH)  # ids come back (RETURNING)
        clocks, messages = [], []
        for ticket, mine in zip(rows, clocks_of, strict=True):
            for found in mine:
                found.ticket = ticket
            clocks.extend(mine)
            words = " ".join(rng.choice(WORDS) for _ in range(25))
            if rng.random() < 0.0002:
                words += f" {RARE_WORD}"
            messages.append(
                Message(
                    ticket=ticket, kind="customer", is_public=True, body=words, at=ticket.opened_at
                )
            )
        ServiceClock.objects.bulk_create(clocks, batch_size=BATCH)
        Message.objects.bulk_create(messages, batch_size=BATCH)
        made += size
        print(f"  {made:,} tickets", end="\r", flush=True)
    print()
    with connection.cursor() as cursor:
        # Table statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    sample = assets[rng.randrange(assets_n)]
    return {
        "serial": sample.serial,
        "customer": customers[rng.randrange(customers_n)].name,
        "word": RARE_WORD,
        "agent": agents[0].username,
    }


def timed(client: Client, path: str, requests: int) -> tuple[list[float], int, int]:
    """Milliseconds of each request (after two warm-ups), the query count and the status."""
    for _ in range(2):
        client.get(path)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return times, queries, response.status_code


def explain(client: Client, path: str) -> None:
    """Print the plan of every SELECT the page runs on tickets (to see the indexes used)."""
    plans = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "tickets_ticket" in sql and sql.lstrip().startswith("SELECT"):
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                plans.append("\n".join(" ".join(map(str, row)) for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        client.get(path)
    print(f"--- {path}")
    for plan in plans:
        print(plan)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--closed-share", type=float, default=0.4, help="the share of tickets built closed"
    )
    parser.add_argument("--seed", type=int, default=20261118)
    parser.add_argument(
        "--explain", action="store_true", help="print the database's plan of each page query"
    )
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep the test database afterwards and reuse a kept one (skips the build)",
    )
    args = parser.parse_args()

    from django.contrib.auth import get_user_model

    from rmadesk.console.models import SavedView
    from rmadesk.console.queue_selectors import BUILT_IN_VIEWS
    from rmadesk.core import clock

    User = get_user_model()
    setup_test_environment(debug=False)  # as in production: no query log
    old_name = connection.settings_dict["NAME"]
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        with clock.frozen_at(NOW):
            from rmadesk.tickets.models import Ticket

            kept = Ticket.objects.count()
            if kept:
                print(f"reusing the kept database: {kept:,} tickets")
                args.tickets = kept
                found = {
                    "serial": "A1-0012345",
                    "customer": "Customer 01234",
                    "word": RARE_WORD,
                    "agent": "bench-agent0@vendor.example",
                }
            else:
                start = time.perf_counter()
                found = build(args.tickets, args.seed, args.closed_share)
                elapsed = time.perf_counter() - start
                print(f"built {args.tickets:,} tickets in {elapsed:.1f} s")
            open_count = Ticket.objects.filter(status__in=("open", "waiting_on_customer")).count()
            print(f"{open_count:,} open or waiting, {args.tickets - open_count:,} closed")
            # An agent with a twentieth of the tickets assigned ("Mine") and a saved view.
            agent = User.objects.get(username=found["agent"])
            saved, _ = SavedView.objects.get_or_create(
                owner=agent,
                name="My S1 and S2, latest first",
                defaults={"query": "severity=S1&sort=-updated", "created_at": NOW},
            )
            client = Client()
            client.force_login(agent)
            views = [(f"view {v.name}", f"/console/queue/?{v.query}") for v in BUILT_IN_VIEWS]
            sorts = [
                (f"sort {key}", f"/console/queue/?sort={key}")
                for key in ("number", "-severity", "status", "customer", "assignee", "-updated")
            ]
            cases = [
                ("first page, by due", "/console/"),
                *views,
                ("saved view (S1, by updated)", f"/console/queue/?{saved.query}"),
                *sorts,
                ("all, by customer", "/console/queue/?status=any&sort=customer"),
                ("all, by updated", "/console/queue/?status=any&sort=-updated"),
                ("filter severity S1 + plan gold", "/console/?severity=S1&plan=gold"),
                (
                    "filter waiting, unassigned",
                    "/console/?status=waiting_on_customer&assignee=none",
                ),
                ("page 200", "/console/?page=200"),
                ("search serial", f"/console/?q={found['serial']}"),
                ("search customer name", "/console/?" + urlencode({"q": found["customer"]})),
                ("search ticket number", f"/console/?q={100001 + args.tickets // 2}"),
                ("search message text", f"/console/?q={found['word']}"),
            ]
            print(f"{args.requests} requests each (ms); budget: median under {BUDGET_MS} ms")
            print(f"{'case':36} {'median':>8} {'p95':>8} {'ratio':>6} {'queries':>8} {'status':>7}")
            first = None
            over = []
            for name, path in cases:
                if args.explain:
                    explain(client, path)
                times, queries, status = timed(client, path, args.requests)
                median = statistics.median(times)
                first = first or median
                if median > BUDGET_MS:
                    over.append(name)
                print(
                    f"{name:36} {median:8.1f} {p95(times):8.1f} {median / first:6.2f} "
                    f"{queries:8d} {status:7d}"
                )
            print("over budget: " + (", ".join(over) if over else "none"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
