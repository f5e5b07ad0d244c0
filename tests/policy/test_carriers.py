"""The policy file's carriers (tracking pages) and the customer's reopening period (L5 reading):
validated by the loader, links URL-encoded, the period counted on the vendor's wall clock."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.policy.carriers import tracking_problem, tracking_url
from rmadesk.policy.errors import PolicyFileError
from rmadesk.policy.loader import default_policy, parse_policy
from rmadesk.policy.reopening import reopen_deadline

LA = ZoneInfo("America/Los_Angeles")
CARRIERS = default_policy().document.carriers


def test_the_default_policy_names_the_carriers_and_14_days():
    policy = default_policy()
    assert sorted(policy.document.carriers) == ["dhl", "fedex", "other", "ups", "usps", "yamato"]
    assert policy.document.carriers["other"].tracking_url is None
    assert policy.document.tickets.reopen_within_days == 14


def test_a_tracking_number_is_url_encoded_into_the_link():
    assert tracking_url(CARRIERS, "ups", "1Z 999/AA1&x=1") == (
        "https://www.ups.com/track?tracknum=1Z%20999%2FAA1%26x%3D1"
    )
    assert tracking_url(CARRIERS, "other", "LOCAL-1") is None
    assert tracking_url(CARRIERS, "gone", "1") is None


@given(st.text(min_size=1, max_size=64).filter(lambda t: tracking_problem(t) is None))
def test_the_link_carries_exactly_the_tracking_number(number):
    url = tracking_url(CARRIERS, "ups", number)
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.ups.com", "/track")
    assert parse_qs(parts.query, keep_blank_values=True) == {"tracknum": [number]}


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("tracknum={tracking}", "tracknum=x", "carriers.ups.tracking_url"),
        ("https://www.ups.com", "http://www.ups.com", "carriers.ups.tracking_url"),
        ("tracknum={tracking}", "tracknum={tracking}&n={number}", "carriers.ups.tracking_url"),
        ("[carriers.ups]", "[carriers.UPS-1]", "carriers.UPS-1"),
        ("reopen_within_days = 14", "reopen_within_days = -1", "tickets.reopen_within_days"),
    ],
)
def test_the_loader_refuses_a_wrong_carrier_or_period_naming_the_key(old, new, key):
    text = default_policy().text
    assert old in text
    with pytest.raises(PolicyFileError, match=key.replace(".", r"\.")):
        parse_policy(text.replace(old, new, 1), "vendor.toml")


def test_a_file_without_the_new_tables_keeps_the_defaults():
    text = default_policy().text
    start = text.index("# ---------------------------------------------------- the customer's")
    policy = parse_policy(text[:start], "older.toml")
    assert policy.document.tickets.reopen_within_days == 14
    assert policy.document.carriers == CARRIERS


def test_the_reopening_period_counts_calendar_days_on_the_vendor_wall_clock():
    # Closed before the DST change (1 November 2026): 14 days later at the same wall time.
    closed = dt.datetime(2026, 10, 25, 10, 0, tzinfo=LA)
    assert reopen_deadline(default_policy(), closed) == dt.datetime(2026, 11, 8, 10, 0, tzinfo=LA)


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)))
def test_the_deadline_is_the_same_wall_time_14_days_later(local):
    closed = local.replace(tzinfo=LA, fold=0)
    if closed.astimezone(dt.UTC).astimezone(LA).replace(tzinfo=None) != local:
        return  # a wall time skipped by a DST change: no such instant was ever closed at
    until = reopen_deadline(default_policy(), closed).astimezone(LA)
    assert until.date() - closed.date() == dt.timedelta(days=14)
    assert until.time() == closed.time() or until.utcoffset() != closed.utcoffset()
