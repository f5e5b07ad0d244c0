"""The return label prints the return's carrier and tracking number when staff recorded them."""

from __future__ import annotations

import pytest

from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.services import issue_label
from tests.rmas.factories import rma_of, user
from tests.rmas.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db


def test_the_label_prints_the_carrier_and_tracking_number_when_given():
    rma = rma_of("repair", confirmed=True)
    issue_label(actor=user("agent"), rma=rma, carrier="yamato", tracking_number="4000-1234-5678")
    text = " ".join(pdf_text(label_pdf(rma)).split())
    assert "Carrier: Yamato Transport, tracking 4000-1234-5678" in text


def test_a_label_without_tracking_prints_no_carrier_line():
    rma = rma_of("repair", confirmed=True)
    issue_label(actor=user("agent"), rma=rma)
    assert "Carrier:" not in pdf_text(label_pdf(rma))
