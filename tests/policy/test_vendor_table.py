"""The policy file's `[vendor]` table (issue 14): who the seller is on invoices, credit notes
and labels, validated with errors that name the key."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.policy.loader import default_policy, parse_policy
from rmadesk.policy.show import policy_text
from rmadesk.policy.vendor import grouped_iban, is_valid_iban, payment_link
from tests.policy.test_policy_file import DEFAULT_TEXT, edited, refusal


def test_the_default_policy_has_a_plausible_vendor():
    vendor = default_policy().vendor
    assert vendor is not None
    assert vendor.legal_name == "Example Storage Systems, Inc."
    assert vendor.address_lines == ("2490 Kruse Drive", "San Jose, CA 95131", "US")
    assert vendor.vat_id == "DE123456789"
    assert vendor.iban == "DE89 3704 0044 0532 0130 00"
    assert vendor.bic == "EXMPDEFFXXX"
    assert vendor.returns_lines[1] == "RMA Receiving"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'iban = "DE89 3704 0044 0532 0130 00"',
            'iban = "DE88 3704 0044 0532 0130 00"',
            "vendor.iban: Value error, 'DE88 3704 0044 0532 0130 00' is not an IBAN: its check "
            "digits do not match (ISO 13616)",
        ),
        ('bic = "EXMPDEFFXXX"', 'bic = "EXMP"', "vendor.bic: Value error, 'EXMP' is not a BIC"),
        ('vat_id = "DE123456789"', 'vat_id = "123"', "vendor.vat_id: Value error, '123' is not a"),
        ('country = "US"\ntax_id', 'country = "USA"\ntax_id', "vendor.country"),
        ('legal_name = "Example Storage Systems, Inc."\n', "", "vendor.legal_name"),
        ('address = ["2490 Kruse Drive"]', "address = []", "vendor.address: Value error, give"),
        ('city = "San Jose"', 'cty = "San Jose"', "vendor.cty"),  # typo: unknown key
        (
            'support_email = "support@vendor.example"',
            'support_email = "support"',
            "vendor.support_email: Value error, 'support' is not an email address",
        ),
        (
            "payment_url = ",
            'payment_url = "https://pay.example/?i={invoice}&n={name}"\n_unused = ',
            "vendor.payment_url: Value error, unknown field {name}",
        ),
        (
            "payment_url = ",
            'payment_url = "https://pay.example/?amount={amount}"\n_unused = ',
            "vendor.payment_url: Value error, a payment URL names the invoice it pays",
        ),
        (
            "payment_url = ",
            'payment_url = "http://pay.example/?i={invoice}"\n_unused = ',
            "vendor.payment_url: Value error, a payment URL is an https:// address",
        ),
    ],
)
def test_a_wrong_vendor_table_names_the_key(old: str, new: str, message: str):
    assert message in refusal(edited(old, new))


def test_a_file_without_a_vendor_table_still_loads():
    start = DEFAULT_TEXT.index("[vendor]")
    policy = parse_policy(DEFAULT_TEXT[:start], "vendor.toml")
    assert policy.vendor is None


@given(st.text(alphabet="0123456789", min_size=14, max_size=20))
def test_an_iban_with_its_check_digits_computed_is_valid_and_one_changed_digit_is_not(bban):
    # ISO 13616 check digits: 98 - (BBAN + "DE00" as digits) mod 97.
    check = 98 - int(bban + "131400") % 97
    iban = f"DE{check:02d}{bban}"
    assert is_valid_iban(iban)
    assert is_valid_iban(grouped_iban(iban))
    changed = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    assert not is_valid_iban(changed)


@given(
    st.text(min_size=1, max_size=30),
    st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_a_pay_link_carries_the_invoice_and_amount_so_they_read_back(invoice, amount):
    url = payment_link(
        "https://pay.example/?invoice={invoice}&amount={amount}&currency={currency}",
        invoice=invoice,
        amount=Decimal(amount),
        currency="EUR",
    )
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert query == {
        "invoice": [invoice],
        "amount": [f"{Decimal(amount):.2f}"],
        "currency": ["EUR"],
    }


def test_policy_show_names_the_vendor():
    text = policy_text(default_policy())
    assert "  Example Storage Systems, Inc., 2490 Kruse Drive, San Jose, CA 95131, US" in text
    assert "  tax ID: EIN 12-3456789; VAT ID: DE123456789" in text
    start = DEFAULT_TEXT.index("[vendor]")
    without = policy_text(parse_policy(DEFAULT_TEXT[:start], "vendor.toml"))
    assert "  no [vendor] table: documents are headed with the policy's name" in without
