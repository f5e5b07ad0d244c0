"""Inbound mail throughput: messages per second through `ingest_message` and `rmadesk mail ingest`.

For each database (SQLite file, PostgreSQL from --postgres-url) a child process builds a fresh
database, migrates it, adds customers with contracts, serials and contacts, and ingests a fixed
mix of realistic messages (seeded):

- 65 % new tickets from known contacts naming a serial (a fifth of them HTML with a plain part,
  a tenth with a 40 KB PDF attached),
- 15 % replies threaded by `[#number]` in the subject, 5 % by In-Reply-To,
- 10 % auto-replies and bounces (ignored), 5 % unknown senders (held).

It times three things, wall clock (`time.perf_counter`):

- in-process: `ingest_message(raw)` in a loop (each one its own transaction, as the pipe,
  IMAP and SMTP adapters call it), then the same messages again (the idempotent duplicate path);
- the real command line: `rmadesk mail ingest -` as a mail server's pipe runs it, one process
  per message (a smaller count: process start-up and Django set-up dominate).

Ticket-opened notifications are queued in the outbox as in production (nothing is sent).
Prints; never asserts.

    uv run python bench/mail_ingest.py                       # both databases, defaults
    uv run python bench/mail_ingest.py --messages 500 --cli 20 --databases sqlite
"""

# ruff: noqa: E402 -- the path fix below must run before anything imports `queue`
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/mail_ingest.py`, this folder comes first on the path, where
# a script named like a standard module would shadow it: drop it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import base64
import json
import os
import random
import subprocess
import tempfile
import time
from email.utils import format_datetime
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/rmadesk_bench_mail"
CUSTOMERS = 50
PDF = b"%PDF-1.4\n" + b"0123456789abcdef" * 2560  # 40 KB


# --------------------------------------------------------------------------- messages


def make_messages(count: int, seed: int, world: dict[str, Any]) -> list[bytes]:
    """`count` messages in the mix above; replies answer tickets their sender opened earlier."""
    rng = random.Random(seed)
    contacts: list[tuple[str, str, str]] = world["contacts"]  # (address, name, serial)
    messages: list[bytes] = []
    # Tickets each contact opened earlier in the list: (their message id, the ticket number).
    opened: dict[str, list[tuple[str, int]]] = {}
    next_number = world["first_number"]
    for i in range(count):
        address, name, serial = rng.choice(contacts)
        mine = opened.setdefault(address, [])
        roll = rng.random()
        headers = {
            "From": f"{name} <{address}>",
            "To": "Support <support@rmadesk.example>",
            "Date": format_datetime(world["now"]),
            "Message-ID": f"<bench-{seed}-{i}@customer.example>",
            "MIME-Version": "1.0",
        }
        text = (
            f"Hello support,\n\nthe pool on {serial} reports {rng.randint(1, 40)} read errors "
            f"on da{rng.randint(0, 23)} since {rng.choice(['this morning', 'the upgrade'])}.\n"
            "zpool status -v output below.\n\n" + "  pool: tank\n state: DEGRADED\n" * 5
        )
        if roll < 0.65 or (roll < 0.85 and not mine):
            headers["Subject"] = f"Pool degraded on {serial}"
            body = _body(rng, text)
            mine.append((headers["Message-ID"], next_number))
            next_number += 1
        elif roll < 0.80:
            _, number = rng.choice(mine)
            headers["Subject"] = f"Re: [#{number}] Pool degraded"
            body = _plain("Here are the logs you asked for.\n")
        elif roll < 0.85:
            message_id, _ = rng.choice(mine)
            headers["Subject"] = "Re: your case"
            headers["In-Reply-To"] = message_id
            headers["References"] = message_id
            body = _plain("One more detail: it happens at night.\n")
        elif roll < 0.95:
            headers["Subject"] = "Automatic reply: out of office"
            headers["Auto-Submitted"] = "auto-replied"
            body = _plain("I am away until Monday.\n")
        else:
            headers["From"] = f"Someone <someone{i}@unknown.example>"
            headers["Subject"] = f"Question about {serial}"
            body = _plain("Who do I ask about this box?\n")
        head = "".join(f"{k}: {v}\n" for k, v in headers.items())
        messages.append((head + body).encode("utf-8"))
    return messages


def _plain(text: str) -> str:
    return f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}"


def _body(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        html = "<html><body><p>" + text.replace("\n", "<br>") + "</p></body></html>"
        return (
            'Content-Type: multipart/alternative; boundary="alt"\n\n'
            f"--alt\n{_plain(text)}\n--alt\nContent-Type: text/html; charset=utf-8\n\n"
            f"{html}\n--alt--\n"
        )
    if roll < 0.3:
        encoded = base64.encodebytes(PDF).decode("ascii")
        return (
            'Content-Type: multipart/mixed; boundary="mix"\n\n'
            f"--mix\n{_plain(text)}\n--mix\nContent-Type: application/pdf\n"
            'Content-Disposition: attachment; filename="debug.pdf"\n'
            f"Content-Transfer-Encoding: base64\n\n{encoded}--mix--\n"
        )
    return _plain(text)


# ------------------------------------------------------------------------------ child


def child(args: argparse.Namespace) -> None:
    """Runs with DATABASE_URL and RMADESK_DATA_DIR set: migrate, seed, time; JSON on stdout."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from rmadesk.assets.models import Asset, ProductModel
    from rmadesk.core import clock
    from rmadesk.customers.models import Contact, Contract, Customer
    from rmadesk.mail.inbound import ingest_message
    from rmadesk.mail.models import InboundMessage

    call_command("migrate", verbosity=0)
    now = clock.now()
    model = ProductModel.objects.create(name="TrueNAS M50", product_line="truenas")
    contacts = []
    for n in range(CUSTOMERS):
        customer = Customer.objects.create(
            name=f"Customer {n}",
            country="US",
            zone="America/Los_Angeles",
            email=f"it{n}@customer{n}.example",
            created_at=now,
        )
        Contract.objects.create(
            customer=customer,
            plan=("gold", "silver", "bronze")[n % 3],
            starts_on=dt.date(2020, 1, 1),
            ends_on=dt.date(2099, 12, 31),
        )
        for a in range(3):
            Asset.objects.create(
                customer=customer,
                serial=f"TN-{n:03d}-{a:04d}",
                model=model,
                shipped_on=dt.date(2024, 1, 15),
                warranty_years=3,
                price=Decimal("25000.00"),
            )
        for c in range(2):
            address = f"contact{c}@customer{n}.example"
            Contact.objects.create(customer=customer, name=f"Contact {c} of {n}", email=address)
            contacts.append((address, f"Contact {c}", f"TN-{n:03d}-{c:04d}"))
    world = {"contacts": contacts, "now": now, "first_number": 100001}
    messages = make_messages(args.messages, args.seed, world)
    cli_messages = make_messages(
        args.cli, args.seed + 1, {**world, "first_number": 100001 + args.messages}
    )

    started = time.perf_counter()
    for raw in messages:
        ingest_message(raw)
    in_process = time.perf_counter() - started

    started = time.perf_counter()
    for raw in messages:
        ingest_message(raw)
    duplicates = time.perf_counter() - started

    outcomes: dict[str, int] = {}
    for status in InboundMessage.objects.values_list("status", flat=True):
        outcomes[status] = outcomes.get(status, 0) + 1

    connection.close()
    command = [sys.executable, "-m", "rmadesk.cli", "mail", "ingest", "-"]
    failures = 0
    started = time.perf_counter()
    for raw in cli_messages:
        done = subprocess.run(command, input=raw, capture_output=True, check=False, cwd=ROOT)
        failures += done.returncode != 0
    cli = time.perf_counter() - started

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "messages": len(messages),
                "in_process_s": in_process,
                "duplicates_s": duplicates,
                "cli_messages": len(cli_messages),
                "cli_s": cli,
                "cli_failures": failures,
                "outcomes": outcomes,
            }
        )
    )


# ----------------------------------------------------------------------------- parent


def _postgres_database(url: str, *, create: bool) -> str | None:
    """Create (or drop) the bench database; None when it worked, else why not."""
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def run_database(kind: str, args: argparse.Namespace) -> dict[str, Any] | str:
    with tempfile.TemporaryDirectory(prefix="rmadesk-bench-mail-") as data_dir:
        env = {**os.environ, "RMADESK_DATA_DIR": data_dir, "RMADESK_DEBUG": "0"}
        if kind == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
        else:
            problem = _postgres_database(args.postgres_url, create=True)
            if problem is not None:
                return f"skipped: {problem}"
            env["DATABASE_URL"] = args.postgres_url
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--messages",
                    str(args.messages),
                    "--cli",
                    str(args.cli),
                    "--seed",
                    str(args.seed),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                cwd=ROOT,
            )
        finally:
            if kind == "postgres":
                _postgres_database(args.postgres_url, create=False)
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else '?'}"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="in-process (default 2000)")
    parser.add_argument("--cli", type=int, default=50, help="through the CLI (default 50)")
    parser.add_argument("--seed", type=int, default=20261118)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a database this script may drop and create (default %(default)s)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"rmadesk mail ingest: {args.messages} messages in-process, {args.cli} through "
        f"`rmadesk mail ingest -` (one process each); load average {load:.2f}"
    )
    print(f"{'database':<12}{'in-process':>14}{'duplicates':>14}{'CLI':>12}")
    outcomes = None
    for kind in args.databases.split(","):
        label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}.get(kind.strip(), kind)
        result = run_database(kind.strip(), args)
        if isinstance(result, str):
            print(f"{label:<12}{result}")
            continue
        rates = [
            result["messages"] / result["in_process_s"],
            result["messages"] / result["duplicates_s"],
            result["cli_messages"] / result["cli_s"] if result["cli_messages"] else 0.0,
        ]
        print(f"{label:<12}{rates[0]:>10.1f} m/s{rates[1]:>10.1f} m/s{rates[2]:>8.1f} m/s")
        if result["cli_failures"]:
            print(f"{'':<12}{result['cli_failures']} CLI runs exited non-zero")
        outcomes = result["outcomes"]
    if outcomes:
        mix = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        print(f"in-process outcomes: {mix}")
    print("(m/s: messages per second, wall clock; duplicates: the same messages delivered again)")


if __name__ == "__main__":
    main()
