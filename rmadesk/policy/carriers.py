"""Carriers and their tracking pages: which a shipment or a return label may go by.

Not a rule of the vendor's text but of running it, kept in the policy file so a vendor edits
it without a release: `[carriers.<key>]` names each carrier, with the URL of its tracking
page, where `{tracking}` stands for the tracking number, URL-encoded (none: no link).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote, urlsplit

from pydantic import ConfigDict, Field, field_validator
from pydantic.dataclasses import dataclass

PLACEHOLDER = "{tracking}"
CARRIER_KEY = r"^[a-z][a-z0-9_]{0,19}$"  # fits Shipment.carrier (20 characters)
MAX_TRACKING_NUMBER = 64  # Shipment.tracking_number, Rma.return_tracking_number
# Carriers print tracking numbers in visible ASCII (letters, digits, a few separators), which
# also keeps them unambiguous in a URL and on a label: spaces inside, one visible at least.
TRACKING_NUMBER_PATTERN = r"^[ -~]*[!-~][ -~]*$"
STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(config=STRICT)
class CarrierDoc:
    """A carrier: its name as people read it, and its tracking page (none: no link)."""

    title: Annotated[str, Field(min_length=1, max_length=60)]
    tracking_url: str | None = None

    @field_validator("tracking_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError("a tracking page is an https:// URL")
        if value.count(PLACEHOLDER) != 1:
            raise ValueError(f"a tracking URL holds {PLACEHOLDER} exactly once")
        if "{" in value.replace(PLACEHOLDER, "") or "}" in value.replace(PLACEHOLDER, ""):
            raise ValueError(f"a tracking URL holds no placeholder but {PLACEHOLDER}")
        return value


CarrierKey = Annotated[str, Field(pattern=CARRIER_KEY)]

# What a policy file without a [carriers] table offers (default.toml lists the same).
DEFAULT_CARRIERS: dict[str, CarrierDoc] = {
    "ups": CarrierDoc("UPS", "https://www.ups.com/track?tracknum={tracking}"),
    "fedex": CarrierDoc("FedEx", "https://www.fedex.com/fedextrack/?trknbr={tracking}"),
    "dhl": CarrierDoc(
        "DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={tracking}"
    ),
    "usps": CarrierDoc("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}"),
    "yamato": CarrierDoc(
        "Yamato Transport",
        "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={tracking}",
    ),
    "other": CarrierDoc("Other carrier"),
}


def carrier_problem(carriers: Mapping[str, CarrierDoc], key: object) -> str | None:
    """Why `key` names no carrier of the policy (None: it does)."""
    known = ", ".join(sorted(carriers))
    if not isinstance(key, str) or key.strip().lower() not in carriers:
        return f"unknown carrier {key!r}; the carriers are: {known}"
    return None


def tracking_problem(number: object) -> str | None:
    """Why `number` is not a tracking number (None: it is): 1 to 64 visible ASCII characters
    (spaces inside)."""
    if not isinstance(number, str) or not number.strip():
        return "give the tracking number the carrier printed"
    if len(number.strip()) > MAX_TRACKING_NUMBER:
        return f"a tracking number is at most {MAX_TRACKING_NUMBER} characters"
    if re.fullmatch(TRACKING_NUMBER_PATTERN, number) is None:
        return "a tracking number holds letters, digits and ASCII punctuation only"
    return None


def tracking_url(carriers: Mapping[str, CarrierDoc], carrier: str, number: str) -> str | None:
    """The carrier's tracking page for `number`, URL-encoded; None without a page."""
    found = carriers.get(carrier)
    if found is None or found.tracking_url is None or not number:
        return None
    return found.tracking_url.replace(PLACEHOLDER, quote(number, safe=""))


def carrier_title(carriers: Mapping[str, CarrierDoc], carrier: str) -> str:
    found = carriers.get(carrier)
    return found.title if found is not None else carrier
