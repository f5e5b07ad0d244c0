"""What every billing document has on paper: the page that flows, the letterhead, the parties.

An invoice or a credit note a business can file names both parties with their legal details:
the seller's legal name, address, tax and VAT IDs (the policy file's `[vendor]` table), and the
customer's billing address and VAT ID. Text is set with `rmadesk.core.pdf_text`, so a name in
any script prints (issue 14).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

# reportlab ships no type information (no stubs in the dev group): its names are Any here.
from reportlab.lib.pagesizes import LETTER  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from rmadesk.core.pdf_text import PdfText, language_for_country
from rmadesk.customers.models import Customer
from rmadesk.policy.loader import Policy

INCH = 72.0  # PDF points
PAGE_SIZE = LETTER
PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.75 * INCH
BODY = 10.0  # font size of the body text
LEADING = BODY + 4
AMOUNT_COLUMN = 1.35 * INCH  # room kept on the right for amounts (999999.99 USD in bold)
FOOTER = MARGIN - 0.3 * INCH


class Page:
    """Draws text downwards from the top, starting a new page when the next line would not fit.

    Every page carries a footer naming the document, the page number and whom to ask.
    """

    def __init__(self, pdf: Canvas, title: str, *, customer: Customer, footer: str = "") -> None:
        self.pdf = pdf
        self.title = title
        self.footer_note = footer
        self.number = 1
        self.y = PAGE_HEIGHT - MARGIN
        self.writer = PdfText(pdf, hint=language_for_country(customer.country))

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self._footer()
            self.pdf.showPage()
            self.number += 1
            self.y = PAGE_HEIGHT - MARGIN
            self.text(_("%(title)s (continued)") % {"title": self.title}, bold=True)
            self.gap(6)

    def _footer(self) -> None:
        page = _("%(title)s, page %(number)s") % {"title": self.title, "number": self.number}
        self.writer.draw(MARGIN, FOOTER, page, 8)
        if self.footer_note:
            self.writer.draw(PAGE_WIDTH - MARGIN, FOOTER, self.footer_note, 8, align="right")

    def gap(self, points: float) -> None:
        self.y -= points

    def heading(self, text: str) -> None:
        self.text(text, bold=True, size=8)

    def text(self, text: str, *, bold: bool = False, size: float = BODY) -> None:
        for piece in self.writer.wrap(text, size, PAGE_WIDTH - 2 * MARGIN, bold=bold):
            self._room(size + 4)
            self.y -= size + 4
            self.writer.draw(MARGIN, self.y, piece, size, bold=bold)

    def lines(self, lines: list[str] | tuple[str, ...], *, bold_first: bool = False) -> None:
        for index, line in enumerate(lines):
            self.text(line, bold=bold_first and index == 0)

    def row(self, label: str, amount: str, *, bold: bool = False) -> None:
        """A description on the left (wrapped), its amount right-aligned on the first line."""
        width = PAGE_WIDTH - 2 * MARGIN - AMOUNT_COLUMN
        for index, piece in enumerate(self.writer.wrap(label, BODY, width, bold=bold)):
            self._room(LEADING)
            self.y -= LEADING
            self.writer.draw(MARGIN, self.y, piece, BODY, bold=bold)
            if index == 0:
                self.writer.draw(
                    PAGE_WIDTH - MARGIN, self.y, amount, BODY, bold=bold, align="right"
                )

    def rule(self) -> None:
        """A thin line across the page, in the gap between two lines of text."""
        self._room(8)
        self.y -= 5  # below the descenders of the line above
        self.pdf.setLineWidth(0.5)
        self.pdf.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y -= 2

    def finish(self) -> None:
        self._footer()
        self.pdf.showPage()


def letterhead(page: Page, policy: Policy) -> None:
    """The seller: legal name, address, tax and VAT IDs; the policy's name without a vendor."""
    vendor = policy.vendor
    if vendor is None:
        page.text(policy.name, bold=True, size=12)
        return
    page.text(vendor.legal_name, bold=True, size=12)
    page.text(", ".join(vendor.address_lines))
    ids = []
    if vendor.tax_id:
        ids.append(_("Tax ID: %(id)s") % {"id": vendor.tax_id})
    if vendor.vat_id:
        ids.append(_("VAT ID: %(id)s") % {"id": vendor.vat_id})
    if ids:
        page.text(" · ".join(ids))
    contact = [part for part in (vendor.support_email, vendor.support_phone) if part]
    if contact:
        page.text(" · ".join(contact))


def footer_note(policy: Policy) -> str:
    vendor = policy.vendor
    return vendor.legal_name if vendor is not None else ""


def bill_to(page: Page, customer: Customer, *, heading: str = "") -> None:
    """The customer as billed: name, billing address (else postal), VAT ID, email."""
    page.heading(heading or _("BILL TO"))
    page.text(customer.name, bold=True)
    lines = customer.billing_lines
    if lines:
        page.lines(lines)
    else:
        page.text(_("Country: %(country)s") % {"country": customer.country})
    if customer.vat_id:
        page.text(_("VAT ID: %(id)s") % {"id": customer.vat_id})
    page.text(customer.email)
