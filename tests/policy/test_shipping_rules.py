"""The promise a customer gets for a replacement part (N1-N3) and the continental US (R8).

Every expected date is computed by hand from POLICY.md in the comment beside it: 2026's
Thanksgiving is Thursday 26 November (the fourth Thursday; 1 November is a Sunday), Pacific
daylight time began Sunday 8 March 2026, Germany's Christmas holidays are 25 and 26 December.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.addresses import CONTINENTAL_US, clean_region, return_shipping
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import default_policy
from rmadesk.policy.parts import parts_promise, parts_region, promise_misses

LA = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
POLICY = default_policy()
D = dt.date


def promise(identified: dt.datetime, country: str = "US", option: bool = False):
    return parts_promise(
        POLICY, identified=identified, country=country, extended_spare_parts=option
    )


# ------------------------------------------------------------------------------------ N1


@pytest.mark.parametrize(
    ("identified", "ships", "delivers"),
    [
        # Wed 25 Nov 13:00 PST: after the noon cut-off; Thu 26 is Thanksgiving, so it ships
        # Fri 27 and arrives the business day after, Mon 30 Nov.
        (dt.datetime(2026, 11, 25, 13, 0, tzinfo=LA), D(2026, 11, 27), D(2026, 11, 30)),
        # Wed 25 Nov 11:59 PST: before the cut-off, ships that day; Thanksgiving is skipped.
        (dt.datetime(2026, 11, 25, 11, 59, tzinfo=LA), D(2026, 11, 25), D(2026, 11, 27)),
        # Exactly 12:00 is "at or after": next business day, Tue 1 Dec, arriving Wed 2 Dec.
        (dt.datetime(2026, 11, 30, 12, 0, tzinfo=LA), D(2026, 12, 1), D(2026, 12, 2)),
        # Saturday 28 Nov: a non-business day, ships Mon 30 Nov, arrives Tue 1 Dec.
        (dt.datetime(2026, 11, 28, 9, 0, tzinfo=LA), D(2026, 11, 30), D(2026, 12, 1)),
        # Mon 9 Mar 2026 19:30 UTC is 12:30 PDT (DST began Sun 8 Mar): after the cut-off, ships
        # Tue 10, arrives Wed 11 Mar. Read as PST it would have been 11:30 and shipped Monday.
        (dt.datetime(2026, 3, 9, 19, 30, tzinfo=UTC), D(2026, 3, 10), D(2026, 3, 11)),
        # Fri 6 Mar 2026 19:30 UTC is 11:30 PST: ships Friday, arrives Monday 9 Mar.
        (dt.datetime(2026, 3, 6, 19, 30, tzinfo=UTC), D(2026, 3, 6), D(2026, 3, 9)),
    ],
)
def test_N1_us_customer_gets_ship_and_delivery_dates(identified, ships, delivers):
    answer = promise(identified, "US")
    assert (answer.region, answer.nbd, answer.ships_on, answer.delivers_on) == (
        "us",
        True,
        ships,
        delivers,
    )
    assert answer.rules == ("N1",)
    assert answer.zone_name == "America/Los_Angeles"


def test_N1_the_thanksgiving_skip_is_explained():
    answer = promise(dt.datetime(2026, 11, 25, 13, 0, tzinfo=LA))
    text = " ".join(answer.explain)
    assert "Thu 26 Nov 2026 skipped" in text
    assert "Thanksgiving" in text


# ------------------------------------------------------------------------------------ N2


@pytest.mark.parametrize(
    ("identified", "ships", "delivers"),
    [
        # Thu 24 Dec 10:30 UTC is 12:30 at UTC+02:00 (11:30 in Berlin's winter time): after the
        # cut-off; Fri 25 and Sat 26 are German holidays and a weekend follows: ships Mon 28,
        # arrives Tue 29 Dec.
        (dt.datetime(2026, 12, 24, 10, 30, tzinfo=UTC), D(2026, 12, 28), D(2026, 12, 29)),
        # Wed 23 Dec 09:59 UTC is 11:59 at UTC+02:00: ships that day, arrives Thu 24 Dec.
        (dt.datetime(2026, 12, 23, 9, 59, tzinfo=UTC), D(2026, 12, 23), D(2026, 12, 24)),
        # Wed 25 Nov 10:30 UTC is 12:30 at UTC+02:00: ships Thu 26 Nov (US Thanksgiving is a
        # German working day) and arrives Fri 27 Nov.
        (dt.datetime(2026, 11, 25, 10, 30, tzinfo=UTC), D(2026, 11, 26), D(2026, 11, 27)),
    ],
)
def test_N2_eu_customer_with_extended_spare_parts_option(identified, ships, delivers):
    answer = promise(identified, "DE", option=True)
    assert (answer.region, answer.nbd, answer.ships_on, answer.delivers_on) == (
        "eu",
        True,
        ships,
        delivers,
    )
    assert answer.rules == ("N2",)
    assert answer.zone_name == "UTC+02:00"


def test_N2_eu_customer_without_the_option_gets_no_promise_and_why():
    answer = promise(dt.datetime(2026, 12, 23, 9, 0, tzinfo=UTC), "DE", option=False)
    assert (answer.region, answer.nbd, answer.ships_on, answer.delivers_on) == (
        "intl",
        False,
        None,
        None,
    )
    assert answer.rules == ("N2", "N3")
    text = " ".join(answer.explain)
    assert "extended spare parts replacement" in text
    assert "customs" in text


# ------------------------------------------------------------------------------------ N3


@pytest.mark.parametrize("country", ["JP", "IN", "CH", "GB"])
def test_N3_other_international_customers_get_no_date(country):
    answer = promise(dt.datetime(2026, 11, 18, 9, 0, tzinfo=LA), country, option=True)
    assert (answer.region, answer.nbd, answer.ships_on, answer.delivers_on) == (
        "intl",
        False,
        None,
        None,
    )
    assert answer.rules == ("N3",)
    assert "customs" in " ".join(answer.explain)


def test_N3_region_of_a_customer():
    assert parts_region(POLICY, country="us", extended_spare_parts=False) == "us"
    assert parts_region(POLICY, country="FR", extended_spare_parts=True) == "eu"
    assert parts_region(POLICY, country="FR", extended_spare_parts=False) == "intl"
    assert parts_region(POLICY, country="NO", extended_spare_parts=True) == "intl"  # not EU


# ------------------------------------------------------------------------ missed promises


def test_N1_shipped_or_delivered_after_the_promised_date_is_a_miss():
    # Promised: ships Fri 27 Nov, delivered Mon 30 Nov (identified Wed 25 Nov 13:00 PST).
    def misses(shipped, delivered=None):
        return promise_misses(
            rule="N1",
            zone=LA,
            ships_on=D(2026, 11, 27),
            delivers_on=D(2026, 11, 30),
            shipped_at=shipped,
            delivered_at=delivered,
            delivery_zone=NEW_YORK,
        )

    # Sat 28 Nov 01:30 UTC is Fri 27 Nov 17:30 PST: shipped on the promised Pacific day.
    assert misses(dt.datetime(2026, 11, 28, 1, 30, tzinfo=UTC)) == ()
    late = misses(dt.datetime(2026, 11, 30, 9, 0, tzinfo=LA))
    assert late == ("shipped Mon 30 Nov 2026, after the promised Fri 27 Nov 2026 (rule N1)",)
    # Delivered Mon 30 Nov 23:00 in New York: on time at the customer's address.
    on_time = dt.datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert misses(dt.datetime(2026, 11, 27, 15, 0, tzinfo=LA), on_time) == ()
    delivered_late = misses(
        dt.datetime(2026, 11, 27, 15, 0, tzinfo=LA),
        dt.datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK),
    )
    assert delivered_late == (
        "delivered Tue 01 Dec 2026, after the promised Mon 30 Nov 2026 (rule N1)",
    )


def test_N3_nothing_promised_nothing_missed():
    assert (
        promise_misses(
            rule="N3",
            zone=LA,
            ships_on=None,
            delivers_on=None,
            shipped_at=dt.datetime(2027, 1, 1, tzinfo=UTC),
            delivered_at=dt.datetime(2027, 2, 1, tzinfo=UTC),
            delivery_zone=LA,
        )
        == ()
    )


# ------------------------------------------------------------------------------ property


US_HOLIDAYS = holidays.US(years=range(2026, 2030))
DE_HOLIDAYS = holidays.DE(years=range(2026, 2030))


def business_day(day: dt.date, closed: holidays.HolidayBase) -> bool:
    return day.weekday() < 5 and day not in closed


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 20)),
    st.sampled_from([("US", False), ("DE", True)]),
)
def test_N1_N2_promised_delivery_is_the_business_day_after_the_ship_date(naive, customer):
    country, option = customer
    answer = promise(naive.replace(tzinfo=UTC), country, option)
    closed = US_HOLIDAYS if country == "US" else DE_HOLIDAYS
    zone = LA if country == "US" else dt.timezone(dt.timedelta(hours=2))
    identified_on = naive.replace(tzinfo=UTC).astimezone(zone).date()
    assert answer.ships_on is not None and answer.delivers_on is not None
    assert business_day(answer.ships_on, closed)
    assert business_day(answer.delivers_on, closed)
    assert answer.ships_on >= identified_on
    assert answer.delivers_on > answer.ships_on
    between = answer.ships_on + dt.timedelta(days=1)
    while between < answer.delivers_on:
        assert not business_day(between, closed), between
        between += dt.timedelta(days=1)
    # Shipped the day it was identified only on a business day, before noon.
    local = naive.replace(tzinfo=UTC).astimezone(zone)
    same_day = business_day(identified_on, closed) and local.time() < dt.time(12)
    assert (answer.ships_on == identified_on) == same_day


# ------------------------------------------------------------------------------------ R8


@pytest.mark.parametrize(
    ("region", "is_prepaid"),
    [
        ("CA", True),
        ("DC", True),
        ("TX", True),
        ("HI", False),
        ("AK", False),
        ("PR", False),
        ("GU", False),
        ("VI", False),
    ],
)
def test_R8_continental_us_is_the_48_contiguous_states_and_dc(region, is_prepaid):
    answer = return_shipping("US", region)
    assert answer.is_prepaid is is_prepaid
    assert answer.rules == ("R8",)
    assert ("freight" in answer.explain) is not is_prepaid


def test_R8_the_table_has_48_states_and_dc():
    assert len(CONTINENTAL_US) == 49
    assert {"DC", "CA", "ME", "WA", "FL"} <= CONTINENTAL_US
    assert not {"AK", "HI", "PR", "GU", "VI", "AS", "MP", "UM"} & CONTINENTAL_US


def test_R8_outside_the_us_and_a_us_address_without_a_state_need_freight_arrangements():
    abroad = return_shipping("DE", "NRW")
    assert (abroad.is_prepaid, abroad.is_address_incomplete) == (False, False)
    unknown = return_shipping("US", "")
    assert (unknown.is_prepaid, unknown.is_address_incomplete) == (False, True)
    assert "names no state" in unknown.explain


def test_R8_a_us_address_names_a_valid_state():
    assert clean_region("US", " ca ") == "CA"
    assert clean_region("US", "pr") == "PR"
    assert clean_region("DE", "Nordrhein-Westfalen") == "Nordrhein-Westfalen"
    for bad in ("", "XX", "California"):
        with pytest.raises(PolicyError) as refused:
            clean_region("US", bad)
        assert (refused.value.rule, refused.value.field) == ("R8", "region")
