"""Issue 14: the return label carries both whole street addresses, in the script they are
written in, with room for the carrier and tracking number, and no rule drawn through text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.services import issue_label
from tests.factories import CustomerFactory
from tests.rmas.factories import rma_of, user
from tests.rmas.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db

VENDOR_RETURNS = [
    "Example Storage Systems, Inc.",
    "RMA Receiving",
    "2490 Kruse Drive",
    "San Jose, CA 95131",
    "US",
]


def labelled(customer):
    rma = rma_of("replacement", confirmed=True, customer=customer)
    issue_label(actor=user("agent"), rma=rma)
    return rma


def lines_of(content: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(content).splitlines() if line.strip()]


def test_a_japanese_contacts_label_reads_back_name_and_street_address():
    customer = CustomerFactory(
        name="山田太郎",
        country="JP",
        zone="Asia/Tokyo",
        email="yamada@kaisha.example",
        address_line1="東京都千代田区丸の内1-1-1",
        address_line2="丸の内ビル12階",
        city="千代田区",
        region="東京都",
        postal_code="100-0005",
    )
    rma = labelled(customer)
    content = label_pdf(rma)
    lines = lines_of(content)
    # Recipient: the vendor's returns address from the policy file's [vendor] table.
    start = lines.index("SHIP TO")
    assert lines[start + 1 : start + 6] == VENDOR_RETURNS
    # Sender: the customer's whole postal address, as written.
    start = lines.index("FROM")
    assert lines[start + 1 : start + 7] == [
        "山田太郎",
        "東京都千代田区丸の内1-1-1",
        "丸の内ビル12階",
        "千代田区 東京都 100-0005",
        "JP",
        "yamada@kaisha.example",
    ]
    assert label_pdf(rma) == content  # still the same bytes each time


@pytest.mark.parametrize(
    ("name", "country", "zone"),
    [
        ("Иван Петров", "RU", "Europe/Moscow"),
        ("Γιώργος Παπαδόπουλος", "GR", "Europe/Athens"),
        ("王小明", "CN", "Asia/Shanghai"),
        ("김민준", "KR", "Asia/Seoul"),
        ("Zoë Ångström-Łukasiewicz", "PL", "Europe/Warsaw"),
    ],
)
def test_names_in_every_script_read_back(name, country, zone):
    customer = CustomerFactory(
        name=name,
        country=country,
        zone=zone,
        address_line1="1 Example Street",
        city="Example City",
        postal_code="12345",
    )
    lines = lines_of(label_pdf(labelled(customer)))
    assert lines[lines.index("FROM") + 1] == name


def test_carrier_and_tracking_number_print_when_known_and_leave_room_when_not():
    rma = labelled(CustomerFactory())
    assert "Carrier: __________ Tracking no.: __________" in " ".join(
        pdf_text(label_pdf(rma)).split()
    )
    text = " ".join(
        pdf_text(label_pdf(rma, carrier="UPS", tracking_number="1Z999AA10123456784")).split()
    )
    assert "Carrier: UPS Tracking no.: 1Z999AA10123456784" in text
    # Once the return's carrier and number are recorded (R2), the label prints them.
    rma.return_carrier = "dhl"
    rma.return_tracking_number = "JD014600006281230704"
    rma.save(update_fields=["return_carrier", "return_tracking_number"])
    text = " ".join(pdf_text(label_pdf(rma)).split())
    assert "Carrier: DHL Tracking no.: JD014600006281230704" in text


def _rules_and_baselines(content: bytes) -> tuple[list[float], list[tuple[float, float, str]]]:
    """The y of each horizontal line drawn on the page, and (baseline y, size, text) of each
    text run."""
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    rules: list[float] = []
    start: tuple[float, float] | None = None
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif operator == b"l" and start is not None and float(operands[1]) == start[1]:
            rules.append(start[1])
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            runs.append((tm[5] * cm[3] + cm[5], font_size * tm[3], text.strip()))

    page.extract_text(visitor_text=visit)
    return rules, runs


@pytest.mark.parametrize("country", ["US", "JP"])
def test_no_rule_strikes_through_a_line_of_text(country):
    customer = (
        CustomerFactory()
        if country == "US"
        else CustomerFactory(
            name="山田太郎",
            country="JP",
            zone="Asia/Tokyo",
            address_line1="東京都千代田区丸の内1-1-1",
            city="千代田区",
            postal_code="100-0005",
        )
    )
    rules, runs = _rules_and_baselines(label_pdf(labelled(customer)))
    assert len(rules) == 3  # below SHIP TO, below FROM, below the carrier line
    for rule in rules:
        for baseline, size, text in runs:
            # A glyph reaches from ~0.25 of its size below the baseline to ~0.75 above it.
            assert not baseline - 0.25 * size < rule < baseline + 0.75 * size, (rule, text)
