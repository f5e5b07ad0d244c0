"""The RMA return shipping label: a 4 x 6 inch PDF with the RMA number and its barcode (R2).

The number is printed on the label, large and as a Code 128 barcode that receiving scans (R3),
so the customer is never asked to write it on the box (R2). The label also says until when the
number is valid (R1) and, for an advance exchange, until when the prepaid label is (R4), what
the customer confirmed and that the vendor takes no liability for lost data (R6). Times
are shown on the vendor's wall clock, where the package is received.

Both addresses are whole street addresses (issue 14): the sender is the customer's postal
address, the recipient the vendor's returns address from the policy file. Names and addresses
print in any script (`rmadesk.core.pdf_text`), and the rules between blocks are drawn in the
gap below the last line's descenders, never through a line of text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

# reportlab ships no type information (no stubs in the dev group): its names are Any here.
from reportlab.graphics.barcode.code128 import Code128  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from rmadesk.core.pdf_text import PdfText, language_for_country
from rmadesk.core.policies import active_policy
from rmadesk.customers.selectors import contact_language
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.service_levels import local_text
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import required_confirmations, return_tracking

# Where returns go: the policy file's `[vendor]` returns address (or its legal address). A
# deployment may still override it with RMADESK_RETURNS_ADDRESS (a list of lines) in settings;
# with neither, this placeholder.
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
BLANK = "__________"  # room to write in by hand


def kind_text(kind: str) -> str:
    texts: dict[str, str] = {
        RmaKind.REPAIR: _("Repair (whole system)"),
        RmaKind.REPLACEMENT: _("Replacement (whole system)"),
        RmaKind.ADVANCE_EXCHANGE: _("Advance exchange (component)"),
        RmaKind.MONEY_BACK: _("Money-back return (whole system)"),
    }
    return texts.get(kind, kind)


def confirmation_text(name: str) -> str:
    return {
        "data_backed_up": _("data backed up"),
        "removable_media_removed": _("removable media removed"),
        "original_packaging": _("original or equivalent packaging"),
        "insured": _("insured"),
    }.get(name, name)


def no_liability_line() -> str:
    # R6: the label travels with the return, so it repeats the notice (short: the label is small).
    return _("The vendor takes no liability for lost data or software (rule R6).")


def returns_address() -> tuple[str, ...]:
    configured = getattr(settings, "RMADESK_RETURNS_ADDRESS", None)
    if configured:
        return tuple(configured)
    vendor = active_policy().vendor
    return vendor.returns_lines if vendor is not None else DEFAULT_RETURNS_ADDRESS


def barcode_value(rma: Rma) -> str:
    """What the barcode encodes: the RMA number's digits, which receiving reads back (R3)."""
    return str(rma.number)


def label_pdf(
    rma: Rma,
    language: str | None = None,
    *,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> bytes:
    """The return label of an RMA as PDF bytes (same RMA, same bytes).

    Issue 14: in `language`, by default the requester's (their contact's choice, else the
    site's), with its times in the customer's zone (T1). The carrier and tracking number print
    when given, else the return's as recorded (R2); without either the label leaves room to
    write them in by hand.
    """
    customer = rma.ticket.customer
    if language is None:
        language = contact_language(customer.pk, rma.ticket.requester_email)
    with translation.override(language or settings.LANGUAGE_CODE):
        return _label_pdf(rma, carrier=carrier, tracking_number=tracking_number)


def _label_pdf(rma: Rma, *, carrier: str | None, tracking_number: str | None) -> bytes:
    policy = active_policy()
    customer = rma.ticket.customer
    try:
        zone = zone_named(customer.zone)
    except PolicyError:
        zone = policy.vendor_zone
    recorded = return_tracking(rma)
    if carrier is None and recorded is not None:
        carrier = recorded.carrier_title
    if tracking_number is None and recorded is not None:
        tracking_number = recorded.number
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    pdf.setTitle(f"Return label, RMA {rma.number}")
    pdf.setAuthor("rmadesk")
    pdf.setSubject(f"RMA {rma.number} return shipping label (rule R2)")
    writer = PdfText(pdf, hint=language_for_country(customer.country))
    width = PAGE_WIDTH - 2 * MARGIN
    y = PAGE_HEIGHT - MARGIN

    y = _block(writer, _("SHIP TO"), returns_address(), y, bold_first=True, size=10)
    y = _rule(pdf, y)
    origin = [customer.name, *(customer.address_lines or [customer.country]), customer.email]
    y = _block(writer, _("FROM"), origin, y, bold_first=True, size=8.5)
    y = _rule(pdf, y)
    shipped_with = _("Carrier: %(carrier)s   Tracking no.: %(tracking)s") % {
        "carrier": carrier or BLANK,
        "tracking": tracking_number or BLANK,
    }
    y = _block(writer, None, [shipped_with], y, size=8.5)
    y = _rule(pdf, y)

    # The number, large, then the same number as a Code 128 barcode (R2).
    number_text = f"RMA {rma.number}"
    size = 28.0
    while writer.width(number_text, size, bold=True) > width and size > 12:
        size -= 1
    y -= size
    writer.draw(PAGE_WIDTH / 2, y, number_text, size, bold=True, align="centre")
    y = _barcode(pdf, writer, barcode_value(rma), y - 6, width)

    lines = [
        _("Kind: %(kind)s") % {"kind": kind_text(rma.kind)},
        _("RMA valid until %(when)s") % {"when": local_text(rma.expires_at, zone)},
    ]
    if rma.kind == RmaKind.ADVANCE_EXCHANGE and rma.label_expires_at is not None:
        lines.append(
            _("Prepaid label valid until %(when)s")
            % {"when": local_text(rma.label_expires_at, zone)}
        )
    confirmed = [confirmation_text(name) for name in required_confirmations(rma.kind)]
    lines.append(_("Customer confirmed: %(list)s") % {"list": ", ".join(confirmed)})
    lines.append(no_liability_line())
    y = _block(writer, None, lines, y, size=8)

    # The contents, as many lines as fit above the footer; the rest counted.
    items = list(rma.items.all())
    item_size = 7.5
    room = int((y - 9 - FOOTER) // (item_size + 3))
    shown_count = len(items) if len(items) <= room else max(room - 1, 0)
    shown = [
        f"{item.part}" + (f", serial {item.serial}" if item.serial else "")
        for item in items[:shown_count]
    ]
    if shown_count < len(items):
        shown.append(_("and %(count)s more") % {"count": len(items) - shown_count})
    _block(writer, _("CONTENTS"), shown, y, size=item_size, wrap=False)

    writer.draw(
        MARGIN,
        MARGIN,
        _("Attach this label to the outside of the package. Ticket %(number)s.")
        % {"number": rma.ticket.number},
        7,
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _rule(pdf: Canvas, y: float) -> float:
    """A separating line at `y` (below the last block's descenders); the y below it."""
    pdf.setLineWidth(1)
    pdf.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
    return y - 2


def _block(
    writer: PdfText,
    heading: str | None,
    lines: Sequence[str],
    y: float,
    *,
    size: float,
    bold_first: bool = False,
    wrap: bool = True,
) -> float:
    """Draw a heading and lines from `y` downwards; return a y below the last line's descenders.

    Long lines wrap onto the next (or, with `wrap=False`, are shortened with an ellipsis).
    """
    width = PAGE_WIDTH - 2 * MARGIN
    if heading:
        y -= 9
        writer.draw(MARGIN, y, heading, 7, bold=True)
    for index, line in enumerate(lines):
        bold = bold_first and index == 0
        pieces = (
            writer.wrap(line, size, width, bold=bold)
            if wrap
            else [writer.fit(line, size, width, bold=bold)]
        )
        for piece in pieces or [""]:
            y -= size + 3
            writer.draw(MARGIN, y, piece, size, bold=bold)
    # The lowest glyphs reach about a quarter of the size below the baseline.
    return y - size * 0.3 - 2


def _barcode(pdf: Canvas, writer: PdfText, value: str, top: float, width: float) -> float:
    """Draw `value` as a Code 128 barcode centred below `top`; return the y below it."""
    bar_height = 0.6 * INCH
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
    writer.draw(PAGE_WIDTH / 2, bottom - 10, value, 8, align="centre")
    return bottom - 12
