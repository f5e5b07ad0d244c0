"""The portal's side of warranty decisions: a denied claim in plain words (W2), and the repair
quote the customer accepts or declines with one click (R9)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from rmadesk.assets.models import Asset
from rmadesk.billing.models import Invoice
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.rmas.services import deny_rma, open_rma, record_repair_quote
from rmadesk.tickets.services import deny_warranty_claim, open_ticket
from tests.portal.conftest import logged_in, text

pytestmark = pytest.mark.django_db
ITEMS = [{"part": "PSU", "serial": "P-1", "unit_price": "320.00"}]


def ticket_of(who, agent, subject: str = "It is broken"):
    return open_ticket(
        actor=agent,
        serial=who.asset.serial,
        severity="S3",
        subject=subject,
        body="Please help.",
        channel="phone",
    )


def quoted(who, agent):
    Asset.objects.filter(pk=who.asset.pk).update(shipped_on=dt.date(2022, 1, 10))
    ticket = ticket_of(who, agent)
    quote = record_repair_quote(
        actor=agent, ticket=ticket, amount="1250.00", description="Replace the motherboard."
    )
    return ticket, quote


def words(page: str) -> str:
    """The page as a reader sees it: attributes carry random tokens (the CSP nonce, the CSRF
    token) in which a short rule ID like "W2" turns up by chance."""
    return re.sub(r"<[^>]*>", " ", page)


def csrf_post(client: Client, page_url: str, url: str):
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(client.get(page_url)))
    assert token is not None
    return client.post(url, {"csrfmiddlewaretoken": token.group(1)})


def test_W2_the_customer_reads_the_denied_cause_in_plain_words(acme, alice, agent):
    ticket = ticket_of(acme, agent)
    deny_warranty_claim(
        actor=agent, ticket=ticket, cause="acts_of_god", explanation="Lightning hit the rack."
    )
    page = text(alice.get(f"/portal/tickets/{ticket.number}/"))
    assert (
        "Your warranty claim is denied: the warranty does not cover damage caused by an act of "
        "God (such as a flood, fire, earthquake or lightning). Lightning hit the rack."
    ) in page
    assert "W2" not in words(page)


def test_W2_the_customer_sees_a_denied_rma_and_no_label(acme, alice, agent):
    rma = open_rma(actor=agent, ticket=ticket_of(acme, agent), kind="repair", items=ITEMS)
    deny_rma(actor=agent, rma=rma, cause="customer_negligence", explanation="Liquid inside.")
    page = text(alice.get(f"/portal/rmas/{rma.number}/"))
    assert "damage caused by negligence (mishandling, misuse or neglect). Liquid inside." in page
    assert (
        "Your warranty claim was denied, so no return, replacement or repair follows. For a paid "
        "repair, reply on ticket" in page
    )
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # no confirmations
    # The rule stays behind the details toggle (issue 14), nowhere else.
    assert "W2" not in words(re.sub(r"<details>.*?</details>", "", page, flags=re.S))
    assert alice.get(f"/portal/rmas/{rma.number}/label.pdf").status_code == 404


def test_R9_the_customer_accepts_the_quote_with_one_click_and_it_becomes_an_invoice(acme, agent):
    ticket, quote = quoted(acme, agent)
    alice = logged_in(acme.email, csrf=True)
    url = f"/portal/tickets/{ticket.number}/"
    page = text(alice.get(url))
    assert "1250.00 USD" in page and "Replace the motherboard." in page
    assert f'action="/portal/tickets/{ticket.number}/quotes/{quote.pk}/accept"' in page
    accept = f"{url}quotes/{quote.pk}/accept"
    assert alice.post(accept).status_code == 403  # no CSRF token: refused
    answer = csrf_post(alice, url, accept)
    assert answer.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.kind, str(invoice.principal), invoice.customer) == (
        "repair_quote",
        "1250.00",
        acme.customer,
    )
    page = text(alice.get(url))
    assert f"Invoice {invoice.number} is in your invoices" in page
    assert f'href="/portal/invoices/{invoice.number}/"' in page
    assert "Accept the quote" not in page
    twice = csrf_post(alice, url, accept)
    assert twice.status_code == 409
    assert "already accepted" in text(twice)
    assert Invoice.objects.count() == 1
    assert open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS).repair_quote == quote


def test_R9_the_customer_declines_and_another_customer_gets_404(acme, globex, bob, agent):
    ticket, quote = quoted(acme, agent)
    url = f"/portal/tickets/{ticket.number}/quotes/{quote.pk}/"
    assert bob.post(url + "accept").status_code == 404
    assert bob.post(url + "decline").status_code == 404
    assert RepairQuote.objects.get(pk=quote.pk).status == "pending"
    alice = logged_in(acme.email)
    assert alice.get(url + "accept").status_code == 405  # a POST only
    assert alice.post(url + "decline").status_code == 302
    assert RepairQuote.objects.get(pk=quote.pk).status == "declined"
    page = text(alice.get(f"/portal/tickets/{ticket.number}/"))
    assert "Declined by the customer" in page
    assert Invoice.objects.count() == 0
    assert Rma.objects.count() == 0
