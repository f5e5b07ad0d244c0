"""Who the vendor is on paper: the `[vendor]` table of the policy file (issue 14).

An invoice a business can file names the seller by its legal name and address with its tax and
VAT IDs, and says where and how to pay. These are configured once, here, and printed on every
invoice, credit note and return label. Bank details are checked as far as they can be without
a bank: an IBAN's check digits (ISO 13616, mod 97) and a BIC's shape (ISO 9362), so a typo is
refused when the file is checked rather than found by a customer whose transfer bounced.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from typing import Annotated
from urllib.parse import quote, urlsplit

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.dataclasses import dataclass

STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

Line = Annotated[str, Field(min_length=1, max_length=100)]
# A payment page's URL may use these names, in braces; each is URL-encoded when filled in.
PAYMENT_URL_FIELDS = frozenset({"invoice", "amount", "currency"})
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
# An EU VAT ID (or the UK's, Switzerland's, Norway's): two letters, then 2 to 13 characters.
_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def compact(value: str) -> str:
    """An ID as compared and stored: spaces, dots between groups and dashes taken out."""
    return re.sub(r"[\s\-]", "", value).upper()


def is_valid_iban(value: str) -> bool:
    """ISO 13616: country, two check digits, then the account; mod 97 of the rearranged
    digits is 1."""
    iban = compact(value)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        return False
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def grouped_iban(value: str) -> str:
    """An IBAN in groups of four, as printed on paper: `DE89 3704 0044 0532 0130 00`."""
    iban = compact(value)
    return " ".join(iban[index : index + 4] for index in range(0, len(iban), 4))


def is_valid_vat_id(value: str) -> bool:
    return bool(_VAT_ID.fullmatch(compact(value)))


def payment_link(template: str, *, invoice: str, amount: Decimal, currency: str) -> str:
    """The vendor's payment page for one invoice: the template with each field URL-encoded."""
    values = {"invoice": invoice, "amount": f"{amount:.2f}", "currency": currency}
    return template.format(**{name: quote(value, safe="") for name, value in values.items()})


@dataclass(config=STRICT)
class VendorDoc:
    """The seller: legal identity, address, tax IDs, where to pay and whom to ask."""

    legal_name: Annotated[str, Field(min_length=1, max_length=200)]
    address: tuple[Line, ...]  # street lines, e.g. ["2490 Kruse Drive", "Suite 100"]
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    city: Annotated[str, Field(min_length=1, max_length=100)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    region: Annotated[str, Field(max_length=40)] = ""
    tax_id: Annotated[str, Field(max_length=40)] = ""
    vat_id: str = ""
    bank_name: Annotated[str, Field(max_length=100)] = ""
    account_holder: Annotated[str, Field(max_length=200)] = ""
    iban: str = ""
    bic: str = ""
    # Where cheques and remittance advice go, when not the address above.
    remit_to: tuple[Line, ...] = ()
    # Where return shipments go (the label's recipient), when not the address above.
    returns_address: tuple[Line, ...] = ()
    support_email: str = ""
    support_phone: Annotated[str, Field(max_length=40)] = ""
    payment_url: str = ""

    @field_validator("address")
    @classmethod
    def _street(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not 1 <= len(value) <= 4:
            raise ValueError('give 1 to 4 street lines, e.g. address = ["2490 Kruse Drive"]')
        return value

    @field_validator("remit_to", "returns_address")
    @classmethod
    def _lines(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > 8:
            raise ValueError("an address is at most 8 lines")
        return value

    @field_validator("vat_id")
    @classmethod
    def _vat_id(cls, value: str) -> str:
        if value and not is_valid_vat_id(value):
            raise ValueError(
                f"{value!r} is not a VAT ID: two letters of the country, then 2 to 13 letters "
                'or digits, e.g. "DE123456789"'
            )
        return compact(value)

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        if value and not is_valid_iban(value):
            raise ValueError(
                f"{value!r} is not an IBAN: its check digits do not match (ISO 13616); "
                "copy it from the bank's statement"
            )
        return grouped_iban(value) if value else ""

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str) -> str:
        if value and not _BIC.fullmatch(compact(value)):
            raise ValueError(f"{value!r} is not a BIC: 8 or 11 letters and digits (ISO 9362)")
        return compact(value)

    @field_validator("support_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.fullmatch(value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("payment_url")
    @classmethod
    def _payment_url(cls, value: str) -> str:
        if not value:
            return value
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        unknown = sorted(names - PAYMENT_URL_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown field {{{unknown[0]}}}; a payment URL may use {{invoice}}, "
                "{amount} and {currency}"
            )
        if "invoice" not in names:
            raise ValueError("a payment URL names the invoice it pays: put {invoice} in it")
        sample = payment_link(value, invoice="INV-1", amount=Decimal("1.00"), currency="USD")
        parts = urlsplit(sample)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError(
                'a payment URL is an https:// address, e.g. "https://pay.example/?invoice={invoice}"'
            )
        return value

    @model_validator(mode="after")
    def _bank(self) -> VendorDoc:
        if self.bic and not self.iban:
            raise ValueError("a BIC comes with an IBAN: give iban too")
        return self

    @property
    def place(self) -> str:
        """`San Jose, CA 95131` or `10115 Berlin`: the city line as the country writes it."""
        if self.country in {"US", "CA", "AU"}:
            region = f" {self.region}" if self.region else ""
            return f"{self.city},{region} {self.postal_code}"
        if self.country in {"GB", "IE"}:
            return f"{self.city} {self.postal_code}"
        return f"{self.postal_code} {self.city}"

    @property
    def address_lines(self) -> tuple[str, ...]:
        """The legal address, line by line, ending with the country code."""
        return (*self.address, self.place, self.country)

    @property
    def remit_to_lines(self) -> tuple[str, ...]:
        return self.remit_to or (self.legal_name, *self.address_lines)

    @property
    def returns_lines(self) -> tuple[str, ...]:
        return self.returns_address or (self.legal_name, *self.address_lines)

    @property
    def has_bank_account(self) -> bool:
        return bool(self.iban)
