"""Invoices in the console: overdue ones with their late fees (F2) and balance; payments and
credit notes by the finance role, the refusal for anyone else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rmadesk.billing.models import CreditNote, Payment
from rmadesk.billing.services import accrue_late_fees
from tests.billing.factories import invoice
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html, text_of
from tests.factories import CustomerFactory
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(db):
    """1000.00 USD issued 1 Aug on 30-day terms: due 31 Aug, two full months late on 18 Nov."""
    customer = CustomerFactory(name="Umbrella Corp", payment_terms_days=30)
    found = invoice(customer=customer, at=pacific(2026, 8, 1, 10, 0), amount="1000.00")
    accrue_late_fees(now=NOW)  # F2: 1.5% per full month, 2 months → 30.00
    return found


@pytest.fixture
def not_yet_due(db):
    customer = CustomerFactory(name="Hooli", payment_terms_days=30)
    return invoice(customer=customer, at=pacific(2026, 11, 10, 10, 0), amount="250.00")


def test_f2_overdue_invoices_with_late_fees_and_balance(overdue, not_yet_due):
    response = client_for(make_user("agent")).get("/console/invoices/")
    assert response.status_code == 200
    text = text_of(html(response))
    assert (
        f"{overdue.number} Umbrella Corp service or parts Mon 31 Aug 2026 79 days overdue "
        "overdue 1000.00 USD 30.00 USD 0.00 / 0.00 1030.00 USD"
    ) in text
    assert not_yet_due.number not in text
    assert "a late fee of 1.5% of the unpaid principal" in text
    every_open = text_of(html(client_for(make_user("agent")).get("/console/invoices/?show=open")))
    assert not_yet_due.number in every_open and overdue.number in every_open


def test_invoice_page_shows_lines_and_totals(overdue):
    page = html(client_for(make_user("agent")).get(f"/console/invoices/{overdue.number}/"))
    text = text_of(page)
    assert "(month 1, rule F2)" in text and "(month 2, rule F2)" in text
    assert '<strong id="balance">1030.00 USD</strong>' in page
    assert "Payments and credit notes are recorded by the finance role." in text


def test_finance_records_a_payment(overdue):
    client = client_for(make_user("finance"))
    response = client.post(
        f"/console/invoices/{overdue.number}/payments", {"amount": "500.00", "reference": "wire 7"}
    )
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert "Payment of 500.00 USD recorded." in page
    assert '<strong id="balance">530.00 USD</strong>' in page
    payment = Payment.objects.get(invoice=overdue)
    assert (payment.amount, payment.reference) == (Decimal("500.00"), "wire 7")


def test_finance_issues_a_credit_note(overdue):
    client = client_for(make_user("finance"))
    response = client.post(
        f"/console/invoices/{overdue.number}/credit-notes",
        {"amount": "30.00", "reason": "Late fees waived as goodwill."},
    )
    assert response.status_code == 302
    note = CreditNote.objects.get(invoice=overdue)
    assert (note.amount, note.reason) == (Decimal("30.00"), "Late fees waived as goodwill.")
    page = html(client.get(response["Location"]))
    assert f"Credit note {note.number} for 30.00 USD issued." in page
    assert '<strong id="balance">1000.00 USD</strong>' in page


def test_a_payment_above_the_balance_or_not_an_amount_is_refused(overdue):
    client = client_for(make_user("finance"))
    too_much = client.post(f"/console/invoices/{overdue.number}/payments", {"amount": "2000.00"})
    assert too_much.status_code == 409  # the invoice's balance refuses it (a conflict)
    assert "exceeds the balance of 1030.00 USD" in html(too_much)
    garbage = client.post(f"/console/invoices/{overdue.number}/payments", {"amount": "ten"})
    assert garbage.status_code == 400
    assert "(rule F4)" in html(garbage)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("role", ["agent", "clerk", "manager"])
def test_other_roles_see_the_refusal_with_403_and_nothing_is_recorded(overdue, role):
    client = client_for(make_user(role))
    payment = client.post(f"/console/invoices/{overdue.number}/payments", {"amount": "10.00"})
    assert payment.status_code == 403
    assert "recording a payment needs the role finance" in html(payment)
    credit = client.post(
        f"/console/invoices/{overdue.number}/credit-notes", {"amount": "10.00", "reason": "x"}
    )
    assert credit.status_code == 403
    assert "issuing a credit note needs the role finance" in html(credit)
    assert not Payment.objects.exists() and not CreditNote.objects.exists()


def test_an_unknown_invoice_is_404(db):
    assert client_for(make_user("finance")).get("/console/invoices/INV-999999/").status_code == 404


def test_F2_finance_records_when_a_payment_was_received(overdue):
    # Due 31 Aug; months 1 (to 30 Sep) and 2 (to 31 Oct) charged 15.00 each on 1000.00.
    client = client_for(make_user("finance"))
    form = html(client.get(f"/console/invoices/{overdue.number}/"))
    assert 'type="datetime-local" id="payment-received-at" name="received_at"' in form
    response = client.post(
        f"/console/invoices/{overdue.number}/payments",
        {"amount": "500.00", "received_at": "2026-09-15T10:00", "reference": "wire 8"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get(invoice=overdue)
    assert payment.received_at == pacific(2026, 9, 15, 10, 0)
    # Received before both months ended: they were due on 500.00, 15.00 is credited (F2).
    note = CreditNote.objects.get(invoice=overdue)
    assert (note.kind, note.amount) == ("late_fee_correction", Decimal("15.00"))
    page = html(client.get(response["Location"]))
    assert '<strong id="balance">515.00 USD</strong>' in page
    assert "(late fee correction, rule F2)" in page


def test_F2_T1_a_payment_received_tomorrow_is_refused_naming_the_field(overdue):
    client = client_for(make_user("finance"))
    response = client.post(
        f"/console/invoices/{overdue.number}/payments",
        {"amount": "500.00", "received_at": "2026-11-19T10:00"},
    )
    assert response.status_code == 400
    assert "received_at" in text_of(html(response)) and "T1" in text_of(html(response))
    assert not Payment.objects.exists()
