"""Lengths of time in the policy file ("1h", "30m", "1h30m"): parsed exactly, refused by key."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.policy.durations import duration_text, parse_duration
from rmadesk.policy.errors import PolicyError


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1h", 60), ("30m", 30), ("1h30m", 90), ("90m", 90), (" 2H ", 120), ("168h", 10080)],
)
def test_lengths_are_read_as_hours_and_minutes(text, minutes):
    assert parse_duration(text, "notifications.breach_warning") == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "h", "1", "1.5h", "-1h", "1d", "0h", "0m", "169h", "1h 2s"])
def test_anything_else_is_refused_naming_the_key(text):
    with pytest.raises(PolicyError) as refused:
        parse_duration(text, "notifications.breach_warning")
    assert refused.value.field == "notifications.breach_warning"


@given(st.integers(min_value=1, max_value=7 * 24 * 60))
def test_a_length_written_out_reads_back_the_same(minutes):
    length = dt.timedelta(minutes=minutes)
    text = duration_text(length)
    assert parse_duration(text, "x") == length
    # The shortest form: whole hours as "h", the rest (under an hour) as "m", no "0m".
    found = re.fullmatch(r"(?:([1-9][0-9]*)h)?(?:([1-9][0-9]?)m)?", text)
    assert found is not None and int(found[2] or 0) < 60
