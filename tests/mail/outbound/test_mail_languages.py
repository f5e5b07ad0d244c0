"""Issue 14: a customer mail is in its recipient contact's language, with times in its zone.

The contact's own choice decides (Contact.language); without one the mail is in the site's
language (English): mail has no browser to ask. Now is Monday 2 November 2026, 09:00 PST.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rmadesk.billing.services import issue_invoice
from rmadesk.core import clock
from rmadesk.customers.models import Contact
from rmadesk.mail.outbox import deliver_outbox
from rmadesk.tickets.services import deny_warranty_claim, open_ticket
from tests.billing.factories import finance_user
from tests.mail.outbound.conftest import SmtpServer
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db

MONDAY_9 = pacific(2026, 11, 2, 9, 0)  # Mon 2 Nov 2026 09:00 PST = 18:00 CET = Tue 02:00 JST


@pytest.fixture(autouse=True)
def _monday_morning():
    with clock.frozen_at(MONDAY_9):
        yield


def customer_in(country: str, zone: str, serial: str, language: str) -> dict[str, Any]:
    asset = asset_on_plan("gold", serial=serial, country=country, zone=zone)
    contact = user("customer", asset.customer)
    Contact.objects.create(
        customer=asset.customer, name="Eva", email=contact.email, language=language
    )
    return {"asset": asset, "customer": asset.customer, "contact": contact}


def open_by(who: dict[str, Any]) -> Any:
    return open_ticket(
        actor=who["contact"],
        serial=who["asset"].serial,
        severity="S2",
        subject="Pool degraded",
        body="Drive 3 shows UNAVAIL since this morning.",
        channel="portal",
    )


def test_a_german_contact_gets_german_mail_with_berlin_times(smtp: SmtpServer):
    berlin = customer_in("DE", "Europe/Berlin", "M50-000301", "de")
    ticket = open_by(berlin)
    assert deliver_outbox(now=clock.now()) == 1
    [mail] = smtp.messages
    assert mail.rcpt_tos == [berlin["contact"].email]
    text = mail.text().replace("\r\n", "\n")
    assert text.startswith(f"Guten Tag {berlin['customer'].name},\n")
    assert f"Wir haben Ihre Anfrage erhalten und Ticket #{ticket.number} eröffnet." in text
    # Gold S2, 4 business hours from Monday 09:00 PST: 13:00 PST, which is 22:00 in Berlin.
    assert "Unser Versprechen: eine erste Antwort bis Mo, 2. Nov 2026 22:00 CET" in text
    assert "Eröffnet: Mo, 2. Nov 2026 18:00 CET" in text
    assert "Zeiten werden in Europe/Berlin angezeigt." in text
    # The explanation's instants too: in Berlin's zone, none left on the vendor's clock.
    assert "So haben wir es berechnet:" in text
    assert "PST" not in text
    # ... and its sentences in German, not the policy core's English.
    assert "Gold S2: erste Antwort innerhalb von 4 Geschäftsstunden" in text
    assert "Fällig Mo, 2. Nov 2026 22:00 CET" in text
    assert "first response within" not in text
    html = mail.html()
    assert '<html lang="de">' in html
    assert "Mo, 2. Nov 2026 22:00 CET" in html


def test_without_a_choice_the_mail_is_english(smtp: SmtpServer):
    berlin = customer_in("DE", "Europe/Berlin", "M50-000302", "")
    open_by(berlin)
    deliver_outbox(now=clock.now())
    [mail] = smtp.messages
    assert "Our promise: a first response by Mon 02 Nov 2026 22:00 CET" in mail.text()


def test_a_japanese_invoice_mail_has_japanese_words_and_amounts(smtp: SmtpServer):
    tokyo = customer_in("JP", "Asia/Tokyo", "M50-000303", "ja")
    # The invoice goes to the customer's own address: its contact's language decides.
    Contact.objects.create(
        customer=tokyo["customer"], name="経理", email=tokyo["customer"].email, language="ja"
    )
    invoice = issue_invoice(
        actor=finance_user(),
        customer=tokyo["customer"],
        kind="service",
        lines=[{"kind": "service", "description": "Install", "amount": Decimal("1234.50")}],
    )
    deliver_outbox(now=clock.now())
    [mail] = smtp.messages
    assert mail.subject == f"請求書 {invoice.number}"
    text = mail.text()
    assert f"2026年11月3日(火) 02:00 JST に請求書 {invoice.number} を発行しました。" in text
    assert "合計: $1,234.50" in text


def test_W2_a_german_contact_reads_the_denial_in_german_with_the_agents_explanation(
    smtp: SmtpServer,
):
    berlin = customer_in("DE", "Europe/Berlin", "M50-000303", "de")
    ticket = open_by(berlin)
    deliver_outbox(now=clock.now())
    smtp.messages.clear()
    deny_warranty_claim(
        actor=user("agent"),
        ticket=ticket,
        cause="customer_negligence",
        explanation="Das Gehäuse zeigt Wasserschaden.",
    )
    assert deliver_outbox(now=clock.now()) == 2  # the closing mail, then the rating's (issue 16)
    text = smtp.messages[0].text().replace("\r\n", "\n")
    assert "Ihr Garantieanspruch wird abgelehnt." in text
    assert "Das Gehäuse zeigt Wasserschaden." in text
    assert "Your warranty claim" not in text
