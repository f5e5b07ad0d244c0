"""The invoice as a US Letter PDF: what the portal's invoice page shows, on paper (F1, F2, F4, R4).

The document reads like the customer's portal page: times in the customer's zone (T1), the due
date as the vendor's calendar date it is counted on (F1), every amount to the cent with its
currency (F4). It shows only what is stored (no "overdue as of today"), so the same invoice in the
same state always renders to the same bytes; rendering reads the database and is done off the
web request when mailed (the outbox worker renders attachments at send time).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

# reportlab ships no type information (no stubs in the dev group): its names are Any here.
from django.conf import settings
from django.utils import translation
from reportlab.lib.pagesizes import LETTER  # type: ignore[import-untyped]
from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from rmadesk.billing.choices import InvoiceKind, InvoiceStatus, LineKind
from rmadesk.billing.models import Invoice
from rmadesk.billing.selectors import invoice_totals
from rmadesk.core.policies import active_policy
from rmadesk.customers.selectors import customer_language
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.service_levels import local_text

INCH = 72.0  # PDF points
PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.75 * INCH
BODY = 10.0  # font size of the body text
LEADING = BODY + 4
AMOUNT_COLUMN = 1.6 * INCH  # room kept on the right for amounts
FOOTER = MARGIN - 0.3 * INCH


def money(amount: Decimal, currency: str) -> str:
    """`1030.00 USD`: to the cent with its currency, like the portal (F4); never a float."""
    return f"{Decimal(amount):.2f} {currency}"


def invoice_filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number}.pdf"


def invoice_pdf(invoice: Invoice, language: str | None = None) -> bytes:
    """The invoice as PDF bytes (same invoice in the same state, same bytes).

    Issue 14: in `language`, by default the customer's (the choice of the contact with the
    customer's own address, else the site's); times in the customer's zone (T1).
    """
    if language is None:
        language = customer_language(invoice.customer)
    with translation.override(language or settings.LANGUAGE_CODE):
        return _invoice_pdf(invoice)


def _invoice_pdf(invoice: Invoice) -> bytes:
    policy = active_policy()
    customer = invoice.customer
    zone = _customer_zone(customer.zone, policy.vendor_zone)
    currency = invoice.currency
    totals = invoice_totals(invoice)
    lines = list(invoice.lines.all())
    payments = list(invoice.payments.all())
    credit_notes = list(invoice.credit_notes.all())

    buffer = io.BytesIO()
    # invariant: no creation time or random document id, so two renders are byte-identical.
    pdf = Canvas(buffer, pagesize=LETTER, invariant=True)
    pdf.setTitle(f"Invoice {invoice.number}")
    pdf.setAuthor("rmadesk")
    pdf.setSubject(f"Invoice {invoice.number} for {customer.name}")
    page = _Page(pdf, f"Invoice {invoice.number}")

    # Heading: who bills, which invoice.
    page.text(policy.name, font="Helvetica-Bold", size=12)
    page.gap(4)
    page.text(f"Invoice {invoice.number}", font="Helvetica-Bold", size=20)
    page.gap(8)

    page.heading("BILL TO")
    page.text(customer.name, font="Helvetica-Bold")
    page.text(f"Country: {customer.country}")
    page.text(customer.email)
    page.gap(6)

    facts = [
        f"Issued: {local_text(invoice.issued_at, zone)}",
        f"Due: {invoice.due_on:%a %d %b %Y} ({_terms(customer.payment_terms_days)})",
        f"Kind: {InvoiceKind(invoice.kind).label}",
    ]
    if invoice.rma is not None:
        facts.append(f"For RMA {invoice.rma.number}")
    if invoice.status == InvoiceStatus.PAID and invoice.paid_at is not None:
        facts.append(f"Status: paid {local_text(invoice.paid_at, zone)}")
    elif invoice.status != InvoiceStatus.OPEN:
        facts.append(f"Status: {InvoiceStatus(invoice.status).label}")
    for fact in facts:
        page.text(fact)
    page.gap(8)

    # The lines, amounts right-aligned.
    page.rule()
    page.row("Description", "Amount", font="Helvetica-Bold")
    page.rule()
    for line in lines:
        page.row(line.description, money(line.amount, currency))
    page.rule()

    # Totals: what is charged, what settled it, what is still owed.
    page.row("Principal", money(totals.principal, currency))
    page.row("Late fees", money(totals.late_fees, currency))
    page.row("Credit notes", _less(totals.credits, currency))
    page.row("Payments", _less(totals.payments, currency))
    due = max(totals.balance, Decimal("0.00"))
    page.row("Amount due", money(due, currency), font="Helvetica-Bold")
    if totals.balance < 0:
        page.row("Credit owed to you", money(-totals.balance, currency))
    page.gap(8)

    if payments:
        page.heading("PAYMENTS RECEIVED")
        for payment in payments:
            reference = f" (reference {payment.reference})" if payment.reference else ""
            page.row(
                f"{local_text(payment.received_at, zone)}{reference}",
                money(payment.amount, currency),
            )
        page.gap(6)
    if credit_notes:
        page.heading("CREDIT NOTES")
        for note in credit_notes:
            page.row(
                f"{note.number}, {local_text(note.issued_at, zone)}: {note.reason}",
                money(note.amount, currency),
            )
        page.gap(6)

    if any(line.kind == LineKind.LATE_FEE for line in lines):
        rate = policy.document.money.late_fee_rate_per_month * 100
        page.heading("LATE FEES (RULE F2)")
        page.text(
            f"An overdue invoice accrues a late fee of {format(rate.normalize(), 'f')}% of its "
            "unpaid principal for each full month past its due date, not compounded (rule F2)."
        )
        page.gap(6)

    page.finish()
    pdf.save()
    return buffer.getvalue()


def _customer_zone(name: str, vendor_zone: dt.tzinfo) -> dt.tzinfo:
    """The customer's zone (T1), or the vendor's when the stored name is not a known zone."""
    try:
        return zone_named(name)
    except PolicyError:
        return vendor_zone


def _less(amount: Decimal, currency: str) -> str:
    """An amount taken off the total: `-100.00 USD`, and plain `0.00 USD` when there is none."""
    return ("-" if amount else "") + money(amount, currency)


def _terms(days: int) -> str:
    return "payment upfront, rule F1" if days == 0 else f"net {days} days, rule F1"


class _Page:
    """Draws text downwards from the top, starting a new page when the next line would not fit.

    Every page carries a footer naming the invoice and the page number.
    """

    def __init__(self, pdf: Canvas, title: str) -> None:
        self.pdf = pdf
        self.title = title
        self.number = 1
        self.y = PAGE_HEIGHT - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self._footer()
            self.pdf.showPage()
            self.number += 1
            self.y = PAGE_HEIGHT - MARGIN
            self.text(f"{self.title} (continued)", font="Helvetica-Bold")
            self.gap(6)

    def _footer(self) -> None:
        self.pdf.setFont("Helvetica", 8)
        self.pdf.drawString(MARGIN, FOOTER, f"{self.title}, page {self.number}")

    def gap(self, points: float) -> None:
        self.y -= points

    def heading(self, text: str) -> None:
        self.text(text, font="Helvetica-Bold", size=8)

    def text(self, text: str, *, font: str = "Helvetica", size: float = BODY) -> None:
        for piece in _wrap(text, font, size, PAGE_WIDTH - 2 * MARGIN):
            self._room(size + 4)
            self.y -= size + 4
            self.pdf.setFont(font, size)
            self.pdf.drawString(MARGIN, self.y, piece)

    def row(self, label: str, amount: str, *, font: str = "Helvetica") -> None:
        """A description on the left (wrapped), its amount right-aligned on the first line."""
        pieces = _wrap(label, font, BODY, PAGE_WIDTH - 2 * MARGIN - AMOUNT_COLUMN)
        for index, piece in enumerate(pieces):
            self._room(LEADING)
            self.y -= LEADING
            self.pdf.setFont(font, BODY)
            self.pdf.drawString(MARGIN, self.y, piece)
            if index == 0:
                self.pdf.drawRightString(PAGE_WIDTH - MARGIN, self.y, amount)

    def rule(self) -> None:
        self._room(6)
        self.y -= 4
        self.pdf.setLineWidth(0.5)
        self.pdf.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y -= 2

    def finish(self) -> None:
        self._footer()
        self.pdf.showPage()


def _wrap(text: str, font: str, size: float, width: float) -> Sequence[str]:
    """The text in lines that fit `width`; a word longer than a line is cut, never run off."""
    pieces: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        rest = line
        while stringWidth(rest, font, size) > width and len(rest) > 1:
            cut = len(rest)
            while cut > 1 and stringWidth(rest[:cut], font, size) > width:
                cut -= 1
            pieces.append(rest[:cut])
            rest = rest[cut:]
        pieces.append(rest)
    return pieces
