"""Issue 14 in a real browser: a German contact (customer in Germany, Europe/Berlin) and a
Japanese one (customer in Japan, Asia/Tokyo) sign in, open a ticket in the portal (a system, a
severity, the promise read before sending), then read the ticket, an advance exchange whose
replacement has shipped (the headline with its deadline) and an invoice — each page in their
language, every time in their zone, every amount in their forms, and every page passing axe at
a desktop's 1280x800 and a phone's 390x844.

The words expected come from the shipped catalogs (`gettext` under the contact's language), so
the test follows the catalog rather than a copy of it; a message the catalog leaves untranslated
shows as the English and fails here.

The screenshots docs/screenshots/portal-{de,ja}-{ticket-new,ticket,rma,invoice}[-phone].png come
from this test (RMADESK_SCREENSHOTS=1 refreshes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from rmadesk.config.catalogs import catalog_path, read_po
from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact
from tests.billing.factories import invoice
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import shoot
from tests.rmas.factories import advance_exchange_shipped
from tests.tickets.factories import asset_on_plan, pacific, ticket_on

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
# Wednesday 25 November 2026, 16:00 Pacific: Thursday 01:00 in Berlin, 09:00 in Tokyo.
NOW = pacific(2026, 11, 25, 16, 0)
DESKTOP = (1280, 800)
PHONE = (390, 844)
# A time as the portal writes it, with or without its offset: `08:00 CET (+01:00)`, `08:00 JST`.
SHOWN_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})? ([A-Z]{2,5})\b(?: \(([+-]\d{2}:\d{2})\))?")
PACIFIC = re.compile(r"\bP[SD]T\b|-0[78]:00")


@dataclass(frozen=True)
class Reader:
    language: str
    browser_locale: str
    country: str
    zone: str
    abbreviation: str  # the zone's in late November and December
    offset: str
    email: str
    serial: str
    currency: str
    amount: str
    amount_shown: str  # the invoice's balance, as the locale writes it


READERS = {
    "de": Reader(
        language="de",
        browser_locale="de-DE",
        country="DE",
        zone="Europe/Berlin",
        abbreviation="CET",
        offset="+01:00",
        email="eva@kunde.example",
        serial="M50-000042",
        currency="EUR",
        amount="1234.56",
        amount_shown="1.234,56 €",
    ),
    "ja": Reader(
        language="ja",
        browser_locale="ja-JP",
        country="JP",
        zone="Asia/Tokyo",
        abbreviation="JST",
        offset="+09:00",
        email="haruka@kokyaku.example",
        serial="M50-000081",
        currency="JPY",
        amount="123456",
        amount_shown="￥123,456",
    ),
}


@cache
def translated_in(language: str) -> frozenset[str]:
    """The messages the shipped catalog of `language` translates (not fuzzy, not empty)."""
    entries = read_po(catalog_path(language).read_text(encoding="utf-8"))
    return frozenset(
        entry.key for entry in entries if entry.is_translated and "fuzzy" not in entry.flags
    )


def words(language: str, message: str, **values: str) -> str:
    """`message` as the shipped catalog writes it in `language`, its placeholders filled; a
    message the catalog leaves untranslated fails here, naming it (English is not expected)."""
    if message not in translated_in(language):
        pytest.fail(f"not translated in {language}/LC_MESSAGES/django.po: {message!r}")
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def before(language: str, message: str, placeholder: str) -> str:
    """The catalog's words in `language` before `placeholder` (`Erste Antwort bis`)."""
    return words(language, message).split(f"%({placeholder})s")[0].strip()


@pytest.fixture
def desk(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The desk's clock at NOW and its files under tmp_path."""
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    # The live server answers in another thread: only the process-wide clock reaches it.
    clock.set_now(NOW)
    yield
    clock.set_now(None)


def customer_records(reader: Reader) -> dict[str, Any]:
    """The contact (reading `reader.language`), an advance exchange whose replacement shipped
    today, and an invoice issued two days ago in the customer's currency."""
    asset = asset_on_plan("gold", serial=reader.serial, country=reader.country, zone=reader.zone)
    customer = asset.customer
    user = add_user(email=reader.email, role="customer", customer_id=customer.pk, password=PASSWORD)
    Contact.objects.create(
        customer=customer, name="Eva", email=reader.email, language=reader.language
    )
    agent = add_user(email="agent@vendor.example", role="agent", password=PASSWORD)
    failed = ticket_on(asset, actor=user, subject="Disk failed", body="zpool status -x")
    rma = advance_exchange_shipped(agent, failed, shipped_at=NOW)
    bill = invoice(
        customer=customer,
        at=pacific(2026, 11, 23, 10, 0),
        amount=reader.amount,
        currency=reader.currency,
    )
    return {"rma": rma, "invoice": bill}


def check_page(page: Any, reader: Reader, name: str, tmp_path: Path) -> None:
    """What every page shows the reader: their language, their zone, no Pacific time; axe and a
    screenshot at desktop and at phone width (nothing scrolls sideways on the phone)."""
    language = reader.language
    assert page.get_attribute("html", "lang") == language, name
    menu = page.get_by_role("navigation", name=words(language, "Main"), exact=True)
    expect(menu.get_by_role("link", name=words(language, "My tickets"), exact=True)).to_have_count(
        1
    )
    expect(page.get_by_role("button", name=words(language, "Log out"), exact=True)).to_be_visible()
    text = page.inner_text("main")
    assert PACIFIC.findall(text) == [], f"{name}: Pacific time on the page:\n{text}"
    shown = SHOWN_TIME.findall(text)
    assert shown, f"{name}: no time on the page:\n{text}"
    others = [
        f"{zone} {offset}".strip()
        for zone, offset in shown
        if zone != reader.abbreviation or offset not in ("", reader.offset)
    ]
    assert others == [], f"{name}: times outside {reader.zone}:\n{text}"
    assert_accessible(page, where=f"{name} in {language} at {DESKTOP[0]}px")
    shoot(page, f"portal-{language}-{name}", tmp_path)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0], name
    assert_accessible(page, where=f"{name} in {language} at {PHONE[0]}px")
    shoot(page, f"portal-{language}-{name}-phone", tmp_path)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})


@pytest.mark.usefixtures("desk")
@pytest.mark.parametrize("language", ["de", "ja"])
def test_a_customer_reads_the_portal_in_their_language_and_zone(
    language: str, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    reader = READERS[language]
    records = customer_records(reader)
    context = browser.new_context(
        viewport={"width": DESKTOP[0], "height": DESKTOP[1]},
        base_url=live_server.url,
        locale=reader.browser_locale,
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        # The page's countdowns (app.js) read the browser's clock: the desk's instant.
        page.clock.set_fixed_time(NOW)

        # Signing in: the page already reads the browser's language.
        page.goto("/accounts/login/")
        assert page.get_attribute("html", "lang") == language
        expect(page.locator("h1")).to_have_text(words(language, "Log in"))
        page.get_by_label(words(language, "Email"), exact=True).fill(reader.email)
        page.get_by_label(words(language, "Password"), exact=True).fill(PASSWORD)
        page.get_by_role("button", name=words(language, "Log in"), exact=True).click()
        page.wait_for_url("**/portal/")
        expect(page.locator("h1")).to_have_text(words(language, "My systems"))

        # Opening a ticket: a system and a severity, and the promise before sending.
        menu = page.get_by_role("navigation", name=words(language, "Main"), exact=True)
        menu.get_by_role("link", name=words(language, "Open a ticket"), exact=True).click()
        page.wait_for_url("**/portal/tickets/new")
        expect(page.locator("h1")).to_have_text(words(language, "Open a ticket"))
        expect(page.locator("#promise-heading")).to_have_text(
            words(language, "When you will hear from us")
        )
        page.get_by_label(words(language, "Choose one of your systems")).select_option(
            reader.serial
        )
        page.locator("#id_severity_S2").check()
        promise = page.locator("#promise .promise")
        expect(promise).to_contain_text(before(language, "First response by %(due)s", "due"))
        expect(promise).to_contain_text(f"{reader.abbreviation} ({reader.offset})")
        page.get_by_label(words(language, "Subject"), exact=True).fill("Pool degraded")
        page.get_by_label(words(language, "What happened"), exact=True).fill(
            "One disk shows errors."
        )
        check_page(page, reader, "ticket-new", tmp_path)
        page.get_by_role("button", name=words(language, "Open the ticket"), exact=True).click()

        # The ticket just opened.
        page.wait_for_url(re.compile(r"/portal/tickets/\d+/$"))
        number = page.url.rstrip("/").rsplit("/", 1)[1]
        expect(page.locator("main")).to_contain_text(
            before(language, "Ticket %(number)s opened. First response by %(due)s.", "due")
            % {"number": number}
        )
        expect(page.locator("#thread-heading")).to_have_text(words(language, "Conversation"))
        expect(page.locator("main")).to_contain_text("One disk shows errors.")
        expect(
            page.get_by_role("button", name=words(language, "Send reply"), exact=True)
        ).to_be_visible()
        check_page(page, reader, "ticket", tmp_path)

        # The advance exchange: ship the defective part by the label's deadline.
        rma = records["rma"]
        page.goto(f"/portal/rmas/{rma.number}/")
        expect(page.locator("#next-step-heading")).to_have_text(words(language, "What to do next"))
        headline = page.locator("#next-step strong").first
        expect(headline).to_contain_text(
            before(
                language,
                "Ship the defective part by %(label)s, while its prepaid return label is valid. "
                "If it has not arrived by %(invoice)s, it is invoiced on that day.",
                "label",
            )
        )
        expect(headline).to_contain_text(f"{reader.abbreviation} ({reader.offset})")
        expect(page.locator("#timeline-heading")).to_have_text(words(language, "Dates"))
        check_page(page, reader, "rma", tmp_path)

        # The invoice: its amounts in the locale's forms.
        bill = records["invoice"]
        page.goto(f"/portal/invoices/{bill.number}/")
        expect(
            page.get_by_role("link", name=words(language, "Download PDF"), exact=True)
        ).to_be_visible()
        balance = page.locator("tfoot tr").filter(
            has=page.get_by_role("rowheader", name=words(language, "Balance"), exact=True)
        )
        expect(balance.locator("td")).to_have_text(reader.amount_shown)
        check_page(page, reader, "invoice", tmp_path)
        expect(page.locator("h1")).to_have_text(
            words(language, "Invoice %(number)s", number=bill.number)
        )
    finally:
        context.close()
