"""Fixtures shared by the whole test suite. Per-app fixtures live next to their tests.

Which database a test depends on (read by `.ci/run`, which runs the suite on SQLite and again on
PostgreSQL): a test depends on the suite's database when it asks for it (the `django_db`
marker, or a fixture that needs it: `db`, `transactional_db`, `live_server`, ...), and on
PostgreSQL when it is marked `postgres`. `--database-dependent-only` runs only those, so a
second pass on another database repeats none of the tests whose database does not matter (the
policy core, parsing, subprocesses on their own SQLite file). A test that reads the suite's
database another way (`django.db.connection` at module level, DATABASE_URL) is marked
`each_database`; one in a `django_db` module that runs rmadesk on a database of its own (a
command in a subprocess on its own SQLite file) is marked `own_database`. On SQLite, `postgres`
tests are skipped.

The browser tests (`tests/browser/`) run in the first pass only: what Chromium does with a page
(layout, scripts, keyboard, axe-core) does not depend on the database, and the server side of
every page they drive is tested on each database by `tests/console`, `tests/portal` and
`tests/api`. Running them twice cost the second pass a third of its time.

How `.ci/run` shares the suite between its two passes on a 2-CPU machine (`uv run pytest`
alone runs all of it): the tests marked `own_database` (a subprocess on a database of its own,
whatever the suite's) run in the second pass (`--and-own-database`) instead of the first, to
even the passes out; and the second pass leaves out the adapters' page and access tests
(`tests/console`, `tests/portal`, `tests/admin`, `tests/web`, `tests/demo` and the API's
authorization matrix): they read through the selectors and services that `tests/api`,
`tests/tickets`, `tests/rmas`, `tests/billing`, `tests/reports` and `tests/jobs` run on
PostgreSQL, and who may see a page does not depend on the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.policies import pin_active_policy
from tests.jobs.installation import database_templates  # noqa: F401 - a fixture, used by name

# The production hasher (PBKDF2, a million rounds) costs about half a second of CPU per password
# set or checked, and most fixtures make users and log them in. Tests check who may log in, not
# how hard a password is to crack: hash with MD5 here, and only here (never in the settings).
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Fixtures that give a test the suite's database (pytest-django's, and the live server's, which
# asks for `transactional_db` at run time, so it is not in the test's fixture closure).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def suite_on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def depends_on_the_database(item: pytest.Item) -> bool:
    """Whether `item` can pass on one database and fail on another (see the module docstring)."""
    if item.get_closest_marker("postgres") or item.get_closest_marker("each_database"):
        return True
    if item.get_closest_marker("own_database") or item.path.is_relative_to(BROWSER_TESTS):
        return False
    if item.get_closest_marker("django_db"):
        return True
    return bool(DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-dependent-only",
        action="store_true",
        help="run only the tests whose outcome depends on the database (a second database pass)",
    )
    parser.addoption(
        "--and-own-database",
        action="store_true",
        help="with --database-dependent-only, also the tests that run rmadesk on a database of "
        "their own (marked own_database): .ci/run runs them in this pass, not the first",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not suite_on_postgresql():
        skip = pytest.mark.skip(reason="PostgreSQL: run the suite with DATABASE_URL=postgres://...")
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(skip)
    if config.getoption("--database-dependent-only"):
        own = config.getoption("--and-own-database")

        def wanted(item: pytest.Item) -> bool:
            return depends_on_the_database(item) or (
                own and item.get_closest_marker("own_database") is not None
            )

        kept = [item for item in items if wanted(item)]
        if len(kept) < len(items):
            config.hook.pytest_deselected(items=[item for item in items if not wanted(item)])
            items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _real_clock_after_each_test() -> Iterator[None]:
    """Undo a process-wide `clock.set_now` a test forgot, so it cannot leak into the next test."""
    yield
    clock.set_now(None)


@pytest.fixture(autouse=True)
def _no_policy_activated() -> Iterator[None]:
    """Each test starts on a fresh database, where no policy version was activated (L6).

    Pinned rather than asked: a test that never activates one makes no query for it (the query
    budgets stay the production ones, where the answer is cached for seconds) and may run
    without a database. A test that activates one unpins it (`forget_active_policy`).
    """
    pin_active_policy(None)
    yield
    pin_active_policy(None)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate-limit counters (rmadesk.web.limits) live in the process's cache: none carry over."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _strict_events(settings: Any) -> None:
    """A subscriber that raises fails the test that set it off (in production it is logged)."""
    settings.RMADESK_EVENTS_STRICT = True


def _only_test_blocks_open(connection: Any) -> bool:
    return connection.in_atomic_block and all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


@pytest.fixture(autouse=True)
def _commits_run_on_commit_work(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run on-commit work when a service's transaction ends, as a real commit would.

    A `db` test runs inside a transaction the test case rolls back, so nothing it does ever
    commits and `transaction.on_commit` callbacks (domain events: mail, queued work) would never
    run. When the outermost transaction the code under test opened ends without error, that is
    the commit point: the callbacks registered inside it run then, in order, exactly as after a
    commit; a block that rolled back already dropped its own (Django does that). Tests that
    capture callbacks themselves (`django_capture_on_commit_callbacks`) are left alone, and
    `transaction=True` tests commit for real.
    """
    if "django_capture_on_commit_callbacks" in request.fixturenames:
        yield
        return
    original_exit = transaction.Atomic.__exit__

    def exit_and_commit(self: Any, exc_type: Any, exc_value: Any, traceback: Any) -> Any:
        result = original_exit(self, exc_type, exc_value, traceback)
        if exc_type is None:
            connection = transaction.get_connection(self.using)
            while (
                _only_test_blocks_open(connection)
                and not connection.needs_rollback
                and connection.run_on_commit
            ):
                _, callback, _robust = connection.run_on_commit.pop(0)
                callback()  # robust or not: a failure here is the test's failure
        return result

    transaction.Atomic.__exit__ = exit_and_commit  # type: ignore[method-assign]
    try:
        yield
    finally:
        transaction.Atomic.__exit__ = original_exit  # type: ignore[method-assign]


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's, signed in past the second factor (tests/signin.py)."""
    from django.test import Client

    from tests.signin import sign_in

    return sign_in(Client(), admin_user)


@pytest.fixture
def staff(db):
    """`staff("agent")` → an ApiClient for a new user with that staff role."""
    from tests.api_client import client_for

    made: dict[str, object] = {}

    def make(role: str = "agent"):
        if role not in made:
            made[role] = client_for(f"{role}@vendor.example", role)
        return made[role]

    return make


@pytest.fixture
def contact(db):
    """`contact(customer)` → an ApiClient for a contact of that customer."""
    from tests.api_client import client_for

    made: dict[int, object] = {}

    def make(customer):
        if customer.pk not in made:
            email = f"contact{customer.pk}@customer.example"
            made[customer.pk] = client_for(email, "customer", customer.pk)
        return made[customer.pk]

    return make


@pytest.fixture
def anonymous(db):
    from tests.api_client import ApiClient

    return ApiClient(None)
