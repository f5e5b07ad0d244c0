"""Conversions at the edge of the policy core: exact to the microsecond, naive refused (T1)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import from_us, from_us_many, to_us, to_us_many

ZONES = [
    dt.UTC,
    ZoneInfo("America/Los_Angeles"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Europe/Berlin"),
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.datetimes(
            min_value=dt.datetime(1902, 1, 1), max_value=dt.datetime(2390, 12, 31),
            timezones=st.sampled_from(ZONES),
        ),
        min_size=1, max_size=40,
    )
)  # fmt: skip
def test_batch_conversions_equal_the_exact_single_ones(instants: list[dt.datetime]):
    many = to_us_many(instants)
    assert many.tolist() == [to_us(at) for at in instants]
    assert from_us_many(many) == [from_us(v) for v in many.tolist()]
    # The same instants, in UTC. (Not compared with ==: PEP 495 makes an instant in a DST gap
    # unequal to every instant of another zone.)
    assert [to_us(at) for at in from_us_many(many)] == many.tolist()


def test_whole_seconds_and_microseconds_round_trip():
    values = np.array([0, 1_700_000_000_000_000, 1_700_000_000_000_001, -86_400_000_000])
    assert to_us_many(from_us_many(values)).tolist() == values.tolist()


def test_t1_naive_instants_are_refused_in_batches_too():
    with pytest.raises(PolicyError) as refused:
        to_us_many([dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1)])
    assert refused.value.rule == "T1"
