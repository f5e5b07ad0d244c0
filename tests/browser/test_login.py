"""Logging in sends staff to the console and customers to the portal, in a real browser."""

from __future__ import annotations

import pytest

from rmadesk.core.services import add_user
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def test_staff_land_on_the_console_and_customers_on_the_portal(open_page):
    add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    customer = CustomerFactory()
    add_user(email="it@customer.example", role="customer", customer_id=customer.pk,
             password=PASSWORD)  # fmt: skip

    agent = open_page()
    log_in(agent, "agent@vendor.example", PASSWORD)
    agent.wait_for_url("**/console/")
    assert "Agent console" in agent.inner_text("header")

    contact = open_page(390, 844)  # a phone
    log_in(contact, "it@customer.example", PASSWORD)
    contact.wait_for_url("**/portal/")
    assert "Customer portal" in contact.inner_text("header")
    contact.goto("/console/")
    assert contact.title().startswith("Page not found") or "Not Found" in contact.content()


def test_a_wrong_password_says_so(open_page):
    add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    page = open_page()
    log_in(page, "agent@vendor.example", "wrong")
    assert "didn't match" in page.inner_text("main")


def test_the_second_step_and_the_lockout_pages_pass_axe(open_page, settings):
    """Issue 13's pages: the second step after a staff password, and the lockout's 429."""
    settings.AXES_FAILURE_LIMIT = 2
    add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("agent@vendor.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/second-factor/")
    assert "Second step" in page.inner_text("main")
    assert_accessible(page, where="second step (no authenticator yet)")

    locked = open_page()
    for _ in range(2):
        log_in(locked, "agent@vendor.example", "wrong")
    assert "Sign-in locked for now" in locked.inner_text("main")
    assert_accessible(locked, where="sign-in locked")
