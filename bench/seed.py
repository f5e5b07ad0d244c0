"""Seed a realistic rmadesk database with N tickets, fast: `python bench/seed.py 1000000`.

Fills the database DATABASE_URL names (migrated first; SQLite by default) with what a vendor
with N tickets would hold: customers (a fiftieth of N, in the US and abroad) each with a
contact and contracts on every plan of the policy file, serial-numbered appliances and
TrueCommand licences, and N tickets over the last 180 days in every state (open and answered
or not, waiting on the customer, resolved, out of scope, warranty denied), each with 3
messages, the clocks the ticket services would have left (due times from the policy core, in
one vectorised pass per plan and severity) and the denormalised queue fields; an audit row per
ticket; an RMA for about one ticket in twelve (every kind and state) with its item, and
invoices for shipped advance exchanges and services, some paid. The number counters are moved
past what it made, so the product numbers on from there. It may be run again on the same
database: it adds N more.

Everything is written with bulk INSERTs in batches, a progress bar on stderr; nothing goes
through the services (no mail is queued, no event published). Deterministic for a given
`--seed` and `--now`.

    uv run python bench/seed.py 20000                                        # SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rmadesk_big uv run python bench/seed.py 1000000
"""

# ruff: noqa: E402 -- the path fix below must run before Django is imported
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/seed.py`, this folder comes first on the path; no script here may
# shadow a standard module: drop it, and put the project root first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import datetime as dt
import os
import random
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

import django

django.setup()

import numpy as np
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import JSONField, Model
from psycopg.types.json import Jsonb

from rmadesk.assets.models import Asset, ProductModel
from rmadesk.billing.models import Invoice, InvoiceLine
from rmadesk.billing.services.invoices import invoice_number
from rmadesk.core.models import AuditEvent, Counter
from rmadesk.core.policies import active_policy
from rmadesk.core.services import FIRST_NUMBERS, add_user
from rmadesk.customers.models import Contact, Contract, Customer
from rmadesk.policy.service_levels import (
    find_target,
    response_due_many,
    target_calendar,
    target_text,
)
from rmadesk.rmas.models import Rma, RmaItem
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.services import queue_fields

UTC = dt.UTC
BATCH = 5000
DAYS = 180  # tickets were opened over this many days before `now`
COUNTRIES = (
    ("US", "America/Los_Angeles", 0.6),
    ("US", "America/New_York", 0.2),
    ("DE", "Europe/Berlin", 0.12),
    ("JP", "Asia/Tokyo", 0.08),
)
SEVERITY_WEIGHTS = (("S1", 0.05), ("S2", 0.25), ("S3", 0.4), ("S4", 0.3))
# The share of tickets in each state.
STATES = (
    ("new", 0.10),  # open, not answered yet
    ("answered", 0.15),  # open, the customer wrote again after our reply
    ("waiting", 0.10),  # waiting on the customer
    ("resolved", 0.55),
    ("out_of_scope", 0.06),
    ("warranty_denied", 0.04),
)
RMA_SHARE = 1 / 12
RMA_KINDS = (("replacement", 0.4), ("advance_exchange", 0.3), ("repair", 0.2), ("money_back", 0.1))
OPEN_RMA_STATES = ("issued", "confirmed", "label_issued", "replacement_shipped")
CLOSED_RMA_STATES = ("received", "inspected", "closed", "expired", "rejected")
WORDS = (
    *("pool", "degraded", "disk", "failure", "replication", "lag", "snapshot", "scrub"),
    *("error", "controller", "fan", "power", "supply", "network", "interface", "slow"),
    *("boot", "upgrade", "license", "question", "alert", "enclosure", "dataset", "share"),
)


class Progress:
    """A one-line progress bar on stderr: done/total, rate and time left."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what, self.start = max(total, 1), what, time.perf_counter()

    def show(self, done: int) -> None:
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed else 0.0
        left = (self.total - done) / rate if rate else 0.0
        filled = int(30 * done / self.total)
        sys.stderr.write(
            f"\r{self.what} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{self.total:,}"
            f"  {rate:,.0f}/s  {elapsed:.0f}s elapsed, ~{left:.0f}s left "
        )
        sys.stderr.flush()

    def end(self) -> float:
        self.show(self.total)
        sys.stderr.write("\n")
        return time.perf_counter() - self.start


def pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def to_us(at: dt.datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def from_us(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1_000_000, UTC)


def counter(name: str) -> int:
    found = Counter.objects.filter(name=name).first()
    return found.last_value if found else FIRST_NUMBERS.get(name, 1) - 1


def set_counter(name: str, value: int) -> None:
    Counter.objects.update_or_create(name=name, defaults={"last_value": value})


def insert(model: type[Model], rows: list[Any], *, with_ids: bool = False) -> None:
    """Write `rows` in bulk: PostgreSQL's COPY (several times faster than INSERT), else
    `bulk_create`. With `with_ids`, each row gets its id first (other rows refer to it)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]
        return
    table = model._meta.db_table
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [quote(table), len(rows)],
            )
            for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        # The seeder's values are already what the columns hold (aware datetimes, Decimals,
        # ids): only JSON needs wrapping. Django's per-value preparation was half the time.
        names = [f.attname for f in fields]
        is_json = [isinstance(f, JSONField) for f in fields]
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [getattr(row, name) for name in names]
                copy.write_row(
                    [
                        Jsonb(value) if json and value is not None else value
                        for value, json in zip(values, is_json, strict=True)
                    ]
                )


# ------------------------------------------------------------------ customers and assets


def seed_customers(rng: random.Random, tickets: int, now: dt.datetime, run: str) -> dict[str, Any]:
    """Customers with a contact and contracts on every plan, appliances and licences."""
    plans = list(active_policy().document.plans)
    count = max(len(plans), tickets // 50)
    customers = []
    for i in range(count):
        country, zone = pick(rng, tuple(((c, z), w) for c, z, w in COUNTRIES))
        customers.append(
            Customer(
                name=f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark'])} "
                f"{rng.choice(['Storage', 'Media', 'Labs', 'Bank', 'Films'])} {run}{i:06d}",
                country=country,
                zone=zone,
                email=f"it{run}{i}@customer{i % 997}.example",
                payment_terms_days=rng.choice((0, 15, 30, 30, 45, 60)),
                created_at=now - dt.timedelta(days=DAYS + rng.randrange(1, 800)),
            )
        )
    insert(Customer, customers, with_ids=True)
    insert(
        Contact,
        [
            Contact(customer=c, name=f"Admin {c.pk}", email=f"admin@{c.pk}.example")
            for c in customers
        ],
    )
    # Every plan in turn, some customers with a second one: every plan has many customers.
    contracts, plan_of = [], {}
    for i, customer in enumerate(customers):
        chosen = [plans[i % len(plans)]]
        if rng.random() < 0.2:
            chosen.append(plans[(i + 1) % len(plans)])
        plan_of[customer.pk] = chosen
        for plan in chosen:
            start = (now - dt.timedelta(days=rng.randrange(DAYS + 1, 700))).date()
            contracts.append(
                Contract(
                    customer=customer,
                    plan=plan,
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=365 * 3),
                )
            )
    insert(Contract, contracts)
    appliance, _ = ProductModel.objects.get_or_create(
        name="TrueNAS M50", defaults={"product_line": "truenas", "advance_exchange": True}
    )
    manager, _ = ProductModel.objects.get_or_create(
        name="TrueCommand", defaults={"product_line": "truecommand"}
    )
    assets = []
    for i in range(max(count, tickets // 4)):
        customer = customers[i % count]
        is_licence = plan_of[customer.pk][0].startswith("truecommand")
        assets.append(
            Asset(
                customer=customer,
                serial=f"{'TC' if is_licence else 'A1'}-{run}{i:08d}",
                model=manager if is_licence else appliance,
                shipped_on=(now - dt.timedelta(days=rng.randrange(30, 1500))).date(),
                warranty_years=3,
                price=Decimal(rng.choice(("1500.00", "25000.00", "48000.00"))),
                drives=rng.randrange(1, 50) if is_licence else None,
            )
        )
    insert(Asset, assets, with_ids=True)
    by_customer: dict[int, list[Asset]] = defaultdict(list)
    for asset in assets:
        by_customer[asset.customer_id].append(asset)
    agents = [add_user(email=f"seed-agent{run}{i}@vendor.example", role="agent") for i in range(25)]
    return {
        "customers": customers,
        "plan_of": plan_of,
        "assets": by_customer,
        "agents": agents,
        "out_of_scope": active_policy().document.scope.out_of_scope_reasons[0],
    }


# ---------------------------------------------------------------------------- tickets


def due_times(rows: list[dict[str, Any]]) -> None:
    """Each row's first-response due (and its next-update due, from our reply), in one
    vectorised pass per plan, severity and customer calendar (`response_due_many`)."""
    policy = active_policy()
    groups: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[(row["plan"], row["severity"], row["country"], row["zone"])].append(i)
    for (plan, severity, country, zone), members in groups.items():
        target = find_target(policy, plan, severity)
        for key, start in (("due", "opened"), ("update_due", "replied")):
            starts = [to_us(rows[i][start] or rows[i]["opened"]) for i in members]
            dues = response_due_many(
                policy,
                plan=plan,
                severity=severity,
                starts_us=np.asarray(starts, dtype=np.int64),
                country=country,
                zone=zone,
            )
            for position, i in enumerate(members):
                rows[i][key] = None if dues is None else from_us(int(dues[position]))
        text = target_text(target) if target.sla else "no service level"
        where = target_calendar(policy, target, country, zone).description if target.sla else ""
        for i in members:
            rows[i]["target"], rows[i]["calendar"] = text, where[:200]


def ticket_rows(
    rng: random.Random, world: dict[str, Any], size: int, now: dt.datetime
) -> list[dict[str, Any]]:
    """What `size` tickets are: plan, severity, state and instants (no records yet)."""
    customers = world["customers"]
    rows = []
    for _ in range(size):
        customer = customers[rng.randrange(len(customers))]
        plan = rng.choice(world["plan_of"][customer.pk])
        severity = pick(rng, SEVERITY_WEIGHTS)
        if plan == "truecommand" and severity == "S1":
            severity = "S2"  # not offered (L3)
        if plan == "truecommand-free":
            severity = "S4"  # community support: S4 only (L3)
        state = pick(rng, STATES)
        if state in ("new", "answered", "waiting"):  # open tickets are recent
            opened = now - dt.timedelta(minutes=rng.randrange(5, 60 * 24 * 14))
        else:
            opened = now - dt.timedelta(minutes=rng.randrange(60 * 24, 60 * 24 * DAYS))
        answered = state != "new"
        replied = opened + dt.timedelta(minutes=rng.randrange(10, 60 * 30)) if answered else None
        if replied is not None and replied >= now:
            replied = now - dt.timedelta(minutes=1)
        rows.append(
            {
                "customer": customer,
                "country": customer.country,
                "zone": customer.zone,
                "plan": plan,
                "severity": severity,
                "state": state,
                "opened": opened,
                "replied": replied,
            }
        )
    due_times(rows)
    return rows


def clocks_for(row: dict[str, Any], now: dt.datetime) -> list[ServiceClock]:
    """The clocks the services would have left for the row's state (L3, L5)."""
    due, replied = row["due"], row["replied"]
    common = {"target": row["target"], "calendar": row["calendar"], "explanation": []}
    if replied is None:  # not answered: the first response runs, or breached at its due time
        breached = due is not None and due < now
        return [
            ServiceClock(
                kind="first_response",
                state="breached" if breached else "running",
                started_at=row["opened"],
                due_at=due,
                stopped_at=due if breached else None,
                **common,
            )
        ]
    late = due is not None and due < replied
    first = ServiceClock(
        kind="first_response",
        state="breached" if late else "met",
        started_at=row["opened"],
        due_at=due,
        stopped_at=due if late else replied,
        **common,
    )
    update_due = row["update_due"]
    if row["state"] == "answered":
        breached = update_due is not None and update_due < now
        state, stopped = ("breached", update_due) if breached else ("running", None)
        paused = None
    elif row["state"] == "waiting":
        state, stopped, paused = "paused", None, replied
    else:
        state, stopped, paused = "met", row["closed"], None
    return [
        first,
        ServiceClock(
            kind="next_update",
            state=state,
            started_at=replied,
            due_at=None if state == "paused" else update_due,
            paused_at=paused,
            stopped_at=stopped,
            **common,
        ),
    ]


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words))


def seed_tickets(
    rng: random.Random, world: dict[str, Any], tickets: int, now: dt.datetime, batch: int
) -> dict[str, int]:
    """N tickets with their 3 messages, clocks, audit row, and RMAs and invoices for some."""
    number = counter("ticket")
    invoice_no = counter("invoice")
    made = {"tickets": 0, "messages": 0, "clocks": 0, "rmas": 0, "invoices": 0}
    progress = Progress(tickets, "tickets")
    while made["tickets"] < tickets:
        size = min(batch, tickets - made["tickets"])
        with transaction.atomic():  # one batch, with the counters moved past it
            number, invoice_no = seed_batch(
                rng, world, size=size, now=now, number=number, invoice_no=invoice_no, made=made
            )
        made["tickets"] += size
        progress.show(made["tickets"])
    made["seconds"] = round(progress.end())
    return made


def seed_batch(
    rng: random.Random,
    world: dict[str, Any],
    *,
    size: int,
    now: dt.datetime,
    number: int,
    invoice_no: int,
    made: dict[str, int],
) -> tuple[int, int]:
    """`size` tickets and what hangs from them; the last ticket and invoice numbers used."""
    version = active_policy().version
    rows = ticket_rows(rng, world, size, now)
    records, clocks = [], []
    for row in rows:
        number += 1
        customer = row["customer"]
        assets = world["assets"].get(customer.pk) or [None]
        state = row["state"]
        closed = state in ("resolved", "out_of_scope", "warranty_denied")
        row["closed"] = (
            min(now, (row["replied"] or row["opened"]) + dt.timedelta(hours=rng.randrange(1, 240)))
            if closed
            else None
        )
        ticket = Ticket(
            number=number,
            customer=customer,
            asset=rng.choice(assets),
            plan=row["plan"],
            severity=row["severity"],
            status={"new": "open", "answered": "open", "waiting": "waiting_on_customer"}.get(
                state, state
            ),
            channel=rng.choice(("portal", "email", "email", "phone")),
            subject=text(rng, 4).capitalize(),
            opened_at=row["opened"],
            closed_at=row["closed"],
            close_reason="Fixed." if closed else "",
            out_of_scope_reason=world["out_of_scope"] if state == "out_of_scope" else "",
            warranty_denial_cause="customer_negligence" if state == "warranty_denied" else "",
            policy_version=version,
            assignee=rng.choice([*world["agents"], None]) if state != "new" else None,
            requester_email=f"admin@{customer.pk}.example",
        )
        mine = clocks_for(row, now)
        ticket.next_due_at, ticket.is_breached = queue_fields(ticket.status, mine)
        ticket.updated_at = row["closed"] or row["replied"] or row["opened"]
        records.append(ticket)
        clocks.append(mine)
    insert(Ticket, records, with_ids=True)
    all_clocks, messages, audits = [], [], []
    for ticket, row, mine in zip(records, rows, clocks, strict=True):
        for found in mine:
            found.ticket = ticket
        all_clocks.extend(mine)
        opened, replied = row["opened"], row["replied"]
        later = (replied or opened) + dt.timedelta(minutes=rng.randrange(5, 600))
        messages.append(
            Message(ticket=ticket, kind="customer", is_public=True, body=text(rng, 40), at=opened)
        )
        if replied is None:
            messages.append(
                Message(
                    ticket=ticket,
                    kind="customer",
                    is_public=True,
                    body=text(rng, 15),
                    at=min(now, opened + dt.timedelta(minutes=3)),
                )
            )
            messages.append(
                Message(
                    ticket=ticket,
                    kind="note",
                    is_public=False,
                    body=text(rng, 10),
                    at=min(now, opened + dt.timedelta(minutes=4)),
                )
            )
        else:
            messages.append(
                Message(
                    ticket=ticket,
                    kind="reply",
                    is_public=True,
                    body=text(rng, 30),
                    at=replied,
                    author=ticket.assignee,
                )
            )
            kind = "note" if row["state"] == "waiting" else "customer"
            messages.append(
                Message(
                    ticket=ticket,
                    kind=kind,
                    is_public=kind == "customer",
                    body=text(rng, 20),
                    at=min(now, later),
                )
            )
        audits.append(
            AuditEvent(
                at=opened,
                actor_label="system",
                verb="ticket.opened",
                subject_type="ticket",
                subject_id=str(ticket.number),
                ticket_number=ticket.number,
                changes={"severity": ticket.severity, "plan": ticket.plan},
                rules=["L3"],
                note="seeded",
                recorded_at=opened,
            )
        )
    insert(ServiceClock, all_clocks)
    insert(Message, messages)
    insert(AuditEvent, audits)
    rmas, invoice_no = seed_rmas(
        rng, tickets=records, rows=rows, now=now, invoice_no=invoice_no, made=made
    )
    made["messages"] += len(messages)
    made["clocks"] += len(all_clocks)
    made["rmas"] += rmas
    set_counter("ticket", number)
    set_counter("invoice", invoice_no)
    return number, invoice_no


def seed_rmas(
    rng: random.Random,
    *,
    tickets: list[Ticket],
    rows: list[dict[str, Any]],
    now: dt.datetime,
    invoice_no: int,
    made: dict[str, int],
) -> tuple[int, int]:
    """An RMA for some appliance tickets (every kind and state), with an item; invoices for
    shipped advance exchanges past day 14 and for some repairs."""
    rmas, items, chosen = [], [], []
    for ticket, row in zip(tickets, rows, strict=True):
        if ticket.asset is None or ticket.asset.serial.startswith("TC") or row["replied"] is None:
            continue
        if row["state"] == "warranty_denied":
            status = "denied"
        elif rng.random() >= RMA_SHARE:
            continue
        else:
            status = rng.choice(OPEN_RMA_STATES if ticket.closed_at is None else CLOSED_RMA_STATES)
        kind = pick(rng, RMA_KINDS)
        issued = row["replied"]
        rma = Rma(
            number=ticket.number,
            ticket=ticket,
            kind=kind,
            status=status,
            issued_at=issued,
            expires_at=issued + dt.timedelta(days=30),  # R1
            expired_at=issued + dt.timedelta(days=30) if status == "expired" else None,
            confirmed_at=issued + dt.timedelta(hours=2) if status != "issued" else None,
            data_backed_up=status != "issued",
            original_packaging=status != "issued",
            insured=status != "issued",
            removable_media_removed=status != "issued",
            denial_cause="customer_negligence" if status == "denied" else "",
            denied_at=issued if status == "denied" else None,
        )
        if status not in ("issued", "confirmed", "denied"):
            rma.label_issued_at = issued + dt.timedelta(hours=3)
            rma.label_expires_at = issued + dt.timedelta(days=14)
        if kind == "advance_exchange" and status not in ("issued", "confirmed", "denied"):
            rma.replacement_shipped_at = issued + dt.timedelta(hours=5)
            rma.invoice_at = rma.replacement_shipped_at + dt.timedelta(days=14)  # R4
        if status in ("received", "inspected", "closed", "rejected"):
            rma.received_at = min(now, issued + dt.timedelta(days=rng.randrange(2, 12)))
        rmas.append(rma)
        chosen.append(ticket)
    insert(Rma, rmas, with_ids=True)
    for rma, ticket in zip(rmas, chosen, strict=True):
        items.append(
            RmaItem(
                rma=rma,
                part=rng.choice(("HDD 16 TB", "PSU", "Controller", "Fan module")),
                serial=f"P-{ticket.number}",
                unit_price=Decimal("420.00"),
            )
        )
    insert(RmaItem, items)
    invoices, lines = [], []
    for rma, ticket in zip(rmas, chosen, strict=True):
        unreturned = rma.invoice_at is not None and rma.invoice_at < now and rma.received_at is None
        if not unreturned and rng.random() > 0.1:
            continue
        invoice_no += 1
        issued = rma.invoice_at if unreturned and rma.invoice_at else rma.issued_at
        amount = Decimal("420.00") if unreturned else Decimal(rng.choice(("150.00", "900.00")))
        paid = rng.random() < 0.6 and issued < now - dt.timedelta(days=20)
        invoices.append(
            Invoice(
                number=invoice_number(invoice_no),
                customer_id=ticket.customer_id,
                kind="unreturned_parts" if unreturned else "service",
                rma=rma,
                status="paid" if paid else "open",
                currency="USD",
                issued_at=issued,
                due_on=(issued + dt.timedelta(days=30)).date(),
                principal=amount,
                paid_at=issued + dt.timedelta(days=12) if paid else None,
            )
        )
        lines.append(
            InvoiceLine(
                kind="part" if unreturned else "service",
                amount=amount,
                added_at=issued,
                description="Unreturned part (R4)" if unreturned else "Service",
            )
        )
    insert(Invoice, invoices, with_ids=True)
    for invoice, line in zip(invoices, lines, strict=True):
        line.invoice = invoice
    insert(InvoiceLine, lines)
    made["invoices"] += len(invoices)
    return len(rmas), invoice_no


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets", type=int, help="how many tickets to add")
    parser.add_argument("--seed", type=int, default=20261118)
    parser.add_argument(
        "--now",
        default=None,
        help="ISO instant with an offset the data is seeded up to (default: now)",
    )
    parser.add_argument("--batch", type=int, default=BATCH, help="tickets per transaction")
    args = parser.parse_args()
    now = dt.datetime.fromisoformat(args.now) if args.now else dt.datetime.now(UTC)
    if now.tzinfo is None:
        parser.error("--now needs an offset (T1), e.g. 2026-11-18T10:00-08:00")
    rng = random.Random(args.seed)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"load average {os.getloadavg()[0]:.2f}",
        file=sys.stderr,
    )
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    run = f"{counter('ticket') % 100000:05d}"  # distinct names and serials when run again
    with transaction.atomic():
        world = seed_customers(rng, args.tickets, now, run)
    made = seed_tickets(rng, world, args.tickets, now, args.batch)
    with connection.cursor() as cursor:
        # Table statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    elapsed = time.perf_counter() - start
    print(
        f"{made['tickets']:,} tickets ({made['messages']:,} messages, {made['clocks']:,} clocks), "
        f"{len(world['customers']):,} customers, {sum(map(len, world['assets'].values())):,} "
        f"assets, {made['rmas']:,} RMAs, {made['invoices']:,} invoices in {elapsed:.1f} s "
        f"({made['tickets'] / elapsed:,.0f} tickets/s)"
    )


if __name__ == "__main__":
    main()
