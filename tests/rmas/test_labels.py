"""The return label PDF itself (R2): what it prints, for any customer and any number of items."""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import override_settings

from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.selectors import rma_for
from rmadesk.rmas.services import issue_label
from tests.factories import CustomerFactory
from tests.rmas.factories import rma_of, user
from tests.rmas.pdf_reading import barcode_forms, decode_code128, pdf_text

pytestmark = pytest.mark.django_db


def test_r2_label_with_many_items_and_a_non_latin_customer_name():
    customer = CustomerFactory(name="株式会社ストレージ Müller", country="JP", zone="Asia/Tokyo")
    items = [{"part": f"Drive bay {i} " + "x" * 80, "unit_price": "1.00"} for i in range(20)]
    rma = rma_of("replacement", items=items, confirmed=True, customer=customer)
    issue_label(actor=user("agent"), rma=rma)
    content = label_pdf(rma_for(user("agent"), rma.number))
    text = " ".join(pdf_text(content).split())  # wrapped lines read as one
    assert f"RMA {rma.number}" in text
    assert "株式会社ストレージ Müller" in text  # issue 14: every script prints
    assert re.search(r"and \d+ more", text)
    assert (
        "Customer confirmed: data backed up, removable media removed, original or equivalent "
        "packaging, insured" in text
    )
    [rects] = [r for name, r in barcode_forms(content).items() if "rma_barcode" in name]
    assert decode_code128(rects) == str(rma.number)


def test_r2_label_is_the_same_bytes_each_time():
    rma = rma_of(confirmed=True)
    issue_label(actor=user("agent"), rma=rma)
    assert label_pdf(rma) == label_pdf(rma)


@override_settings(RMADESK_RETURNS_ADDRESS=["Returns Dock 4", "1 Harbour Road", "Rotterdam"])
def test_r2_the_returns_address_comes_from_settings():
    rma = rma_of(confirmed=True)
    issue_label(actor=user("agent"), rma=rma)
    text = pdf_text(label_pdf(rma))
    assert "Returns Dock 4" in text and "Rotterdam" in text
    assert "RMA Receiving" not in text


def _baselines(content: bytes) -> list[tuple[float, str]]:
    """(baseline y, text) of each text run, in drawing order."""
    import io

    from pypdf import PdfReader

    runs: list[tuple[float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            runs.append((tm[5] * cm[3] + cm[5], text.strip()))

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("count", [1, 5, 12, 40])
def test_r2_label_text_never_overlaps_or_runs_off_the_page(count):
    items = [{"part": f"Part {i}", "serial": f"S{i}", "unit_price": "1.00"} for i in range(count)]
    rma = rma_of("advance_exchange", items=items, confirmed=True)
    issue_label(actor=user("agent"), rma=rma)
    runs = _baselines(label_pdf(rma))
    ys = [y for y, _ in runs]
    assert min(ys) >= 14.4 - 0.01 and max(ys) <= 432
    assert all(upper - lower >= 7 for upper, lower in itertools.pairwise(ys)), runs
    texts = [t for _, t in runs]
    shown = [t for t in texts if t.startswith("Part ")]
    assert len(shown) == count or texts[texts.index(shown[-1]) + 1] == (
        f"and {count - len(shown)} more"
    )
