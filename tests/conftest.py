"""Fixtures shared by the whole test suite. Per-app fixtures live next to their tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from rmadesk.core import clock


@pytest.fixture(autouse=True)
def _real_clock_after_each_test() -> Iterator[None]:
    """Undo a process-wide `clock.set_now` a test forgot, so it cannot leak into the next test."""
    yield
    clock.set_now(None)


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
