"""Issue 14: every customer page, read by a German and by a Japanese contact, shows no English
text that the catalog translates.

Each page is rendered for real (a signed-in contact, the records a busy customer has: tickets,
a quote, an advance exchange shipped, invoices with late fees, payments and credit notes). The
check reads what a person sees — the text between tags and the attributes read aloud or shown
(aria-label, title, placeholder, alt) — and fails on any piece of English that a catalog entry
translates into something else: a whole short message (`Serial`, `Log in`) standing alone, or
a run of three or more words of a longer one anywhere in a text. Messages whose translation is
the same as the English (`RMA`, `Status` in German) are not evidence either way, and neither
is what the policy file and the records themselves say (plan titles, explanations, statuses).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from typing import Any

import pytest

from rmadesk.billing.services import accrue_late_fees, issue_credit_note, record_payment
from rmadesk.config.catalogs import catalog_path, read_po
from rmadesk.customers.models import Contact
from rmadesk.rmas.services import record_repair_quote
from rmadesk.tickets.services import reply
from tests.billing.factories import finance_user, invoice
from tests.factories import AssetFactory
from tests.portal.conftest import NOW, logged_in
from tests.rmas.factories import advance_exchange_shipped
from tests.tickets.factories import pacific, ticket_on

pytestmark = pytest.mark.django_db

SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
PIECE_SPLIT = re.compile(r"%\([a-z_]+\)[sdr]|%%|<[^>]+>|\n")


VOID = frozenset({"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"})


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes and shown attributes; no script or style. The policy
    core's explanations (`class="explain"`) count too: they are said in the reader's language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self.open: list[tuple[str, bool]] = []  # per open element: its tag, hides its text?

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append((tag, tag in {"script", "style"}))
        if self.hidden:
            return
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.segments.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        # An end tag closes its element and any left open inside it (<p>, <li> may go unclosed).
        tags = [open_tag for open_tag, _hides in self.open]
        if tag in tags:
            del self.open[len(tags) - 1 - tags[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.hidden:
            self.segments.append(text)


def visible_segments(body: str) -> list[str]:
    parser = VisibleText()
    parser.feed(body)
    return parser.segments


def pieces(text: str) -> list[str]:
    """The literal runs of a message: between its placeholders, tags and line breaks."""
    found = []
    for raw in PIECE_SPLIT.split(text):
        piece = " ".join(raw.split()).strip(" ,;:.()—-")
        if re.search(r"[A-Za-z]{2}", piece):
            found.append(piece)
    return found


@cache
def english_left_untranslated(language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(whole short messages, runs of 3+ words) that must not appear in `language`'s pages."""
    whole: set[str] = set()
    runs: set[str] = set()
    entries = read_po(catalog_path(language).read_text(encoding="utf-8"))[1:]
    for entry in entries:
        translations = " ".join(entry.msgstr.values())
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in pieces(english):
                if piece in translations:
                    continue  # the same in both languages (a name, a rule ID)
                if len(piece.split()) >= 3:
                    runs.add(piece)
                else:
                    whole.add(piece)
    return frozenset(whole), tuple(sorted(runs, key=len, reverse=True))


def untranslated(body: str, language: str) -> list[str]:
    whole, runs = english_left_untranslated(language)
    found = []
    for segment in visible_segments(body):
        bare = segment.strip(" ,;:.()—-·")
        if bare in whole:
            found.append(segment)
            continue
        found.extend(f"{run!r} in {segment!r}" for run in runs if run in segment)
    return found


@pytest.fixture
def busy_customer(acme: Any, agent: Any) -> dict[str, Any]:
    """Acme with one of everything a customer page can show."""
    ticket = ticket_on(acme.asset, actor=acme.user, subject="Zpool", body="zpool status -x")
    reply(actor=agent, ticket=ticket, body="Bitte senden Sie debug.", public=True)
    rma = advance_exchange_shipped(agent, ticket, shipped_at=NOW)
    old = AssetFactory(customer=acme.customer, serial="M40-000001", warranty_years=1)
    quoted = ticket_on(old, actor=agent, subject="Netzteil")
    record_repair_quote(actor=agent, ticket=quoted, amount="1250.00", description="Netzteil")
    overdue = invoice(customer=acme.customer, at=pacific(2026, 8, 3, 10, 0))
    accrue_late_fees(now=NOW)
    record_payment(actor=finance_user(), invoice=overdue, amount=Decimal("100.00"))
    issue_credit_note(actor=finance_user(), invoice=overdue, amount=Decimal("10.00"), reason="-")
    return {"ticket": ticket, "quoted": quoted, "rma": rma, "invoice": overdue}


def customer_pages(records: dict[str, Any]) -> list[str]:
    ticket, rma, bill = records["ticket"].number, records["rma"].number, records["invoice"].number
    return [
        "/portal/",
        "/portal/tickets/",
        f"/portal/tickets/new?serial={records['ticket'].asset.serial}&severity=S2",
        f"/portal/tickets/{ticket}/",
        f"/portal/tickets/{records['quoted'].number}/",
        "/portal/rmas/",
        f"/portal/rmas/{rma}/",
        "/portal/invoices/",
        f"/portal/invoices/{bill}/",
        "/portal/money-back",
        f"/portal/appointments/new?ticket={ticket}",
    ]


@pytest.mark.parametrize("language", ["de", "ja"])
def test_no_customer_page_shows_english_the_catalog_translates(busy_customer, acme, language):
    Contact.objects.create(customer=acme.customer, name="Eva", email=acme.email, language=language)
    client = logged_in(acme.email)
    found = {}
    for path in customer_pages(busy_customer):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, path
        assert response["Content-Language"] == language
        if left := untranslated(response.content.decode(), language):
            found[path] = left
    assert found == {}, "\n".join(f"{path}: {left}" for path, left in found.items())


@pytest.mark.parametrize("language", ["de", "ja"])
def test_no_sign_in_page_shows_english_the_catalog_translates(client, language):
    found = {}
    for path in (
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/not-a-token/",
    ):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        assert response.status_code == 200, path
        if left := untranslated(response.content.decode(), language):
            found[path] = left
    assert found == {}


def test_the_check_finds_english_on_an_english_page(alice, busy_customer):
    """The check itself: the same page in English shows what it looks for, from the
    explanations to the footer."""
    body = alice.get(f"/portal/tickets/{busy_customer['ticket'].number}/").content.decode()
    left = untranslated(body, "de")
    assert "Conversation" in left  # a whole short message
    assert "Send reply" in left
    assert "'When you hear from us' in 'When you hear from us'" in left  # a run of words
    assert any(found.startswith("'rmadesk · policy' in ") for found in left)  # the footer
    # The policy core's explanation is read too (issue 14: it is said in the reader's language).
    assert any(found.startswith("'first response within' in ") for found in left)
