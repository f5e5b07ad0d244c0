"""Child process for the SQLite concurrency test: 20 threads open tickets on a file database.

Run as `python -m tests.tickets.sqlite_threads` with DATABASE_URL naming a fresh SQLite file: it
migrates that file (nothing to do on the test's migrated copy), opens 20 tickets from 20 threads
released together, and prints the numbers (or the errors) as JSON. A separate process, because the
test suite's own SQLite database is in memory, where threads fail on shared-cache table locks
instead of queueing for the write lock.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)

    from rmadesk.tickets.services import open_ticket
    from tests.tickets.factories import asset_on_plan, pacific, user
    from tests.tickets.threads import run_at_once

    asset = asset_on_plan("gold")
    agent = user("agent")
    opened = pacific(2026, 11, 18, 10, 0)

    def work(i: int) -> int:
        return open_ticket(
            actor=agent,
            serial=asset.serial,
            severity="S2",
            subject=f"Concurrent {i}",
            body="Opened at the same moment as 19 others.",
            channel="portal",
            opened_at=opened,
        ).number

    numbers, errors = run_at_once(20, work)
    from rmadesk.tickets.models import ServiceClock, Ticket

    json.dump(
        {
            "transaction_mode": connection.settings_dict["OPTIONS"].get("transaction_mode"),
            "numbers": sorted(numbers),
            "errors": [repr(e) for e in errors],
            "tickets": Ticket.objects.count(),
            "first_response_clocks": ServiceClock.objects.filter(kind="first_response").count(),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
