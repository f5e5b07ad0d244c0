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
    assert "Carrier: Yamato Transport Tracking no.: 4000-1234-5678" in text


def test_a_label_without_tracking_leaves_room_to_write_them_in():
    rma = rma_of("repair", confirmed=True)
    issue_label(actor=user("agent"), rma=rma)
    text = " ".join(pdf_text(label_pdf(rma)).split())
    assert "Carrier: __________ Tracking no.: __________" in text
