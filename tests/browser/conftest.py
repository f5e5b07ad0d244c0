"""Browser tests: Debian's Chromium driven by Playwright against a live rmadesk server.

Chromium comes from Debian (`apt-get install chromium`; `.ci/run` installs it). Where it is
missing these tests are skipped on a developer's machine and fail in CI, so CI never passes
without having driven a real browser.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.core.signin import needs_second_factor
from rmadesk.customers.models import Contact, Customer
from tests.factories import AssetFactory, ContractFactory, CustomerFactory
from tests.signin import current_code

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: Playwright's sync API keeps an event loop running in this thread while it
    # is open, which would break later tests that call asyncio.run().
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """`open_page(width, height)` → a fresh page (own cookies) on the live server."""
    contexts = []

    def make(width: int = 1440, height: int = 900) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shoot(page: Any, name: str, tmp_path: Path) -> Path:
    """Screenshot a page; into docs/screenshots when RMADESK_SCREENSHOTS=1 (to refresh them)."""
    folder = SCREENSHOTS if os.environ.get("RMADESK_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, email: str, password: str) -> None:
    """Sign in through the login page; staff then give their authenticator's current code
    (computed here from their device, enrolled if they have none: issue 13's second step)."""
    user = get_user_model().objects.filter(username=email).first()
    staff = user is not None and needs_second_factor(user) and user.check_password(password)
    code = current_code(user) if staff else None
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if code is not None:
        page.wait_for_url("**/accounts/second-factor/")
        page.get_by_label("Authentication code").fill(code)
        page.get_by_role("button", name="Sign in").click()


PASSWORD = "correct horse battery"
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))


@pytest.fixture
def acme(settings: Any, tmp_path: Path) -> Iterator[Customer]:
    """Acme Storage on Gold with serial M50-000042, its contact alice@acme.example and
    agent@vendor.example (both with PASSWORD), files under tmp_path, the desk's clock at NOW."""
    # The live server runs in another thread: only the process-wide clock reaches it.
    clock.set_now(NOW)
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"
    customer = CustomerFactory(name="Acme Storage", zone="America/Los_Angeles")
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="M50-000042")
    add_user(email="alice@acme.example", role="customer", customer_id=customer.pk,
             password=PASSWORD)  # fmt: skip
    Contact.objects.create(customer=customer, name="Alice", email="alice@acme.example")
    add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    yield customer
    clock.set_now(None)
