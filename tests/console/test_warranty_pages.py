"""Warranty decisions in the console: deny a claim naming W2's cause (ticket and RMA pages),
the warranty status and R9's repair quote on the ticket page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rmadesk.assets.models import Asset
from rmadesk.billing.services import accept_repair_quote
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.rmas.services import open_rma
from rmadesk.tickets.models import Ticket
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html, text_of

pytestmark = pytest.mark.django_db
ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]
RMA_FORM = {"kind": "repair", "part_1": "PSU", "serial_1": "P-1", "unit_price_1": "320.00"}


def test_W2_an_agent_denies_a_tickets_warranty_claim_naming_the_cause(desk):
    client = client_for(desk.agent)
    url = f"/console/tickets/{desk.on_track.number}/"
    page = html(client.get(url))
    assert f'action="/console/tickets/{desk.on_track.number}/deny-warranty"' in page
    assert '<option value="customer_negligence">Negligence (mishandling, misuse or neglect)' in page
    refused = client.post(url + "deny-warranty", {"cause": "", "explanation": "Dropped."})
    assert refused.status_code == 400
    shown = text_of(html(refused))
    assert "(rule W2)" in shown and "field cause" in shown
    assert Ticket.objects.get(pk=desk.on_track.pk).status == "open"
    done = client.post(
        url + "deny-warranty",
        {"cause": "customer_negligence", "explanation": "The unit was dropped in transit."},
    )
    assert done.status_code == 302
    page = text_of(html(client.get(url)))
    assert (
        "closed, warranty claim denied — negligence (mishandling, misuse or neglect) (rule W2)"
        in page
    )
    assert "Warranty claim denied, ticket closed" in page  # the history's words


def test_W2_an_agent_denies_an_rma_after_inspection_and_no_label_is_offered(desk):
    rma = open_rma(actor=desk.agent, ticket=desk.on_track, kind="repair", items=ITEMS)
    client = client_for(desk.agent)
    url = f"/console/rmas/{rma.number}/"
    assert "Deny the warranty claim (rule W2)" in html(client.get(url))
    refused = client.post(url + "deny", {"cause": "hail", "explanation": "x"})
    assert refused.status_code == 400
    assert "(rule W2)" in text_of(html(refused))
    done = client.post(
        url + "deny", {"cause": "acts_of_god", "explanation": "Struck by lightning."}
    )
    assert done.status_code == 302
    assert Rma.objects.get(pk=rma.pk).status == "denied"
    page = html(client.get(url))
    assert "Warranty claim denied" in page and "(rule W2)" in page
    assert "Struck by lightning." in page
    assert "Issue the return label" not in page
    assert "Deny the warranty claim" not in page


def test_R9_the_ticket_page_shows_the_warranty_ended_and_refuses_the_rma_naming_W1(desk):
    Asset.objects.filter(pk=desk.asset.pk).update(shipped_on=dt.date(2022, 1, 10))
    client = client_for(desk.agent)
    url = f"/console/tickets/{desk.on_track.number}/"
    page = text_of(html(client.get(url)))
    assert "ACME-0001: warranty ended 10 Jan 2025 (rule W1)." in page
    assert "Record a billable repair quote (rule R9)" in page
    refused = client.post(url + "rma", RMA_FORM)
    assert refused.status_code == 400
    assert "(rule W1)" in text_of(html(refused)) and "field serial" in text_of(html(refused))
    assert Rma.objects.count() == 0
    quoted = client.post(
        url + "repair-quote",
        {"amount": "1250.00", "currency": "", "description": "New board.", "valid_until": ""},
    )
    assert quoted.status_code == 302
    quote = RepairQuote.objects.get()
    page = text_of(html(client.get(url)))
    assert "1250.00 USD — waiting for the customer's answer" in page
    assert "Record a billable repair quote" not in page
    contact = make_user("customer", desk.customer)
    invoice = accept_repair_quote(actor=contact, quote=quote)
    page = html(client.get(url))
    assert f'href="/console/invoices/{invoice.number}/">{invoice.number}</a>' in page
    assert client.post(url + "rma", RMA_FORM).status_code == 302
    rma = Rma.objects.get()
    assert rma.repair_quote == quote
    assert "Billable repair out of warranty (rule R9)" in html(
        client.get(f"/console/rmas/{rma.number}/")
    )


def test_R9_a_quote_with_a_bad_amount_is_refused_on_the_page(desk):
    client = client_for(desk.agent)
    url = f"/console/tickets/{desk.on_track.number}/repair-quote"
    refused = client.post(url, {"amount": "12.345", "description": "x"})
    assert refused.status_code == 400
    shown = text_of(html(refused))
    assert "(rule F4)" in shown and "field amount" in shown
    refused = client.post(url, {"amount": "10.00", "description": "x", "valid_until": "soon"})
    assert refused.status_code == 400
    assert "field valid_until" in text_of(html(refused))
    assert RepairQuote.objects.count() == 0
    customer = make_user("customer", desk.customer)
    assert (
        client_for(customer).post(url, {"amount": "10.00", "description": "x"}).status_code == 404
    )
