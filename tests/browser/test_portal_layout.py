"""Issue 14, the customer's side, in a real browser: the portal on a phone (390x844) and on a
desktop (1280x800), on the demo's data (Pacific Media Group: systems, tickets, RMAs, invoices).

On a phone no page scrolls sideways, nor any box inside it: the lists are cards, each cell with
its label; the header is one compact bar whose Menu button opens the links from the keyboard.
On a desktop the portal's links share one line, even for a long login, and no serial or
ticket/RMA/invoice number breaks across two lines.

The screenshots docs/screenshots/portal-*-phone.png and portal-tickets.png come from here
(RMADESK_SCREENSHOTS=1 refreshes them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from rmadesk.core.services import add_user
from rmadesk.customers.models import Customer
from rmadesk.demo.data import load_demo_data
from rmadesk.demo.records import CUSTOMERS, DEMO_PASSWORD
from rmadesk.tickets.models import Ticket
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)
DESKTOP = (1280, 800)
LISTS = ("/portal/", "/portal/tickets/", "/portal/rmas/", "/portal/invoices/", "/portal/money-back")
LONG_LOGIN = "procurement.and.it-operations@pacificmedia.example"

# What scrolls sideways: the page itself, a box that scrolls inside it, or an element that
# reaches past the window's right edge. Visually hidden text (clipped to 1px) is no overflow.
SIDEWAYS = """() => {
    const hidden = (e) => e.closest(".visually-hidden, thead") && getComputedStyle(
        e.closest(".visually-hidden, thead")).position === "absolute";
    const found = [];
    if (document.documentElement.scrollWidth > window.innerWidth) {
        found.push(`the page: ${document.documentElement.scrollWidth}px`);
    }
    for (const e of document.body.querySelectorAll("*")) {
        if (hidden(e) || e.getClientRects().length === 0) continue;
        const style = getComputedStyle(e);
        if (["auto", "scroll"].includes(style.overflowX) && e.scrollWidth > e.clientWidth) {
            found.push(`${e.tagName}.${e.className}: ${e.scrollWidth}px in ${e.clientWidth}px`);
        }
        if (e.getBoundingClientRect().right > window.innerWidth + 0.5) {
            found.push(`${e.tagName}.${e.className} ends at ${e.getBoundingClientRect().right}px`);
        }
    }
    return found;
}"""
# Every serial and number that shows on more than one line: the height its text spans (a range
# over it, so a cell's padding does not count), in its font sizes; one line is 1.5.
BROKEN = """() => Array.from(document.querySelectorAll(".serial, .number"))
    .filter((e) => e.getClientRects().length > 0)
    .map((e) => {
        const range = document.createRange();
        range.selectNodeContents(e);
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
        const high = Math.max(...rects.map((r) => r.bottom)) - Math.min(...rects.map((r) => r.top));
        return [e.textContent.trim(), high / parseFloat(getComputedStyle(e).fontSize)];
    })
    .filter(([, lines]) => lines > 1.6)
    .map(([text, lines]) => `${text}: ${lines.toFixed(1)} font sizes high`)"""
LABEL = "(e) => getComputedStyle(e, '::before').content"


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> Customer:
    """The demo's records; the first customer (Gold) has tickets, RMAs and invoices."""
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    load_demo_data()
    customer = Customer.objects.get(name=CUSTOMERS[0].name)
    add_user(email=LONG_LOGIN, role="customer", customer_id=customer.pk, password=DEMO_PASSWORD)
    return customer


def first_link(page: Any, path: str, pattern: str) -> str:
    page.goto(path)
    href: str = page.locator(f"main tbody a[href*='{pattern}']").first.get_attribute("href")
    return href


def test_the_portal_on_a_phone(demo: Customer, open_page: Any, tmp_path: Path) -> None:
    page = open_page(*PHONE)
    log_in(page, CUSTOMERS[0].contact, DEMO_PASSWORD)
    page.wait_for_url("**/portal/")
    details = [
        first_link(page, "/portal/tickets/", "/portal/tickets/"),
        first_link(page, "/portal/rmas/", "/portal/rmas/"),
        first_link(page, "/portal/invoices/", "/portal/invoices/"),
    ]
    for path in (*LISTS, *details, "/portal/tickets/new"):
        page.goto(path)
        page.wait_for_load_state()
        assert page.evaluate(SIDEWAYS) == [], path
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 0.15 * PHONE[1], f"{path}: header {header['height']}px high"
        assert page.evaluate(BROKEN) == [], path
        assert page.locator("button.menu-toggle").is_visible(), path

    # A ticket with a due time is a card: its number on top, then each fact with its label.
    ticket = (
        Ticket.objects.filter(customer=demo, next_due_at__isnull=False).order_by("number").first()
    )
    assert ticket is not None
    page.goto("/portal/tickets/")
    card = page.locator("main tbody tr").filter(
        has=page.get_by_role("link", name=str(ticket.number), exact=True)
    )
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    assert not page.locator("main thead").is_visible() or (
        page.locator("main thead").bounding_box()["height"] <= 1
    )
    cells = card.locator("td")
    assert [cells.nth(i).evaluate(LABEL) for i in range(cells.count())] == [
        '"Subject"', '"Status"', '"Severity"', '"Next due"',
    ]  # fmt: skip
    assert ticket.subject in cells.nth(0).inner_text()
    assert re.fullmatch(r"(due in|overdue by) .+", cells.nth(3).inner_text().strip())
    screenshot(page, "portal-tickets-phone", tmp_path)

    # The menu: closed, reached with Tab, opened with Enter, closed with Escape.
    menu = page.locator("button.menu-toggle")
    rmas = page.get_by_role("link", name="My RMAs")
    expect(rmas).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('menu-toggle')"):
            break
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(rmas).to_be_visible()
    assert page.evaluate(SIDEWAYS) == []
    assert_accessible(page, where="the portal's open menu on a phone")
    screenshot(page, "portal-menu-phone", tmp_path)
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(rmas).to_be_hidden()
    page.keyboard.press("Space")
    expect(rmas).to_be_visible()
    page.keyboard.press("Tab")  # the first link in the menu
    expect(page.get_by_role("link", name="My systems")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/")
    screenshot(page, "portal-systems-phone", tmp_path)
    page.goto(details[2])
    screenshot(page, "portal-invoice-phone", tmp_path, full_page=True)


def test_the_portal_on_a_desktop(demo: Customer, open_page: Any, tmp_path: Path) -> None:
    page = open_page(*DESKTOP)
    log_in(page, LONG_LOGIN, DEMO_PASSWORD)
    page.wait_for_url("**/portal/")
    details = [
        first_link(page, "/portal/tickets/", "/portal/tickets/"),
        first_link(page, "/portal/rmas/", "/portal/rmas/"),
    ]
    for path in (*LISTS, *details):
        page.goto(path)
        page.wait_for_load_state()
        # My systems, My tickets, Open a ticket, My RMAs, Invoices, Money back, Terms.
        links = page.locator("#site-menu li a").evaluate_all("(all) => all.map(a => a.offsetTop)")
        assert len(links) == 7 and len(set(links)) == 1, f"{path}: links at {links}"
        # Every item of the header (brand, links, zone, login, Log out) on the brand's line.
        items = page.locator(".site-header nav li").evaluate_all(
            "(all) => all.map(li => li.getBoundingClientRect()).map(r => [r.top, r.bottom])"
        )
        tops, bottoms = [top for top, _ in items], [bottom for _, bottom in items]
        assert max(tops) < min(bottoms), f"{path}: header items on more than one line: {items}"
        assert not page.locator("button.menu-toggle").is_visible()
        assert page.evaluate(BROKEN) == [], path
        assert page.evaluate(SIDEWAYS) == [], path
    page.goto("/portal/tickets/")
    expect(page.locator(".site-header .account")).to_have_attribute("title", LONG_LOGIN)
    serial = page.locator("main tbody .serial").first
    assert serial.evaluate("(e) => e.getClientRects().length") == 1
    screenshot(page, "portal-tickets", tmp_path)


def screenshot(page: Any, name: str, tmp_path: Path, *, full_page: bool = False) -> None:
    """The window as it first shows (or the whole page); into docs/screenshots when
    RMADESK_SCREENSHOTS=1."""
    folder = SCREENSHOTS if os.environ.get("RMADESK_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
