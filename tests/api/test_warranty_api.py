"""The API's doors for warranty decisions: W2 denials (ticket, RMA) and R9 repair quotes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from rmadesk.billing.models import Invoice
from rmadesk.core import clock
from rmadesk.rmas.models import RepairQuote, Rma
from tests.rmas.factories import ITEMS, pacific, rma_of, ticket_on

pytestmark = pytest.mark.django_db

EXPIRED_SHIPMENT = dt.date(2022, 1, 10)  # 3 years: the warranty ended 2025-01-10 (W1)
RMA_BODY = {"kind": "repair", "items": [{**item, "unit_price": "450.00"} for item in ITEMS]}


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        yield


def test_W2_a_ticket_is_denied_by_the_api_naming_its_cause(staff, contact):
    ticket = ticket_on(opened_at=pacific(2026, 10, 1, 9, 0))
    answer = staff("agent").post(
        f"/tickets/{ticket.number}/deny-warranty",
        {"cause": "war_or_terrorism", "explanation": "Shipped into a war zone."},
    )
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "warranty_denied"
    assert answer.body["warranty_denial_cause"] == "war_or_terrorism"
    assert answer.body["close_rule"] == "W2"
    seen = contact(ticket.customer).get(f"/tickets/{ticket.number}").body
    assert seen["status"] == "warranty_denied"


def test_W2_a_denial_with_another_cause_is_refused_naming_field_cause(staff):
    ticket = ticket_on(opened_at=pacific(2026, 10, 1, 9, 0))
    answer = staff("agent").post(
        f"/tickets/{ticket.number}/deny-warranty", {"cause": "flood", "explanation": "x"}
    )
    assert answer.status == 400
    assert (answer.body["field"], answer.body["rule"]) == ("cause", "W2")
    rma = rma_of("repair")
    answer = staff("agent").post(f"/rmas/{rma.number}/deny", {"cause": "", "explanation": "x"})
    assert answer.status == 400
    assert (answer.body["field"], answer.body["rule"]) == ("cause", "W2")
    assert Rma.objects.get(pk=rma.pk).status == "issued"


def test_W2_an_rma_is_denied_by_the_api_and_a_customer_may_not(staff, contact):
    rma = rma_of("repair")
    refused = contact(rma.ticket.customer).post(
        f"/rmas/{rma.number}/deny", {"cause": "customer_negligence", "explanation": "x"}
    )
    assert refused.status == 403
    answer = staff("agent").post(
        f"/rmas/{rma.number}/deny",
        {"cause": "customer_negligence", "explanation": "Liquid inside the chassis."},
    )
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "denied"
    assert answer.body["denial_cause"] == "customer_negligence"
    assert answer.body["denial_explanation"] == "Liquid inside the chassis."
    assert "W2" in answer.body["rules"]
    assert answer.body["denied_at"].startswith("2026-10-21T12:00:00-07:00")


def test_R9_the_api_refuses_an_rma_out_of_warranty_naming_W1(staff):
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    answer = staff("agent").post(f"/tickets/{ticket.number}/rma", RMA_BODY)
    assert answer.status == 400
    assert (answer.body["rule"], answer.body["field"]) == ("W1", "serial")
    assert Rma.objects.count() == 0


def test_R9_quote_then_acceptance_then_invoice_then_the_rma_opens(staff, contact):
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    agent, customer = staff("agent"), contact(ticket.customer)
    made = agent.post(
        f"/tickets/{ticket.number}/repair-quotes",
        {"amount": "1250.00", "description": "New motherboard.", "valid_until": "2026-11-30"},
    )
    assert made.status == 201, made.body
    quote = made.body
    assert (quote["amount"], quote["currency"], quote["status"]) == ("1250.00", "USD", "pending")
    assert quote["warranty_ends_on"] == "2025-01-10"
    assert customer.get(f"/tickets/{ticket.number}/repair-quotes").body == [quote]
    accepted = customer.post(f"/tickets/{ticket.number}/repair-quotes/{quote['id']}/accept")
    assert accepted.status == 200, accepted.body
    assert accepted.body["status"] == "accepted"
    invoice = Invoice.objects.get(number=accepted.body["invoice"])
    assert (invoice.kind, invoice.principal) == ("repair_quote", invoice.principal)
    assert str(invoice.principal) == "1250.00"
    shown = customer.get(f"/invoices/{invoice.number}")
    assert shown.status == 200
    again = customer.post(f"/tickets/{ticket.number}/repair-quotes/{quote['id']}/accept")
    assert again.status == 409
    assert again.body["rule"] == "R9"
    opened = agent.post(f"/tickets/{ticket.number}/rma", RMA_BODY)
    assert opened.status == 201, opened.body
    assert opened.body["billable_repair_quote"] == quote["id"]
    assert "R9" in opened.body["rules"]


def test_R9_a_declined_quote_still_refuses_and_customer_b_gets_404(staff, contact):
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    other = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    agent = staff("agent")
    quote = agent.post(
        f"/tickets/{ticket.number}/repair-quotes", {"amount": "300.00", "description": "Fan."}
    ).body
    path = f"/tickets/{ticket.number}/repair-quotes/{quote['id']}"
    stranger = contact(other.customer)
    assert stranger.post(f"{path}/accept").status == 404
    assert stranger.get(f"/tickets/{ticket.number}/repair-quotes").status == 404
    assert agent.post(f"{path}/accept").status == 403
    declined = contact(ticket.customer).post(f"{path}/decline")
    assert declined.status == 200
    assert declined.body["status"] == "declined"
    refused = agent.post(f"/tickets/{ticket.number}/rma", RMA_BODY)
    assert (refused.status, refused.body["rule"]) == (400, "W1")
    assert RepairQuote.objects.get(pk=quote["id"]).status == "declined"
    assert Invoice.objects.count() == 0


def test_R9_a_zero_amount_is_refused_naming_the_field(staff):
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    answer = staff("agent").post(
        f"/tickets/{ticket.number}/repair-quotes", {"amount": "0.00", "description": "x"}
    )
    assert answer.status == 400
    assert (answer.body["field"], answer.body["rule"]) == ("amount", "F4")
    assert RepairQuote.objects.count() == 0
