"""The invoice PDF: what a customer reads on it, byte-identical renders, the invoice notification
carrying it (rendered by the outbox worker, delivered over real SMTP), and the downloads from the
portal, the console and the API, each behind the invoice's one authorization selector."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from rmadesk.billing import services
from rmadesk.billing.models import Invoice
from rmadesk.billing.pdfs import invoice_pdf
from rmadesk.billing.selectors import invoice_for
from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.outbox import deliver_outbox, render_attachment
from tests.billing.factories import advance_exchange, finance_user
from tests.factories import CustomerFactory
from tests.mail.outbound import conftest as outbound
from tests.mail.outbound.conftest import SmtpServer
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

# The real SMTP server of the outbound mail tests (aiosmtpd on 127.0.0.1).
smtp_server = outbound.smtp_server
smtp = outbound.smtp

UTC = dt.UTC
# Monday 2 November 2026, 18:00 UTC: 10:00 in San Jose, 19:00 in Berlin.
ISSUED_AT = dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
PAID_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
DAY_14 = dt.datetime(2026, 11, 16, 18, 0, tzinfo=UTC)  # the R4 invoice instant of the factory RMA


def pdf_lines(content: bytes) -> list[str]:
    """The PDF's text as a reader sees it, line by line, runs of spaces made one."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_lines(content))


@pytest.fixture(autouse=True)
def _issue_day() -> Any:
    with clock.frozen_at(ISSUED_AT):
        yield


@pytest.fixture
def berlin() -> Any:
    return CustomerFactory(
        name="Kunde Berlin GmbH",
        country="DE",
        zone="Europe/Berlin",
        email="ap@kunde.example",
        payment_terms_days=30,
    )


def service_invoice(customer: Any) -> Invoice:
    return services.issue_invoice(
        actor=finance_user(),
        customer=customer,
        kind="service",
        lines=[
            {"kind": "part", "description": "HDD 16TB replacement", "amount": Decimal("450.00")},
            {"kind": "service", "description": "On-site visit", "amount": Decimal("1200.00")},
        ],
        at=ISSUED_AT,
    )


def render(number: str) -> bytes:
    return invoice_pdf(Invoice.objects.select_related("customer", "rma").get(number=number))


# ------------------------------------------------------------------------------ the document


def test_the_pdf_shows_the_vendor_customer_dates_lines_and_totals(berlin):
    invoice = service_invoice(berlin)
    lines = pdf_lines(render(invoice.number))
    # Issue 14: the seller's legal details from the policy file's [vendor] table head it.
    assert lines[:5] == [
        "Example Storage Systems, Inc.",
        "2490 Kruse Drive, San Jose, CA 95131, US",
        "Tax ID: EIN 12-3456789 · VAT ID: DE123456789",
        "support@vendor.example · +1 408 555 0100",
        "Invoice INV-000001",
    ]
    for expected in [
        "Kunde Berlin GmbH",
        "Country: DE",  # no address on record: the country alone
        "ap@kunde.example",
        # T1: the issue time in the customer's zone; F1: due 30 days after the vendor date.
        "Issued: Mon 02 Nov 2026 19:00 CET",
        "Due: Wed 02 Dec 2026 (net 30 days, rule F1)",
        "HDD 16TB replacement 450.00 USD",
        "On-site visit 1200.00 USD",
        "Principal 1650.00 USD",
        "Late fees 0.00 USD",
        "Credit notes 0.00 USD",
        "Payments 0.00 USD",
        "Amount due 1650.00 USD",
    ]:
        assert expected in lines, expected
    text = "\n".join(lines)
    assert "For RMA" not in text  # not an RMA's invoice
    assert "F2" not in text.replace("rule F1", "")  # no late fees, no late-fee note


def test_payments_and_credit_notes_reduce_the_amount_due(berlin):
    invoice = service_invoice(berlin)
    with clock.frozen_at(PAID_AT):
        services.record_payment(
            actor=finance_user(),
            invoice=invoice,
            amount=Decimal("1000.00"),
            received_at=PAID_AT,
            reference="WIRE 4471",
        )
        services.issue_credit_note(
            actor=finance_user(), invoice=invoice, amount=Decimal("50.00"), reason="Goodwill"
        )
    lines = pdf_lines(render(invoice.number))
    for expected in [
        "Credit notes -50.00 USD",
        "Payments -1000.00 USD",
        "Amount due 600.00 USD",
        "PAYMENTS RECEIVED",
        "Fri 20 Nov 2026 10:30 CET (reference WIRE 4471) 1000.00 USD",
        "CREDIT NOTES",
        "CN-000001, Fri 20 Nov 2026 10:30 CET: Goodwill 50.00 USD",
    ]:
        assert expected in lines, (expected, lines)


def test_a_paid_invoice_says_so_and_owes_nothing(berlin):
    invoice = service_invoice(berlin)
    with clock.frozen_at(PAID_AT):
        services.record_payment(
            actor=finance_user(), invoice=invoice, amount=Decimal("1650.00"), received_at=PAID_AT
        )
    lines = pdf_lines(render(invoice.number))
    assert "Status: paid Fri 20 Nov 2026 10:30 CET" in lines
    assert "Amount due 0.00 USD" in lines


def test_r4_day_14_invoice_names_its_rma_and_parts():
    rma = advance_exchange()
    assert services.invoice_unreturned_parts(now=DAY_14) == 1
    invoice = Invoice.objects.get()
    lines = pdf_lines(render(invoice.number))
    for expected in [
        f"For RMA {rma.number}",
        "Kind: unreturned advance-exchange parts (R4)",
        f"Unreturned HDD 16TB (serial ZL0001), advance exchange RMA {rma.number} (rule R4) "
        "450.00 USD",
        f"Unreturned drive sled, advance exchange RMA {rma.number} (rule R4) 180.00 USD",
        "Amount due 630.00 USD",
        # The factory customer is in Los Angeles: 10:00 PST on day 14, net 30 (F1).
        "Issued: Mon 16 Nov 2026 10:00 PST",
        "Due: Wed 16 Dec 2026 (net 30 days, rule F1)",
    ]:
        assert expected in lines, (expected, lines)


def test_f2_late_fee_lines_come_with_the_rule(berlin):
    invoice = service_invoice(berlin)
    # F2: due 2 December; on 3 February two full months have passed → 2 × 1.5% of 1650.00.
    assert services.accrue_late_fees(now=dt.datetime(2027, 2, 3, 18, 0, tzinfo=UTC)) == 2
    text = pdf_text(render(invoice.number))
    assert "Late fees 49.50 USD" in text
    assert "Amount due 1699.50 USD" in text
    assert "LATE FEES (RULE F2)" in text
    assert (
        "An overdue invoice accrues a late fee of 1.5% of its unpaid principal for each full "
        "month past its due date, not compounded (rule F2)." in " ".join(text.splitlines())
    )
    assert text.count("24.75 USD") == 2  # one line per month


def test_two_renders_are_byte_identical_however_the_invoice_was_read(berlin):
    invoice = service_invoice(berlin)
    first = render(invoice.number)
    assert first.startswith(b"%PDF")
    assert render(invoice.number) == first
    # Read through the authorization selector (totals from annotations): the same bytes.
    staff = add_user(email="agent-pdf@vendor.example", role="agent")
    assert invoice_pdf(invoice_for(staff, invoice.number)) == first


def test_many_lines_flow_onto_more_pages(berlin):
    invoice = services.issue_invoice(
        actor=finance_user(),
        customer=berlin,
        kind="service",
        lines=[
            {"kind": "part", "description": f"Part {n:03d} " + "x" * 90, "amount": Decimal("1.00")}
            for n in range(80)
        ],
        at=ISSUED_AT,
    )
    content = render(invoice.number)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) > 1
    text = pdf_text(content)
    assert "Invoice INV-000001 (continued)" in text
    assert "Part 079" in text
    assert "Amount due 80.00 USD" in text


# ----------------------------------------------------------------------- the notification


def test_the_issued_and_late_fee_notifications_carry_the_invoice_spec(berlin):
    invoice = service_invoice(berlin)
    services.accrue_late_fees(now=dt.datetime(2027, 1, 3, 18, 0, tzinfo=UTC))
    spec = {"type": "invoice", "invoice": invoice.number}
    rows = OutboxMessage.objects.filter(kind__in=["invoice_issued", "late_fee_added"])
    assert sorted(rows.values_list("kind", flat=True)) == ["invoice_issued", "late_fee_added"]
    for row in rows:
        assert row.attachments == [spec]  # the spec only: the PDF is made when sending
    filename, content, mimetype = render_attachment(spec)
    assert (filename, mimetype) == ("invoice-INV-000001.pdf", "application/pdf")
    assert content == render(invoice.number)


def test_the_worker_delivers_the_invoice_pdf_over_smtp(smtp: SmtpServer, berlin):
    invoice = service_invoice(berlin)
    assert deliver_outbox(now=ISSUED_AT) == 1
    [mail] = smtp.messages
    assert mail.subject == f"Invoice {invoice.number}"
    [(filename, content)] = mail.attachments()
    assert filename == "invoice-INV-000001.pdf"
    assert content == render(invoice.number)
    lines = pdf_lines(content)
    assert "Invoice INV-000001" in lines
    assert "Amount due 1650.00 USD" in lines


# -------------------------------------------------------------------------------- downloads


def test_portal_download_own_invoice_and_404_for_another_customers(berlin):
    invoice = service_invoice(berlin)
    mine = Client()
    mine.force_login(add_user(email="anna@kunde.example", role="customer", customer_id=berlin.pk))
    page = mine.get(f"/portal/invoices/{invoice.number}/")
    assert f'href="/portal/invoices/{invoice.number}/invoice.pdf"' in page.content.decode()
    response = mine.get(f"/portal/invoices/{invoice.number}/invoice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice-INV-000001.pdf"'
    assert response["Cache-Control"] == "private, no-store"  # issue 13: never kept on the way
    assert response.content == render(invoice.number)

    other = Client()
    other_customer = CustomerFactory()
    other.force_login(
        add_user(email="eve@other.example", role="customer", customer_id=other_customer.pk)
    )
    assert other.get(f"/portal/invoices/{invoice.number}/invoice.pdf").status_code == 404
    assert other.get("/portal/invoices/INV-999999/invoice.pdf").status_code == 404
    assert mine.post(f"/portal/invoices/{invoice.number}/invoice.pdf").status_code == 405


@pytest.mark.parametrize("role", ["agent", "clerk", "finance", "manager", "admin"])
def test_console_download_for_every_staff_role(berlin, role):
    invoice = service_invoice(berlin)
    client = Client()
    sign_in(client, add_user(email=f"{role}-pdf@vendor.example", role=role))
    page = client.get(f"/console/invoices/{invoice.number}/")
    assert f'href="/console/invoices/{invoice.number}/invoice.pdf"' in page.content.decode()
    response = client.get(f"/console/invoices/{invoice.number}/invoice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == render(invoice.number)
    assert client.get("/console/invoices/INV-999999/invoice.pdf").status_code == 404


def test_api_download_for_the_customer_and_404_for_another(berlin, contact, staff):
    invoice = service_invoice(berlin)
    path = f"/invoices/{invoice.number}/invoice.pdf"
    own = contact(berlin).get(path)
    assert own.status == 200
    assert own.content_type == "application/pdf"
    assert "Invoice INV-000001" in pdf_lines(own.content)
    assert staff("finance").get(path).status == 200
    assert contact(CustomerFactory()).get(path).status == 404
