"""Property tests of the business-time engine against a simple, obviously correct reference.

The reference below knows nothing of the engine: it walks local calendar days one at a time
with `zoneinfo`, asks the `holidays` package directly whether a day is off (US federal holidays
on their observed dates, or a customer country's public holidays), and turns each working day's
local opening and closing wall times into UTC. Every sum is exact `timedelta` arithmetic, so
the engine must agree with it to the microsecond.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.instants import to_us
from rmadesk.policy.loader import default_policy, parse_policy

UTC = dt.UTC
LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
ONE_DAY = dt.timedelta(days=1)
MICRO = dt.timedelta(microseconds=1)
HOUR = dt.timedelta(hours=1)
# Starts lie in 2024-2030; answers stay within a few months of them.
REFERENCE_YEARS = range(2022, 2034)

PROPERTY = settings(max_examples=200, deadline=None, database=None)

# The `holidays` package knows Indian holidays up to 2035 only; the engine's tables may reach
# beyond that when they grow, which only matters for instants long after the ones drawn here.
pytestmark = pytest.mark.filterwarnings("ignore:Requested Holidays are available only")


# ------------------------------------------------------------------------------ the reference
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class RefWeekly:
    """Mon-Fri `opens`-`closes` local wall time in `zone`, off on `country`'s holidays."""

    zone: ZoneInfo
    opens: dt.time
    closes: dt.time
    country: str
    closed: frozenset[dt.date] = field(init=False)

    def __post_init__(self) -> None:
        days = holidays.country_holidays(self.country, years=REFERENCE_YEARS)
        object.__setattr__(self, "closed", frozenset(days))

    def day(self, day: dt.date) -> Interval | None:
        """The day's open interval in UTC, or None when the day is a weekend or a holiday."""
        if day.weekday() >= 5 or day in self.closed:
            return None
        assert REFERENCE_YEARS.start <= day.year < REFERENCE_YEARS.stop
        opens = dt.datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC)
        closes = dt.datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(UTC)
        return opens, closes

    def intervals(self, after: dt.datetime) -> Iterator[Interval]:
        """Open intervals in time order, from the first one that ends after `after`."""
        day = after.astimezone(self.zone).date() - ONE_DAY
        while True:
            interval = self.day(day)
            if interval is not None and interval[1] > after:
                yield interval
            day += ONE_DAY


@dataclass(frozen=True)
class RefUnion:
    """Open when any part is open: the parts' intervals merged in time order."""

    parts: tuple[RefWeekly, ...]

    def intervals(self, after: dt.datetime) -> Iterator[Interval]:
        current: list[dt.datetime] | None = None
        for start, end in heapq.merge(*(part.intervals(after) for part in self.parts)):
            if current is None:
                current = [start, end]
            elif start <= current[1]:
                current[1] = max(current[1], end)
            else:
                yield current[0], current[1]
                current = [start, end]


Ref = RefWeekly | RefUnion


def ref_add(ref: Ref, at: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    at = at.astimezone(UTC)
    left = duration
    for opens, closes in ref.intervals(at):
        start = max(opens, at)
        if left <= closes - start:
            return start + left
        left -= closes - start
    raise AssertionError("unreachable")


def ref_elapsed(ref: Ref, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    if b < a:
        return -ref_elapsed(ref, b, a)
    total = dt.timedelta(0)
    for start, end in ref.intervals(a):
        if start >= b:
            break
        total += min(end, b) - max(start, a)
    return total


def ref_is_open(ref: Ref, at: dt.datetime) -> bool:
    start, _ = next(ref.intervals(at))
    return start <= at


def ref_is_closing(ref: Ref, at: dt.datetime) -> bool:
    return ref_is_open(ref, at - MICRO) and not ref_is_open(ref, at)


def ref_business_days(ref: RefWeekly, at: dt.datetime, days: int) -> dt.datetime:
    """The closing of the `days`-th working day whose opening is strictly after `at` (T6)."""
    day = at.astimezone(ref.zone).date() - ONE_DAY
    while True:
        interval = ref.day(day)
        if interval is not None and interval[0] > at:
            days -= 1
            if days == 0:
                return interval[1]
        day += ONE_DAY


PACIFIC_REF = RefWeekly(LA, dt.time(6), dt.time(18), "US")
PHONE_REF = RefWeekly(LA, dt.time(9), dt.time(17), "US")
BERLIN_DE_REF = RefWeekly(BERLIN, dt.time(9), dt.time(17), "DE")
KOLKATA_IN_REF = RefWeekly(KOLKATA, dt.time(9), dt.time(17), "IN")
WEEKLY_REFS = {"pacific": PACIFIC_REF, "phone": PHONE_REF}
UNIONS = {
    ("pacific", "Europe/Berlin", "DE"): RefUnion((PACIFIC_REF, BERLIN_DE_REF)),
    ("pacific", "Asia/Kolkata", "IN"): RefUnion((PACIFIC_REF, KOLKATA_IN_REF)),
    ("phone", "Europe/Berlin", "DE"): RefUnion((PHONE_REF, BERLIN_DE_REF)),
}

POLICY = default_policy()
DEFAULT_POLICY_TEXT = resources.files("rmadesk.policy").joinpath("default.toml").read_text("utf-8")


def engine(key: str | tuple[str, str, str]):
    return POLICY.calendar(key) if isinstance(key, str) else POLICY.union_calendar(*key)


def reference(key: str | tuple[str, str, str]) -> Ref:
    return WEEKLY_REFS[key] if isinstance(key, str) else UNIONS[key]


ALL_KEYS: list[str | tuple[str, str, str]] = [*WEEKLY_REFS, *UNIONS]


def key_id(key: str | tuple[str, str, str]) -> str:
    return key if isinstance(key, str) else "+".join(key)


# ------------------------------------------------------------------------------- strategies
def _dst_change_days(zone: ZoneInfo) -> list[dt.date]:
    found = []
    day = dt.date(2024, 1, 1)
    while day <= dt.date(2030, 12, 31):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
        before = dt.datetime.combine(day - ONE_DAY, dt.time(12), tzinfo=zone).utcoffset()
        if noon != before:
            found.append(day)
        day += ONE_DAY
    return found


def _interesting_days() -> list[dt.date]:
    centres = set(_dst_change_days(LA)) | set(_dst_change_days(BERLIN))
    for country in ("US", "DE"):
        centres |= set(holidays.country_holidays(country, years=range(2024, 2031)))
    days = {centre + k * ONE_DAY for centre in centres for k in range(-3, 4)}
    return sorted(day for day in days if 2024 <= day.year <= 2030)


DST_DAYS = _dst_change_days(LA) + _dst_change_days(BERLIN)
INTERESTING_DAYS = _interesting_days()
ZONES = [LA, UTC, KOLKATA, BERLIN]

any_instant = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2030, 12, 31, 23, 59, 59, 999_999),
    timezones=st.sampled_from(ZONES),
)
interesting_instant = st.builds(
    lambda day, time, zone: dt.datetime.combine(day, time, tzinfo=zone),
    st.sampled_from(INTERESTING_DAYS),
    st.times(),
    st.sampled_from(ZONES),
)
boundary_instant = st.builds(
    lambda day, hour, delta, zone: dt.datetime.combine(day, dt.time(hour), tzinfo=zone) + delta,
    st.sampled_from(INTERESTING_DAYS),
    st.sampled_from([0, 6, 9, 17, 18]),
    st.sampled_from([dt.timedelta(0), MICRO, -MICRO, dt.timedelta(seconds=-1)]),
    st.sampled_from([LA, BERLIN, KOLKATA]),
)
starts = st.one_of(any_instant, interesting_instant, boundary_instant)

durations = st.one_of(
    st.integers(1, 200).map(lambda n: n * HOUR),
    st.integers(1, 200 * 3_600_000_000).map(lambda n: n * MICRO),
    st.integers(1, 12 * 3_600).map(lambda n: dt.timedelta(seconds=n)),
    st.sampled_from([MICRO, dt.timedelta(seconds=1), 4 * HOUR, 8 * HOUR, 12 * HOUR, 13 * HOUR]),
)


# ----------------------------------------------------------------- the reference, checked itself
def test_the_reference_gives_the_policy_examples():
    def la(*args: int) -> dt.datetime:
        return dt.datetime(*args, tzinfo=LA)

    assert ref_add(PACIFIC_REF, la(2026, 11, 23, 14), 4 * HOUR) == la(2026, 11, 23, 18)
    assert ref_add(PACIFIC_REF, la(2026, 3, 6, 15), 7 * HOUR) == la(2026, 3, 9, 10)
    assert ref_business_days(PACIFIC_REF, la(2026, 11, 16, 10), 1) == la(2026, 11, 17, 18)
    assert ref_business_days(PACIFIC_REF, la(2026, 11, 16, 5), 1) == la(2026, 11, 16, 18)
    assert ref_business_days(PACIFIC_REF, la(2026, 11, 13, 19), 1) == la(2026, 11, 16, 18)
    assert ref_business_days(PACIFIC_REF, la(2026, 11, 25, 10), 1) == la(2026, 11, 27, 18)
    assert dt.date(2026, 7, 3) in PACIFIC_REF.closed
    assert dt.date(2027, 7, 5) in PACIFIC_REF.closed
    union = UNIONS["pacific", "Europe/Berlin", "DE"]
    assert ref_elapsed(union, la(2026, 11, 23), la(2026, 11, 24)) == 18 * HOUR
    assert ref_elapsed(union, la(2026, 3, 16), la(2026, 3, 17)) == 17 * HOUR
    assert len(DST_DAYS) == 28  # two changes a year in each of two zones, 2024-2030


# ------------------------------------------------------------------------------- properties
@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(start=starts, duration=durations)
def test_add_equals_the_reference_exactly(key, start, duration):
    assert engine(key).add(start, duration) == ref_add(reference(key), start, duration)


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(start=starts)
def test_clock_start_equals_the_reference(key, start):
    cal = engine(key)
    expected = ref_add(reference(key), start, dt.timedelta(0))
    assert cal.clock_start(start) == expected
    assert cal.add(start, dt.timedelta(0)) == expected
    assert cal.is_open(start) is ref_is_open(reference(key), start)


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(start=starts, duration=durations)
def test_a_due_time_is_never_inside_closed_hours(key, start, duration):
    cal, ref = engine(key), reference(key)
    due = cal.add(start, duration)
    assert cal.is_open(due) or ref_is_closing(ref, due)
    # Open time runs right up to the due time.
    assert ref_is_open(ref, due - MICRO)
    assert cal.is_open(due - MICRO)


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(start=starts, duration=durations)
def test_elapsed_undoes_add(key, start, duration):
    cal = engine(key)
    due = cal.add(start, duration)
    assert cal.elapsed(start, due) == duration
    assert cal.elapsed(due, start) == -duration


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(a=starts, b=starts)
def test_elapsed_equals_the_reference(key, a, b):
    assert engine(key).elapsed(a, b) == ref_elapsed(reference(key), a, b)


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(a=starts, b=starts, duration=durations)
def test_add_is_monotonic_in_the_start(key, a, b, duration):
    cal = engine(key)
    if b < a:
        a, b = b, a
    assert cal.add(a, duration) <= cal.add(b, duration)


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(start=starts, d1=durations, d2=durations)
def test_add_is_strictly_monotonic_in_the_duration(key, start, d1, d2):
    cal = engine(key)
    if d2 < d1:
        d1, d2 = d2, d1
    if d1 == d2:
        assert cal.add(start, d1) == cal.add(start, d2)
    else:
        assert cal.add(start, d1) < cal.add(start, d2)
        assert cal.add(cal.add(start, d1), d2 - d1) == cal.add(start, d2)


@pytest.mark.parametrize("key", list(WEEKLY_REFS))
@PROPERTY
@given(start=starts, days=st.integers(1, 10))
def test_business_days_equal_the_reference(key, start, days):
    cal = engine(key)
    due = cal.business_days(start, days)
    assert due == ref_business_days(WEEKLY_REFS[key], start, days)
    assert ref_is_closing(WEEKLY_REFS[key], due)
    assert due > start


@pytest.mark.parametrize("key", list(WEEKLY_REFS))
@PROPERTY
@given(a=starts, b=starts, days=st.integers(1, 5))
def test_business_days_are_monotonic(key, a, b, days):
    cal = engine(key)
    if b < a:
        a, b = b, a
    assert cal.business_days(a, days) <= cal.business_days(b, days)
    assert cal.business_days(a, days) < cal.business_days(a, days + 1)


@pytest.mark.parametrize("key", list(UNIONS), ids=key_id)
@PROPERTY
@given(start=starts, duration=durations)
def test_a_union_is_never_slower_than_either_part(key, start, duration):
    union = engine(key)
    due = union.add(start, duration)
    for part in union.parts:
        assert due <= part.add(start, duration)
        assert union.elapsed(start, part.add(start, duration)) >= duration


@pytest.mark.parametrize("key", list(UNIONS), ids=key_id)
@PROPERTY
@given(at=starts)
def test_a_union_is_open_exactly_when_a_part_is(key, at):
    union = engine(key)
    assert union.is_open(at) is any(part.is_open(at) for part in union.parts)


@PROPERTY
@given(
    day=st.sampled_from(DST_DAYS),
    time=st.times(),
    zone=st.sampled_from(ZONES),
    duration=durations,
)
def test_dst_change_days_equal_the_reference(day, time, zone, duration):
    start = dt.datetime.combine(day, time, tzinfo=zone)
    for key in ALL_KEYS:
        assert engine(key).add(start, duration) == ref_add(reference(key), start, duration)
    for key, ref in WEEKLY_REFS.items():
        assert engine(key).business_days(start, 1) == ref_business_days(ref, start, 1)


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@PROPERTY
@given(
    batch=st.lists(
        st.tuples(starts, st.one_of(st.just(dt.timedelta(0)), durations)), min_size=1, max_size=20
    )
)
def test_batches_equal_single_calls(key, batch):
    cal = engine(key)
    values = np.array([to_us(start) for start, _ in batch], dtype=np.int64)
    lengths = np.array([d // MICRO for _, d in batch], dtype=np.int64)
    assert cal.add_many_us(values, lengths).tolist() == [
        cal.add_us(int(v), int(n)) for v, n in zip(values, lengths, strict=True)
    ]
    if isinstance(key, str):
        for days in (1, 3):
            assert cal.business_days_many_us(values, days).tolist() == [
                cal.business_days_us(int(v), days) for v in values
            ]


@pytest.mark.parametrize("key", ALL_KEYS, ids=key_id)
@settings(max_examples=25, deadline=None, database=None)
@given(first=starts, start=starts, duration=durations)
def test_answers_do_not_depend_on_what_was_asked_before(key, first, start, duration):
    """A fresh calendar, first asked about another instant, answers like the reference."""
    policy = parse_policy(DEFAULT_POLICY_TEXT, "fresh default policy")
    cal = policy.calendar(key) if isinstance(key, str) else policy.union_calendar(*key)
    cal.is_open(first)
    assert cal.add(start, duration) == ref_add(reference(key), start, duration)
    assert cal.elapsed(first, start) == ref_elapsed(reference(key), first, start)
