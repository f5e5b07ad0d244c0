"""Fixtures shared by the whole test suite. Per-app fixtures live next to their tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rmadesk.core import clock

# The production hasher (PBKDF2, a million rounds) costs about half a second of CPU per password
# set or checked, and most fixtures make users and log them in. Tests check who may log in, not
# how hard a password is to crack: hash with MD5 here, and only here (never in the settings).
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
