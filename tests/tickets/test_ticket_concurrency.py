"""Tickets under concurrency: numbers never collide (P3), a breach is marked once (L3, L5).

Real threads, each with its own database connection, released together by a barrier. On
PostgreSQL the ticket counter's row lock queues them; on SQLite (a file database, as deployed)
the settings' IMMEDIATE transactions take the write lock at BEGIN and wait for it (the busy
timeout) instead of failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from rmadesk.core.models import AuditEvent
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.services import mark_breached_clocks, open_ticket
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user
from tests.tickets.threads import run_at_once

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and SKIP LOCKED need PostgreSQL"
)


def _twenty_tickets_at_once() -> None:
    asset = asset_on_plan("gold")
    agent = user("agent")
    opened = pacific(2026, 11, 18, 10, 0)

    def work(i: int) -> int:
        ticket = open_ticket(
            actor=agent,
            serial=asset.serial,
            severity="S2",
            subject=f"Concurrent {i}",
            body="Opened at the same moment as 19 others.",
            channel="portal",
            opened_at=opened,
        )
        return ticket.number

    numbers, errors = run_at_once(20, work)
    assert errors == []
    assert sorted(numbers) == list(range(100001, 100021))  # distinct and consecutive (P3)
    assert Ticket.objects.count() == 20
    assert ServiceClock.objects.filter(kind="first_response", state="running").count() == 20
    assert AuditEvent.objects.filter(verb="ticket.opened").count() == 20


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_p3_twenty_threads_opening_tickets_at_once_get_twenty_consecutive_numbers_postgresql():
    _twenty_tickets_at_once()


def test_p3_twenty_threads_opening_tickets_at_once_on_a_sqlite_file_get_consecutive_numbers(
    tmp_path, database_templates
):
    """The production SQLite set-up (a file, IMMEDIATE transactions), in a child process.

    The suite's own SQLite database is in memory, shared between threads through a shared
    cache whose table locks fail at once ("database table is locked") instead of waiting.
    """
    database = database_templates.sqlite_copy(tmp_path / "concurrent.sqlite3")  # migrated
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "RMADESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "rmadesk.config.settings",
    }
    child = subprocess.run(
        [sys.executable, "-m", "tests.tickets.sqlite_threads"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    answer = json.loads(child.stdout)
    assert answer["transaction_mode"] == "IMMEDIATE"
    assert answer["errors"] == []
    assert answer["numbers"] == list(range(100001, 100021))
    assert answer["tickets"] == answer["first_response_clocks"] == 20


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_breach_scans_at_once_mark_each_clock_once():
    asset = asset_on_plan("gold")
    agent = user("agent")
    tickets = [
        ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0)) for _ in range(12)
    ]
    now = pacific(2026, 11, 18, 15, 0)  # every first response was due at 14:00
    counts, errors = run_at_once(2, lambda _i: mark_breached_clocks(now=now))
    assert errors == []
    assert sum(counts) == len(tickets)
    assert AuditEvent.objects.filter(verb="clock.breached").count() == len(tickets)
    assert ServiceClock.objects.filter(state="breached").count() == len(tickets)
    assert mark_breached_clocks(now=now) == 0
