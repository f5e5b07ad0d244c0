"""The RMA return shipping label: a 4 x 6 inch PDF with the RMA number and its barcode (R2).

The number is printed on the label, large and as a Code 128 barcode that receiving scans (R3),
so the customer is never asked to write it on the box (R2). The label also says until when the
number is valid (R1) and, for an advance exchange, until when the prepaid label is (R4), what
the customer confirmed and that the vendor takes no liability for lost data (R6). Times
are shown on the vendor's wall clock, where the package is received.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import translation

# reportlab ships no type information (no stubs in the dev group): its names are Any here.
from reportlab.graphics.barcode.code128 import Code128  # type: ignore[import-untyped]
from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from rmadesk.core.policies import active_policy
from rmadesk.customers.selectors import contact_language
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.service_levels import local_text
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import required_confirmations

# Where returns go. A deployment sets RMADESK_RETURNS_ADDRESS (a list of lines) in settings.
DEFAULT_RETURNS_ADDRESS = (
    "RMA Receiving",
    "Vendor Returns Department",
    "2490 Kruse Drive",
    "San Jose, CA 95131",
    "United States",
)
INCH = 72.0  # PDF points
PAGE_WIDTH, PAGE_HEIGHT = 4 * INCH, 6 * INCH
MARGIN = 0.2 * INCH
BARCODE_FORM = "rma_barcode"  # the XObject holding the bars, so the barcode is one drawing
FOOTER = MARGIN + 10  # the footer line and the space above it
KIND_TEXT = {
    RmaKind.REPAIR: "Repair (whole system)",
    RmaKind.REPLACEMENT: "Replacement (whole system)",
    RmaKind.ADVANCE_EXCHANGE: "Advance exchange (component)",
    RmaKind.MONEY_BACK: "Money-back return (whole system)",
}
CONFIRMATION_TEXT = {
    "data_backed_up": "data backed up",
    "removable_media_removed": "removable media removed",
    "original_packaging": "original or equivalent packaging",
    "insured": "insured",
}
# R6: the label travels with the return, so it repeats the notice (short: the label is small).
NO_LIABILITY_LINE = "The vendor takes no liability for lost data or software (rule R6)."


def returns_address() -> tuple[str, ...]:
    return tuple(getattr(settings, "RMADESK_RETURNS_ADDRESS", None) or DEFAULT_RETURNS_ADDRESS)


def barcode_value(rma: Rma) -> str:
    """What the barcode encodes: the RMA number's digits, which receiving reads back (R3)."""
    return str(rma.number)


def label_pdf(rma: Rma, language: str | None = None) -> bytes:
    """The return label of an RMA as PDF bytes (same RMA, same bytes).

    Issue 14: in `language`, by default the requester's (their contact's choice, else the
    site's), with its times in the customer's zone (T1).
    """
    customer = rma.ticket.customer
    if language is None:
        language = contact_language(customer.pk, rma.ticket.requester_email)
    with translation.override(language or settings.LANGUAGE_CODE):
        return _label_pdf(rma)


def _label_pdf(rma: Rma) -> bytes:
    policy = active_policy()
    customer = rma.ticket.customer
    try:
        zone = zone_named(customer.zone)
    except PolicyError:
        zone = policy.vendor_zone
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    pdf.setTitle(f"Return label, RMA {rma.number}")
    pdf.setAuthor("rmadesk")
    pdf.setSubject(f"RMA {rma.number} return shipping label (rule R2)")
    width = PAGE_WIDTH - 2 * MARGIN
    y = PAGE_HEIGHT - MARGIN

    y = _block(pdf, "SHIP TO", returns_address(), y, bold_first=True, size=10)
    pdf.setLineWidth(1)
    pdf.line(MARGIN, y + 4, PAGE_WIDTH - MARGIN, y + 4)
    origin = [customer.name, customer.email, f"Country: {customer.country}"]
    y = _block(pdf, "FROM", origin, y - 6, size=9)
    pdf.line(MARGIN, y + 4, PAGE_WIDTH - MARGIN, y + 4)

    # The number, large, then the same number as a Code 128 barcode (R2).
    number_text = f"RMA {rma.number}"
    size = 30.0
    while float(stringWidth(number_text, "Helvetica-Bold", size)) > width and size > 12:
        size -= 1
    y -= size
    pdf.setFont("Helvetica-Bold", size)
    pdf.drawCentredString(PAGE_WIDTH / 2, y, number_text)
    y = _barcode(pdf, barcode_value(rma), y - 8, width)

    lines = [
        f"Kind: {KIND_TEXT.get(RmaKind(rma.kind), rma.kind)}",
        f"RMA valid until {local_text(rma.expires_at, zone)}",
    ]
    if rma.kind == RmaKind.ADVANCE_EXCHANGE and rma.label_expires_at is not None:
        lines.append(f"Prepaid label valid until {local_text(rma.label_expires_at, zone)}")
    confirmed = [CONFIRMATION_TEXT[name] for name in required_confirmations(rma.kind)]
    lines.append(f"Customer confirmed: {', '.join(confirmed)}")
    lines.append(NO_LIABILITY_LINE)
    y = _block(pdf, None, lines, y - 4, size=9)

    # The contents, as many lines as fit above the footer; the rest counted.
    items = list(rma.items.all())
    item_size = 8.0
    room = int((y - 4 - 9 - FOOTER) // (item_size + 3))
    shown_count = len(items) if len(items) <= room else max(room - 1, 0)
    shown = [
        f"{item.part}" + (f", serial {item.serial}" if item.serial else "")
        for item in items[:shown_count]
    ]
    if shown_count < len(items):
        shown.append(f"and {len(items) - shown_count} more")
    _block(pdf, "CONTENTS", shown, y - 4, size=item_size, wrap=False)

    pdf.setFont("Helvetica", 7)
    pdf.drawString(
        MARGIN,
        MARGIN,
        f"Attach this label to the outside of the package. Ticket {rma.ticket.number}.",
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _block(
    pdf: Canvas,
    heading: str | None,
    lines: Sequence[str],
    y: float,
    *,
    size: float,
    bold_first: bool = False,
    wrap: bool = True,
) -> float:
    """Draw a heading and lines from `y` downwards; return the y below them.

    Long lines wrap onto the next (or, with `wrap=False`, are shortened with an ellipsis).
    """
    width = PAGE_WIDTH - 2 * MARGIN
    if heading:
        y -= 9
        pdf.setFont("Helvetica-Bold", 7)
        pdf.drawString(MARGIN, y, heading)
    for index, line in enumerate(lines):
        font = "Helvetica-Bold" if bold_first and index == 0 else "Helvetica"
        pieces = simpleSplit(line, font, size, width) if wrap else [_fit(line, font, size)]
        pdf.setFont(font, size)
        for piece in pieces or [""]:
            y -= size + 3
            pdf.drawString(MARGIN, y, piece)
    return y - 4


def _fit(text: str, font: str, size: float) -> str:
    """Shorten a line that would run off the label."""
    width = PAGE_WIDTH - 2 * MARGIN
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _barcode(pdf: Canvas, value: str, top: float, width: float) -> float:
    """Draw `value` as a Code 128 barcode centred below `top`; return the y below it."""
    bar_height = 0.75 * INCH
    bar_width = 1.5
    barcode = Code128(value, barWidth=bar_width, barHeight=bar_height, humanReadable=False)
    while barcode.width > width and bar_width > 0.6:
        bar_width -= 0.1
        barcode = Code128(value, barWidth=bar_width, barHeight=bar_height, humanReadable=False)
    pdf.beginForm(BARCODE_FORM)
    barcode.drawOn(pdf, 0, 0)
    pdf.endForm()
    bottom: float = top - bar_height
    pdf.saveState()
    pdf.translate((PAGE_WIDTH - barcode.width) / 2, bottom)
    pdf.doForm(BARCODE_FORM)
    pdf.restoreState()
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(PAGE_WIDTH / 2, bottom - 10, value)
    return bottom - 14
