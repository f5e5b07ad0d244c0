"""Issue 14: invoices and credit notes a business can file, in any script, and how to pay.

Both parties' legal details on the invoice and the credit note of a German business customer;
names in Cyrillic, Greek, Chinese, Korean and Japanese read back out of the PDF; the credit note
PDF behind the same authorization as its invoice; the portal's invoice page says how to pay,
with a Pay link only while something is owed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from rmadesk.billing import services
from rmadesk.billing.models import CreditNote, Invoice
from rmadesk.billing.pdfs import credit_note_pdf, invoice_pdf
from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.customers.services import change_billing_details
from rmadesk.policy.vendor import payment_link
from tests.billing.factories import finance_user
from tests.billing.test_invoice_pdf import pdf_lines
from tests.factories import CustomerFactory
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

UTC = dt.UTC
ISSUED_AT = dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
PAID_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
VENDOR = [
    "Example Storage Systems, Inc.",
    "2490 Kruse Drive, San Jose, CA 95131, US",
    "Tax ID: EIN 12-3456789 · VAT ID: DE123456789",
    "support@vendor.example · +1 408 555 0100",
]


@pytest.fixture(autouse=True)
def _issue_day() -> Any:
    with clock.frozen_at(ISSUED_AT):
        yield


@pytest.fixture
def gmbh() -> Any:
    customer = CustomerFactory(
        name="Kunde Berlin GmbH",
        country="DE",
        zone="Europe/Berlin",
        email="ap@kunde.example",
        payment_terms_days=30,
        address_line1="Lagerstraße 7",
        city="Berlin",
        postal_code="10117",
    )
    admin = add_user(email="admin-billing@vendor.example", role="admin")
    return change_billing_details(
        actor=admin,
        customer=customer,
        billing_address="Buchhaltung\nFriedrichstraße 123\n10117 Berlin\nDeutschland",
        vat_id="de 811 907 980",
    )


def invoice_for_customer(customer: Any, amount: str = "1650.00") -> Invoice:
    return services.issue_invoice(
        actor=finance_user(),
        customer=customer,
        kind="service",
        lines=[{"kind": "service", "description": "On-site visit", "amount": Decimal(amount)}],
        at=ISSUED_AT,
    )


def credit(invoice: Invoice, amount: str = "150.00") -> CreditNote:
    return services.issue_credit_note(
        actor=finance_user(), invoice=invoice, amount=Decimal(amount), reason="Goodwill, late visit"
    )


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_related("customer", "rma").get(pk=invoice.pk)


# ------------------------------------------------------------------------ legal details


def test_the_invoice_of_a_german_business_names_both_parties_and_their_vat_ids(gmbh):
    lines = pdf_lines(invoice_pdf(fresh(invoice_for_customer(gmbh))))
    assert lines[:5] == [*VENDOR, "Invoice INV-000001"]
    start = lines.index("BILL TO")
    # The billing address, not the postal one (Lagerstraße), and the VAT ID as stored.
    assert lines[start + 1 : start + 8] == [
        "Kunde Berlin GmbH",
        "Buchhaltung",
        "Friedrichstraße 123",
        "10117 Berlin",
        "Deutschland",
        "VAT ID: DE 811 907 980",
        "ap@kunde.example",
    ]
    assert "Lagerstraße 7" not in lines
    # How to pay: the amount, the reference to quote, the bank and remit-to details.
    start = lines.index("HOW TO PAY")
    assert lines[start + 1 : start + 8] == [
        "Please pay 1650.00 USD quoting the reference INV-000001.",
        "Bank transfer to Example Storage Systems, Inc.",
        "Bank: Example Bank AG, Frankfurt am Main",
        "IBAN: DE89 3704 0044 0532 0130 00 BIC: EXMPDEFFXXX",
        "Remit to: Example Storage Systems, Inc., Accounts Receivable, PO Box 1000, San Jose, "
        "CA 95131,",
        "US",
        "Pay online: https://pay.vendor.example/?invoice=INV-000001&amount=1650.00&currency=USD",
    ]


def test_the_credit_note_names_both_parties_and_the_invoice_it_credits(gmbh):
    invoice = invoice_for_customer(gmbh)
    with clock.frozen_at(PAID_AT):
        note = credit(invoice)
    content = credit_note_pdf(CreditNote.objects.select_related("invoice__customer").get())
    lines = pdf_lines(content)
    assert lines[:5] == [*VENDOR, "Credit note CN-000001"]
    start = lines.index("CREDIT TO")
    assert lines[start + 1 : start + 8] == [
        "Kunde Berlin GmbH",
        "Buchhaltung",
        "Friedrichstraße 123",
        "10117 Berlin",
        "Deutschland",
        "VAT ID: DE 811 907 980",
        "ap@kunde.example",
    ]
    for expected in [
        "Issued: Fri 20 Nov 2026 10:30 CET",
        "Credits invoice INV-000001 of Mon 02 Nov 2026 19:00 CET",
        "Credit: Goodwill, late visit 150.00 USD",
        "Amount credited 150.00 USD",
        "This credit note reduces the amount due on invoice INV-000001 by 150.00 USD.",
        "Credit note CN-000001, page 1 Example Storage Systems, Inc.",
    ]:
        assert expected in lines, (expected, lines)
    assert "HOW TO PAY" not in lines
    # Only what is stored: a later payment on the invoice leaves the note's bytes unchanged.
    with clock.frozen_at(PAID_AT):
        services.record_payment(
            actor=finance_user(), invoice=invoice, amount=Decimal("1500.00"), received_at=PAID_AT
        )
    assert credit_note_pdf(CreditNote.objects.get(pk=note.pk)) == content


def test_a_customer_without_a_billing_address_is_billed_at_its_postal_address():
    customer = CustomerFactory(name="Acme Storage", email="ap@acme.example")
    lines = pdf_lines(invoice_pdf(fresh(invoice_for_customer(customer))))
    start = lines.index("BILL TO")
    assert lines[start + 1 : start + 5] == [
        "Acme Storage",
        "1 Market St",
        "San Francisco CA 94105",
        "US",
    ]
    assert not any(line.startswith("VAT ID: DE 811") for line in lines)


# ------------------------------------------------------------------------ every script


@pytest.mark.parametrize(
    ("name", "country", "zone"),
    [
        ("Иван Петров", "RU", "Europe/Moscow"),
        ("Γιώργος Παπαδόπουλος", "GR", "Europe/Athens"),
        ("王小明", "CN", "Asia/Shanghai"),
        ("김민준", "KR", "Asia/Seoul"),
        ("山田太郎", "JP", "Asia/Tokyo"),
        ("株式会社ストレージ", "JP", "Asia/Tokyo"),
    ],
)
def test_invoice_and_credit_note_print_names_in_every_script(name, country, zone):
    customer = CustomerFactory(name=name, country=country, zone=zone)
    invoice = invoice_for_customer(customer)
    credit(invoice)
    for content in (
        invoice_pdf(fresh(invoice)),
        credit_note_pdf(CreditNote.objects.select_related("invoice__customer").get()),
    ):
        lines = pdf_lines(content)
        heading = "CREDIT TO" if "Credit note CN-000001" in lines else "BILL TO"
        assert lines[lines.index(heading) + 1] == name


def test_a_line_mixing_scripts_reads_back_whole():
    customer = CustomerFactory(name="Müller & 山田 Иван Γιώργος 王 김", country="DE", zone="UTC")
    lines = pdf_lines(invoice_pdf(fresh(invoice_for_customer(customer))))
    assert lines[lines.index("BILL TO") + 1] == "Müller & 山田 Иван Γιώργος 王 김"


# ------------------------------------------------------------------- who may download


def customer_client(customer: Any, email: str) -> Client:
    client = Client()
    client.force_login(add_user(email=email, role="customer", customer_id=customer.pk))
    return client


def test_credit_note_pdf_access_matrix(gmbh):
    invoice = invoice_for_customer(gmbh)
    note = credit(invoice)
    path = f"/portal/credit-notes/{note.number}/credit-note.pdf"
    expected = credit_note_pdf(CreditNote.objects.get(pk=note.pk))

    owner = customer_client(gmbh, "anna@kunde.example")
    page = owner.get(f"/portal/invoices/{invoice.number}/").content.decode()
    assert f'href="{path}"' in page  # linked from the invoice page
    response = owner.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="credit-note-CN-000001.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == expected

    other = customer_client(CustomerFactory(), "eve@other.example")
    assert other.get(path).status_code == 404  # forbidden looks missing
    assert other.get("/portal/credit-notes/CN-999999/credit-note.pdf").status_code == 404
    assert owner.get("/portal/credit-notes/CN-999999/credit-note.pdf").status_code == 404
    assert owner.post(path).status_code == 405

    anonymous = Client().get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/") or "login" in anonymous["Location"]

    staff = Client()
    sign_in(staff, add_user(email="clerk-cn@vendor.example", role="clerk"))
    console = f"/console/credit-notes/{note.number}/credit-note.pdf"
    page = staff.get(f"/console/invoices/{invoice.number}/").content.decode()
    assert f'href="{console}"' in page
    response = staff.get(console)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == expected
    assert staff.get("/console/credit-notes/CN-999999/credit-note.pdf").status_code == 404
    # A customer gets no console page at all.
    assert owner.get(console).status_code == 404


def test_credit_note_pdf_over_the_api(gmbh, contact, staff):
    note = credit(invoice_for_customer(gmbh))
    path = f"/credit-notes/{note.number}/credit-note.pdf"
    own = contact(gmbh).get(path)
    assert own.status == 200
    assert own.content_type == "application/pdf"
    assert "Credit note CN-000001" in pdf_lines(own.content)
    assert staff("finance").get(path).status == 200
    assert contact(CustomerFactory()).get(path).status == 404


# ------------------------------------------------------------------------------ paying


def test_the_portal_invoice_page_says_how_to_pay_with_a_pay_link(gmbh):
    invoice = invoice_for_customer(gmbh, amount="1030.50")
    client = customer_client(gmbh, "anna@kunde.example")
    page = client.get(f"/portal/invoices/{invoice.number}/").content.decode()
    assert "How to pay" in page
    assert "Please pay 1030.50 USD, quoting the reference <strong>INV-000001</strong>" in page
    assert '<dd class="account">DE89 3704 0044 0532 0130 00</dd>' in page
    assert '<dd class="account">EXMPDEFFXXX</dd>' in page
    assert (
        "<address>Example Storage Systems, Inc.<br>Accounts Receivable<br>PO Box 1000<br>"
        "San Jose, CA 95131<br>US</address>" in page
    )
    link = (
        'href="https://pay.vendor.example/?invoice=INV-000001&amp;amount=1030.50&amp;currency=USD"'
    )
    assert link in page
    assert "Pay 1030.50 USD online" in page
    listing = client.get("/portal/invoices/").content.decode()
    assert link in listing


def test_an_invoice_with_nothing_credited_or_paid_shows_no_minus_on_zero(gmbh):
    invoice = invoice_for_customer(gmbh, amount="1030.50")
    page = (
        customer_client(gmbh, "anna@kunde.example")
        .get(f"/portal/invoices/{invoice.number}/")
        .content.decode()
    )
    assert 'Credit notes</th><td class="num">0.00 USD</td>' in page
    assert 'Payments</th><td class="num">0.00 USD</td>' in page
    assert "−0.00" not in page


def test_the_pay_link_url_encodes_what_it_carries():
    url = payment_link(
        "https://pay.example/p?i={invoice}&a={amount}&c={currency}",
        invoice="INV 1/&=?",
        amount=Decimal("10"),
        currency="EUR",
    )
    assert url == "https://pay.example/p?i=INV%201%2F%26%3D%3F&a=10.00&c=EUR"


def test_paid_and_credited_invoices_show_no_pay_link(gmbh):
    paid = invoice_for_customer(gmbh, amount="100.00")
    credited = invoice_for_customer(gmbh, amount="200.00")
    with clock.frozen_at(PAID_AT):
        services.record_payment(
            actor=finance_user(), invoice=paid, amount=Decimal("100.00"), received_at=PAID_AT
        )
        credit(credited, amount="200.00")
    client = customer_client(gmbh, "anna@kunde.example")
    for invoice in (paid, credited):
        invoice.refresh_from_db()
        assert invoice.status in {"paid", "credited"}
        page = client.get(f"/portal/invoices/{invoice.number}/").content.decode()
        assert "How to pay" not in page
        assert "pay.vendor.example" not in page
        assert "HOW TO PAY" not in pdf_lines(invoice_pdf(fresh(invoice)))
    assert "pay.vendor.example" not in client.get("/portal/invoices/").content.decode()
