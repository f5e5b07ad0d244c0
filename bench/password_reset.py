"""The password-reset page: does its time tell whether an address has an account? (issue 13)

Builds a throwaway test database (in memory on SQLite, `test_<name>` on PostgreSQL from
DATABASE_URL) with one customer contact, then times `POST /accounts/password_reset/` through
Django's test client for the known address and for unknown ones, alternating, R times each,
with the production password hasher and the SMTP-less locmem mail backend. Prints the median and
p95 of each and their ratio (the issue measured 272 ms against 11 ms before: the page sent the
mail itself). The rate limit is lifted for the run. Prints; never asserts.

    uv run python bench/password_reset.py --requests 200
"""

# ruff: noqa: E402 -- the path fix and django.setup() run before the imports that need them
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# A script here named like a standard module would shadow it (run as a script, the folder
# comes first on the path): drop the folder, as the other scripts do.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment


def timed(client: Client, email: str) -> float:
    started = time.perf_counter()
    response = client.post("/accounts/password_reset/", {"email": email})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, response.status_code
    return elapsed


def summary(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    print(f"  {name:<18} median {median:7.2f} ms   p95 {p95:7.2f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    setup_test_environment()
    settings.RMADESK_PASSWORD_RESET_LIMIT = 10**9
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from rmadesk.core.services import add_user
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    add_user(email="known@bench.example", role="customer", customer_id=customer.pk,
             password="Bench-pass-2026!")  # fmt: skip
    client = Client()
    known: list[float] = []
    unknown: list[float] = []
    for n in range(args.requests):
        known.append(timed(client, "known@bench.example"))
        unknown.append(timed(client, f"nobody{n}@bench.example"))
    print(f"password reset, {args.requests} requests each ({connection.vendor}):")
    ratio = summary("known address", known) / summary("unknown address", unknown)
    print(f"  known / unknown    {ratio:.2f}  (goal: about 1; the issue measured 24.7)")


if __name__ == "__main__":
    main()
