"""The percentile method (linear interpolation between closest ranks) and the age buckets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.policy.ageing import age_in_business_days, openings_before
from rmadesk.policy.loader import default_policy
from rmadesk.reports.attainment import _exact
from rmadesk.reports.percentiles import MEDIAN, P90, hours_text, percentile, ranks

SECONDS = st.lists(st.integers(min_value=0, max_value=400 * 3600), min_size=1, max_size=60)


@given(SECONDS, st.sampled_from([MEDIAN, P90]))
def test_the_percentile_is_numpys_linear_method_to_the_hundredth_of_an_hour(values, fraction):
    ours = hours_text(percentile(values, fraction))
    theirs = np.percentile(np.array(values, dtype=np.float64) / 3600, float(fraction) * 100)
    assert abs(Decimal(ours) - Decimal(str(theirs))) <= Decimal("0.005") + Decimal("1e-9")


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from([MEDIAN, P90]))
def test_the_ranks_sql_fetches_are_the_floor_and_ceiling_of_the_position(count, fraction):
    low, high, weight = ranks(count, fraction)
    position = (count - 1) * fraction
    # The SQL of rmadesk.reports.attainment, in integer tenths.
    tenths = int(fraction * 10)
    assert low == (count - 1) * tenths // 10 + 1
    assert high == ((count - 1) * tenths + 9) // 10 + 1
    assert 1 <= low <= high <= count and Decimal(low - 1) + weight == position


def test_the_issue_example_90th_percentile():
    # Ten answers, the 9th of 8.0 h and the 10th of 9.0 h: position 8.1 -> 8.0 + 0.1 x 1 = 8.10.
    values = [3600 * h for h in (1, 1, 2, 2, 3, 4, 5, 6, 8, 9)]
    assert hours_text(percentile(values, P90)) == "8.10"
    assert hours_text(percentile(values, MEDIAN)) == "3.50"


LA = default_policy().vendor_zone
PACIFIC = default_policy().calendar("pacific")
INSTANTS = st.datetimes(min_value=dt.datetime(2026, 1, 5), max_value=dt.datetime(2027, 12, 20)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)


@given(INSTANTS, st.integers(min_value=0, max_value=30 * 24))
def test_T2_age_buckets_from_openings_agree_with_counting_openings(opened, hours_later):
    now = opened + dt.timedelta(hours=hours_later)
    age = age_in_business_days(PACIFIC, opened, now, LA)
    openings = openings_before(PACIFIC, now, 12, LA)
    # The reports' rule: aged at least k exactly when opened before the k-th latest opening.
    for k in range(1, 12):
        assert (age >= k) == (len(openings) >= k and opened < openings[k - 1])


@given(SECONDS, st.sampled_from([MEDIAN, P90]))
def test_postgresqls_float_percentile_read_back_exactly_is_the_same_number(values, fraction):
    # percentile_cont in float8, as PostgreSQL computes it, then `_exact`: the Decimal answer.
    ordered = sorted(values)
    position = (len(ordered) - 1) * float(fraction)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    as_float = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    assert _exact(as_float) == percentile(values, fraction)
