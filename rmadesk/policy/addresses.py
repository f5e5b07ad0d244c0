"""Addresses: US state codes and the continental US of R8 (return shipping of a repair).

R8: return shipping of a repaired system is prepaid for continental-US addresses, the 48
contiguous states and DC; Alaska, Hawaii and the territories (Puerto Rico, Guam, the US Virgin
Islands, American Samoa, the Northern Mariana Islands, the Minor Outlying Islands) are not, and
neither is anywhere outside the US: there the RMA records the freight arrangements.

The list of US codes is the `holidays` package's (50 states, DC and 6 territories), a
maintained source already used for the T2 calendar; R8's exclusions are named here.
"""

from __future__ import annotations

from dataclasses import dataclass

import holidays as holidays_lib
from holidays.countries.united_states import UnitedStates

from rmadesk.policy.errors import PolicyError

US_CODES: frozenset[str] = frozenset(holidays_lib.list_supported_countries()["US"])
US_TERRITORIES = frozenset({"AS", "GU", "MP", "PR", "UM", "VI"})
US_NOT_CONTIGUOUS = frozenset({"AK", "HI"})
CONTINENTAL_US: frozenset[str] = US_CODES - US_TERRITORIES - US_NOT_CONTIGUOUS
US_NAMES: dict[str, str] = {code: name for name, code in UnitedStates.subdivisions_aliases.items()}


def clean_region(country: str, region: str) -> str:
    """The state or region of an address; for the US a valid code, upper-cased (R8).

    A US address names its state (or DC, or a territory): without it R8 cannot tell whether
    return shipping is prepaid, so it is refused where the address is recorded.
    """
    text = " ".join(region.split())
    if country.strip().upper() != "US":
        if len(text) > 40:
            raise PolicyError("a region is at most 40 characters", rule="R8", field="region")
        return text
    code = text.upper()
    if not code:
        raise PolicyError(
            "a US address names its state (a two-letter code such as CA, or DC); R8 prepays "
            "return shipping in the 48 contiguous states and DC only",
            rule="R8",
            field="region",
        )
    if code not in US_CODES:
        raise PolicyError(
            f"{code!r} is not a US state, DC or territory code (e.g. CA, NY, DC, PR)",
            rule="R8",
            field="region",
        )
    return code


@dataclass(frozen=True, slots=True)
class ReturnShipping:
    """Whether a repaired system's return shipping is prepaid to this address (R8), and why."""

    is_prepaid: bool
    is_address_incomplete: bool
    rules: tuple[str, ...]
    explain: str


def return_shipping(country: str, region: str) -> ReturnShipping:
    """R8: prepaid to the 48 contiguous states and DC; elsewhere freight is arranged."""
    country = country.strip().upper()
    code = region.strip().upper()
    if country != "US":
        return ReturnShipping(
            False,
            False,
            ("R8",),
            f"The address is in {country or 'an unknown country'}, outside the continental US: "
            f"the RMA records the freight arrangements (rule R8).",
        )
    if not code:
        return ReturnShipping(
            False,
            True,
            ("R8",),
            "The US address names no state, so it is not known to be in the continental US: "
            "record the customer's state, or the freight arrangements (rule R8).",
        )
    name = US_NAMES.get(code, code)
    if code in CONTINENTAL_US:
        return ReturnShipping(
            True,
            False,
            ("R8",),
            f"{name} is in the continental US (the 48 contiguous states and DC): return "
            f"shipping of the repaired system is prepaid (rule R8).",
        )
    where = "a US territory" if code in US_TERRITORIES else "not one of the 48 contiguous states"
    return ReturnShipping(
        False,
        False,
        ("R8",),
        f"{name} is {where}, outside the continental US: the RMA records the freight "
        f"arrangements (rule R8).",
    )
