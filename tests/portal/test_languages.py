"""Issue 14: the portal in the customer's language and zone.

A contact's own choice (Contact.language) beats the browser's Accept-Language; without one the
browser's is used. The selector in the footer is a CSRF-protected POST. The promise's headline and
its explanation read in the customer's zone: a contact in Tokyo sees JST in both (the
explanation used to say PST). Now is Wednesday 25 November 2026, 16:00 PST (conftest).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Contact
from rmadesk.portal.selectors import ticket_promise
from tests.portal.conftest import logged_in, make_customer
from tests.signin import sign_in

pytestmark = pytest.mark.django_db


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def contact_for(who: Any, language: str) -> Contact:
    return Contact.objects.create(
        customer=who.customer, name=who.email, email=who.email, language=language
    )


def test_the_contacts_language_beats_the_browsers(alice, acme):
    contact_for(acme, "de")
    response = alice.get("/portal/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")
    body = page(response)
    assert response["Content-Language"] == "de"
    assert '<html lang="de"' in body
    assert "<h1>Meine Systeme</h1>" in body
    assert "Abgedeckt bis 15. Jan 2029" in body  # the selector's words and date, in German


def test_the_browsers_language_without_a_choice(alice, acme):
    contact_for(acme, "")
    response = alice.get("/portal/tickets/", HTTP_ACCEPT_LANGUAGE="ja")
    body = page(response)
    assert response["Content-Language"] == "ja"
    assert "<h1>マイチケット</h1>" in body


def test_english_without_a_choice_or_a_browser_language(alice, acme):
    body = page(alice.get("/portal/"))
    assert '<html lang="en"' in body
    assert "<h1>My systems</h1>" in body


def test_the_login_page_in_the_browsers_language(client):
    body = page(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"))
    assert "<h1>Anmelden</h1>" in body
    assert "E-Mail-Adresse und Passwort" not in body  # the error shows only after a try


def test_choosing_a_language_in_the_footer(acme):
    client = logged_in(acme.email, csrf=True)
    home = client.get("/portal/tickets/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.content.decode())
    assert token is not None
    assert 'action="/portal/language"' in home.content.decode()
    response = client.post(
        "/portal/language",
        {"language": "ja", "next": "/portal/tickets/", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/tickets/"
    # The user had no contact record: choosing a language makes it, at its own customer.
    contact = Contact.objects.get(customer=acme.customer, email=acme.email)
    assert contact.language == "ja"
    assert AuditEvent.objects.filter(verb="customer.contact_language_changed").count() == 1
    body = page(client.get("/portal/tickets/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "<h1>マイチケット</h1>" in body
    assert "言語を変更しました。" in body
    assert '<option value="ja" selected lang="ja">日本語</option>' in body


def test_the_language_selector_needs_the_csrf_token(acme):
    client = logged_in(acme.email, csrf=True)
    response = client.post("/portal/language", {"language": "de"})
    assert response.status_code == 403
    assert not Contact.objects.filter(email=acme.email, language="de").exists()


def test_an_unknown_language_is_refused_and_nothing_changes(alice, acme):
    contact_for(acme, "")
    response = alice.post("/portal/language", {"language": "fr", "next": "/portal/"})
    assert response.status_code == 400
    assert 'href="/portal/"' in page(response)
    assert Contact.objects.get(email=acme.email).language == ""
    assert (
        "'fr' is not a language rmadesk speaks: one of en, de, ja, or blank for the browser's"
        in page(response)
    )
    assert not AuditEvent.objects.filter(verb="customer.contact_language_changed").exists()


def test_back_to_another_site_is_not_followed(alice, acme):
    response = alice.post(
        "/portal/language", {"language": "de", "next": "https://evil.example/portal/"}
    )
    assert response["Location"] == "/portal/"


def test_blank_goes_back_to_the_browsers_language(alice, acme):
    contact_for(acme, "de")
    alice.post("/portal/language", {"language": "", "next": "/portal/"})
    assert Contact.objects.get(email=acme.email).language == ""
    assert "<h1>マイシステム</h1>" in page(alice.get("/portal/", HTTP_ACCEPT_LANGUAGE="ja"))


# ---------------------------------------------------------------- the zone of the promise


@pytest.fixture
def tokyo(db: Any) -> Any:
    return make_customer(
        "東京ストレージ株式会社",
        "M50-000777",
        "sato@tokyo.example",
        country="JP",
        zone="Asia/Tokyo",
    )


def test_the_promise_explanation_is_in_the_customers_zone_T1(tokyo):
    """The bug: the headline said JST and the explanation under it PST."""
    client = logged_in(tokyo.email)
    body = page(client.get("/portal/tickets/promise", {"serial": "M50-000777", "severity": "S2"}))
    explanation = body[body.index('<ul class="explain">') : body.index("</ul>")]
    assert "PST" not in explanation
    assert "PDT" not in explanation
    # Gold S2: 4 business hours of Pacific hours, Thanksgiving skipped: due Fri 27 Nov 08:00
    # PST, which is Sat 28 Nov 01:00 in Tokyo: the headline and the explanation agree.
    assert "First response by Sat 28 Nov 2026, 01:00 JST (+09:00)</strong>" in body
    assert "<li>Due Sat 28 Nov 2026 01:00 JST (rule T8).</li>" in explanation


def test_the_selector_writes_the_explanation_in_the_customers_zone(tokyo):
    promise = ticket_promise(tokyo.user, "M50-000777", "S2")
    assert promise.explain[-1].startswith("Due ")
    assert promise.explain[-1].endswith(" JST (rule T8).")


def test_a_japanese_contact_reads_the_promise_in_japanese_and_jst(tokyo):
    contact_for(tokyo, "ja")
    client = logged_in(tokyo.email)
    body = page(client.get("/portal/tickets/promise", {"serial": "M50-000777", "severity": "S2"}))
    headline = re.search(r"<strong>初回応答期限: ([^<]+)</strong>", body)
    assert headline is not None
    assert re.fullmatch(r"2026年11月\d+日\(.\) \d\d:\d\d JST \(\+09:00\)", headline.group(1))
    explanation = body[body.index('<ul class="explain">') : body.index("</ul>")]
    # The policy core's sentence in Japanese too; its instant reads as the headline's does.
    due = headline.group(1).removesuffix(" (+09:00)")
    assert f"<li>期限: {due}（ルール T8）。</li>" in explanation
    assert "Due" not in explanation
    # The holiday the headline skips, by its Japanese name.
    assert "感謝祭" in body[: body.index('<ul class="explain">')]
    assert "Thanksgiving" not in body


def test_staff_read_the_console_in_the_sites_language_whatever_the_browser(agent):
    client = sign_in(Client(), agent)
    response = client.get("/console/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert response["Content-Language"] == "en-us"
    assert '<html lang="en-us"' in response.content.decode()
    assert "Log out" in response.content.decode()
