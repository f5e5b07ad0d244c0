"""The invoice and the credit note as US Letter PDFs: what the portal shows, on paper (F1, F2, F4,
R4; issue 14).

The document reads like the customer's portal page: times in the customer's zone (T1), the due
date as the vendor's calendar date it is counted on (F1), every amount to the cent with its
currency (F4). Both parties' legal details head it (`paper.letterhead`, `paper.bill_to`), and an
open invoice says how to pay it. It shows only what is stored (no "overdue as of today"), so the
same invoice in the same state always renders to the same bytes; rendering reads the database
and is done off the web request when mailed (the outbox worker renders attachments at send time).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

# reportlab ships no type information (no stubs in the dev group): its names are Any here.
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from rmadesk.billing.choices import CreditNoteKind, InvoiceKind, InvoiceStatus, LineKind
from rmadesk.billing.models import CreditNote, Invoice
from rmadesk.billing.paper import PAGE_SIZE, Page, bill_to, footer_note, letterhead
from rmadesk.billing.paying import PaymentInstructions, payment_instructions
from rmadesk.billing.selectors import invoice_totals
from rmadesk.core.explanations import in_language
from rmadesk.core.policies import active_policy
from rmadesk.customers.selectors import customer_language
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.service_levels import local_text


def money(amount: Decimal, currency: str) -> str:
    """`1030.00 USD`: to the cent with its currency, like the portal (F4); never a float."""
    return f"{Decimal(amount):.2f} {currency}"


def invoice_filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number}.pdf"


def credit_note_filename(note: CreditNote) -> str:
    return f"credit-note-{note.number}.pdf"


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
    title = _("Invoice %(number)s") % {"number": invoice.number}
    # invariant: no creation time or random document id, so two renders are byte-identical.
    pdf = Canvas(buffer, pagesize=PAGE_SIZE, invariant=True)
    pdf.setTitle(title)
    pdf.setAuthor("rmadesk")
    pdf.setSubject(f"{title}, {customer.name}")
    page = Page(pdf, title, customer=customer, footer=footer_note(policy))

    # Heading: who bills, which invoice, to whom.
    letterhead(page, policy)
    page.gap(4)
    page.text(title, bold=True, size=20)
    page.gap(8)
    bill_to(page, customer)
    page.gap(6)

    facts = [
        _("Issued: %(when)s") % {"when": local_text(invoice.issued_at, zone)},
        _("Due: %(date)s (%(terms)s)")
        % {"date": f"{invoice.due_on:%a %d %b %Y}", "terms": _terms(customer.payment_terms_days)},
        _("Kind: %(kind)s") % {"kind": InvoiceKind(invoice.kind).label},
    ]
    if invoice.rma is not None:
        facts.append(_("For RMA %(number)s") % {"number": invoice.rma.number})
    if invoice.status == InvoiceStatus.PAID and invoice.paid_at is not None:
        facts.append(_("Status: paid %(when)s") % {"when": local_text(invoice.paid_at, zone)})
    elif invoice.status != InvoiceStatus.OPEN:
        facts.append(_("Status: %(status)s") % {"status": InvoiceStatus(invoice.status).label})
    for fact in facts:
        page.text(fact)
    page.gap(8)

    # The lines, amounts right-aligned.
    page.rule()
    page.row(_("Description"), _("Amount"), bold=True)
    page.rule()
    for line in lines:
        page.row(in_language(line.description), money(line.amount, currency))
    page.rule()

    # Totals: what is charged, what settled it, what is still owed.
    page.row(_("Principal"), money(totals.principal, currency))
    page.row(_("Late fees"), money(totals.late_fees, currency))
    page.row(_("Credit notes"), _less(totals.credits, currency))
    page.row(_("Payments"), _less(totals.payments, currency))
    due = max(totals.balance, Decimal("0.00"))
    page.row(_("Amount due"), money(due, currency), bold=True)
    if totals.balance < 0:
        page.row(_("Credit owed to you"), money(-totals.balance, currency))
    page.gap(8)

    if payments:
        page.heading(_("PAYMENTS RECEIVED"))
        for payment in payments:
            when = local_text(payment.received_at, zone)
            label = (
                _("%(when)s (reference %(reference)s)")
                % {"when": when, "reference": payment.reference}
                if payment.reference
                else when
            )
            page.row(label, money(payment.amount, currency))
        page.gap(6)
    if credit_notes:
        page.heading(_("CREDIT NOTES"))
        for note in credit_notes:
            page.row(
                f"{note.number}, {local_text(note.issued_at, zone)}: {note.reason}",
                money(note.amount, currency),
            )
        page.gap(6)

    if any(line.kind == LineKind.LATE_FEE for line in lines):
        rate = policy.document.money.late_fee_rate_per_month * 100
        page.heading(_("LATE FEES (RULE F2)"))
        page.text(
            _(
                "An overdue invoice accrues a late fee of %(rate)s%% of its unpaid principal "
                "for each full month past its due date, not compounded (rule F2)."
            )
            % {"rate": format(rate.normalize(), "f")}
        )
        page.gap(6)

    instructions = payment_instructions(invoice, totals)
    if instructions is not None:
        _how_to_pay(page, instructions)

    page.finish()
    pdf.save()
    return buffer.getvalue()


def _how_to_pay(page: Page, pay: PaymentInstructions) -> None:
    """The remit-to and bank details, and the reference to quote (issue 14)."""
    page.heading(_("HOW TO PAY"))
    page.text(
        _("Please pay %(amount)s quoting the reference %(reference)s.")
        % {"amount": money(pay.amount_due, pay.currency), "reference": pay.reference}
    )
    if pay.iban:
        page.text(_("Bank transfer to %(holder)s") % {"holder": pay.account_holder})
        if pay.bank_name:
            page.text(_("Bank: %(bank)s") % {"bank": pay.bank_name})
        page.text(
            _("IBAN: %(iban)s") % {"iban": pay.iban}
            + ("   " + _("BIC: %(bic)s") % {"bic": pay.bic} if pay.bic else "")
        )
    page.text(_("Remit to: %(address)s") % {"address": ", ".join(pay.remit_to)})
    if pay.pay_url:
        page.text(_("Pay online: %(url)s") % {"url": pay.pay_url})
    page.gap(6)


def credit_note_pdf(note: CreditNote, language: str | None = None) -> bytes:
    """A credit note as PDF bytes: both parties, the invoice it credits, the amount and why;
    in `language`, by default the customer's, like its invoice."""
    if language is None:
        language = customer_language(note.invoice.customer)
    with translation.override(language or settings.LANGUAGE_CODE):
        return _credit_note_pdf(note)


def _credit_note_pdf(note: CreditNote) -> bytes:
    policy = active_policy()
    invoice = note.invoice
    customer = invoice.customer
    zone = _customer_zone(customer.zone, policy.vendor_zone)
    currency = invoice.currency

    buffer = io.BytesIO()
    title = _("Credit note %(number)s") % {"number": note.number}
    pdf = Canvas(buffer, pagesize=PAGE_SIZE, invariant=True)
    pdf.setTitle(title)
    pdf.setAuthor("rmadesk")
    pdf.setSubject(f"{title}, {customer.name}")
    page = Page(pdf, title, customer=customer, footer=footer_note(policy))

    letterhead(page, policy)
    page.gap(4)
    page.text(title, bold=True, size=20)
    page.gap(8)
    bill_to(page, customer, heading=_("CREDIT TO"))
    page.gap(6)

    page.text(_("Issued: %(when)s") % {"when": local_text(note.issued_at, zone)})
    page.text(
        _("Credits invoice %(number)s of %(when)s")
        % {"number": invoice.number, "when": local_text(invoice.issued_at, zone)}
    )
    if invoice.rma is not None:
        page.text(_("For RMA %(number)s") % {"number": invoice.rma.number})
    page.gap(8)

    page.rule()
    page.row(_("Description"), _("Amount"), bold=True)
    page.rule()
    kind = (
        _("Late fee correction (rule F2)")
        if note.kind == CreditNoteKind.LATE_FEE_CORRECTION
        else _("Credit")
    )
    page.row(f"{kind}: {note.reason}", money(note.amount, currency))
    page.rule()
    page.row(_("Amount credited"), money(note.amount, currency), bold=True)
    page.gap(8)
    # Only what is stored on the note and the invoice's number: the note renders the same
    # whatever later happens to the invoice.
    page.text(
        _("This credit note reduces the amount due on invoice %(number)s by %(amount)s.")
        % {"number": invoice.number, "amount": money(note.amount, currency)}
    )

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
    if days == 0:
        return _("payment upfront, rule F1")
    return _("net %(days)s days, rule F1") % {"days": days}
