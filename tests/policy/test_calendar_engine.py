"""Exact-value tests of the business-time engine (POLICY.md section T).

Every expected instant is written out literally, as an aware datetime in America/Los_Angeles
(or, where the point is another zone, in that zone). No Django is needed.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from rmadesk.policy.calendars import Skipped
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import US_PER_HOUR, from_us, to_us
from rmadesk.policy.loader import Policy, default_policy, parse_policy

LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
UTC = dt.UTC
PLUS_0530 = dt.timezone(dt.timedelta(hours=5, minutes=30))
H = dt.timedelta(hours=1)


def la(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=LA, fold=fold)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return default_policy()


@pytest.fixture(scope="module")
def pacific(policy):
    return policy.calendar("pacific")


@pytest.fixture(scope="module")
def phone(policy):
    return policy.calendar("phone")


@pytest.fixture(scope="module")
def always(policy):
    return policy.calendar("always")


@pytest.fixture(scope="module")
def union(policy):
    return policy.union_calendar("pacific", "Europe/Berlin", "DE")


def default_text() -> str:
    return resources.files("rmadesk.policy").joinpath("default.toml").read_text("utf-8")


def fresh_policy() -> Policy:
    """A policy of its own, so its calendars' tables start empty (growth is exercised)."""
    return parse_policy(default_text(), "fresh copy of the default policy")


# ------------------------------------------------------------------------------- calendar dates
def test_the_dates_used_below_are_the_weekdays_they_claim_to_be():
    assert la(2026, 11, 23).strftime("%a") == "Mon"
    assert la(2026, 11, 26).strftime("%a") == "Thu"  # Thanksgiving 2026
    assert la(2026, 3, 6).strftime("%a") == "Fri"
    assert la(2026, 3, 8).strftime("%a") == "Sun"  # US spring-forward
    assert la(2026, 11, 1).strftime("%a") == "Sun"  # US fall-back
    assert la(2026, 7, 3).strftime("%a") == "Fri"
    assert la(2027, 7, 5).strftime("%a") == "Mon"
    assert la(2090, 1, 2).strftime("%a") == "Mon"
    assert la(2026, 3, 8, 12).utcoffset() == -7 * H
    assert la(2026, 3, 7, 12).utcoffset() == -8 * H
    assert la(2026, 11, 1, 12).utcoffset() == -8 * H
    assert la(2026, 10, 31, 12).utcoffset() == -7 * H


# ------------------------------------------------------------------------------------ T2 / T3
@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (la(2026, 11, 23, 5, 59), False),
        (la(2026, 11, 23, 6, 0), True),  # the opening itself is open
        (la(2026, 11, 23, 17, 59), True),
        (la(2026, 11, 23, 18, 0), False),  # the closing itself is closed
        (la(2026, 11, 21, 10, 0), False),  # Saturday
        (la(2026, 11, 22, 10, 0), False),  # Sunday
        (la(2026, 11, 26, 10, 0), False),  # Thanksgiving
        (la(2026, 11, 27, 10, 0), True),  # the day after is worked by default (T2)
    ],
)
def test_pacific_is_open_monday_to_friday_six_to_six(pacific, at, expected):
    assert pacific.is_open(at) is expected


def test_an_instant_one_microsecond_before_closing_is_open(pacific):
    assert pacific.is_open(la(2026, 11, 23, 18) - dt.timedelta(microseconds=1))
    assert not pacific.is_open(la(2026, 11, 23, 6) - dt.timedelta(microseconds=1))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (la(2026, 11, 23, 8, 59), False),
        (la(2026, 11, 23, 9, 0), True),
        (la(2026, 11, 23, 16, 59), True),
        (la(2026, 11, 23, 17, 0), False),
        (la(2026, 11, 26, 10, 0), False),  # T3 uses T2's holidays
    ],
)
def test_phone_line_is_open_nine_to_five(phone, at, expected):
    assert phone.is_open(at) is expected


# ------------------------------------------------------------------------------------------ T5
@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (la(2026, 11, 23, 5, 0), la(2026, 11, 23, 6)),  # Monday before opening
        (la(2026, 11, 23, 10, 0), la(2026, 11, 23, 10)),  # open: starts now
        (la(2026, 11, 23, 18, 0), la(2026, 11, 24, 6)),  # at closing: next opening
        (la(2026, 11, 20, 19, 0), la(2026, 11, 23, 6)),  # Friday evening
        (la(2026, 11, 21, 12, 0), la(2026, 11, 23, 6)),  # Saturday
        (la(2026, 11, 25, 18, 30), la(2026, 11, 27, 6)),  # Wednesday evening, Thanksgiving next
    ],
)
def test_t5_clock_start_outside_hours_is_the_next_opening(pacific, at, expected):
    assert pacific.clock_start(at) == expected


def test_next_opening_is_at_or_after(pacific):
    assert pacific.next_opening(la(2026, 11, 23, 6)) == la(2026, 11, 23, 6)
    assert pacific.next_opening(la(2026, 11, 23, 6, 1)) == la(2026, 11, 24, 6)
    assert pacific.next_opening(la(2026, 11, 20, 12)) == la(2026, 11, 23, 6)


@pytest.mark.parametrize(
    ("at", "hours", "expected"),
    [
        (la(2026, 11, 23, 5, 0), 1, la(2026, 11, 23, 7)),  # starts at 06:00, not 05:00
        (la(2026, 11, 23, 0, 0), 12, la(2026, 11, 23, 18)),
        (la(2026, 11, 23, 18, 30), 2, la(2026, 11, 24, 8)),
        (la(2026, 11, 20, 19, 0), 1, la(2026, 11, 23, 7)),  # Friday evening
        (la(2026, 11, 21, 12, 0), 4, la(2026, 11, 23, 10)),  # Saturday
        (la(2026, 11, 22, 23, 59), 1, la(2026, 11, 23, 7)),  # Sunday, a minute to midnight
        (la(2026, 11, 20, 17, 0), 2, la(2026, 11, 23, 7)),  # Friday: 1 h, then Monday 1 h
    ],
)
def test_t5_clock_starting_outside_hours_counts_from_the_next_opening(pacific, at, hours, expected):
    assert pacific.add(at, hours * H) == expected


@pytest.mark.parametrize(
    ("at", "hours", "expected"),
    [
        (la(2026, 11, 23, 14), 4, la(2026, 11, 23, 18)),  # not Tue 06:00
        (la(2026, 11, 23, 6), 12, la(2026, 11, 23, 18)),
        (la(2026, 11, 23, 6), 24, la(2026, 11, 24, 18)),
        (la(2026, 11, 23, 18), 12, la(2026, 11, 24, 18)),  # starts Tue 06:00
        (la(2026, 11, 20, 6), 12, la(2026, 11, 20, 18)),  # Friday, not Monday 06:00
        (la(2026, 11, 25, 10), 8, la(2026, 11, 25, 18)),  # not Fri 06:00 after Thanksgiving
    ],
)
def test_t5_an_end_exactly_at_closing_stays_at_closing(pacific, at, hours, expected):
    due = pacific.add(at, hours * H)
    assert due == expected
    assert not pacific.is_open(due)
    assert pacific.elapsed(at, due) == hours * H


@pytest.mark.parametrize(
    ("at", "duration", "expected"),
    [
        (la(2026, 11, 23, 14), 4 * H + dt.timedelta(microseconds=1), la(2026, 11, 24, 6)),
        (la(2026, 11, 23, 14), 4 * H - dt.timedelta(microseconds=1), la(2026, 11, 23, 18)),
    ],
)
def test_t5_one_microsecond_either_side_of_closing(pacific, at, duration, expected):
    # 4 h + 1 µs ends 1 µs after Tuesday's opening; 4 h - 1 µs ends 1 µs before closing.
    delta = duration - 4 * H
    assert pacific.add(at, duration) == expected + delta


def test_t5_zero_duration_is_the_clock_start(pacific):
    assert pacific.add(la(2026, 11, 23, 10), dt.timedelta(0)) == la(2026, 11, 23, 10)
    assert pacific.add(la(2026, 11, 23, 18), dt.timedelta(0)) == la(2026, 11, 24, 6)
    assert pacific.add(la(2026, 11, 21, 12), dt.timedelta(0)) == la(2026, 11, 23, 6)


def test_t5_a_negative_duration_is_refused(pacific):
    with pytest.raises(PolicyError) as error:
        pacific.add(la(2026, 11, 23, 10), -H)
    assert error.value.rule == "T5"


@pytest.mark.parametrize(
    ("at", "hours", "expected"),
    [
        (la(2026, 11, 23, 8), 1, la(2026, 11, 23, 10)),  # starts at 09:00
        (la(2026, 11, 23, 15), 2, la(2026, 11, 23, 17)),  # ends exactly at 17:00
        (la(2026, 11, 23, 16), 2, la(2026, 11, 24, 10)),
        (la(2026, 11, 25, 16), 2, la(2026, 11, 27, 10)),  # over Thanksgiving
        (la(2026, 11, 23, 9), 16, la(2026, 11, 24, 17)),
    ],
)
def test_t3_phone_line_hours(phone, at, hours, expected):
    assert phone.add(at, hours * H) == expected


def test_pacific_elapsed_simple(pacific):
    assert pacific.elapsed(la(2026, 11, 23, 5), la(2026, 11, 23, 19)) == 12 * H
    assert pacific.elapsed(la(2026, 11, 20, 17), la(2026, 11, 23, 7)) == 2 * H
    assert pacific.elapsed(la(2026, 11, 23), la(2026, 11, 30)) == 48 * H  # Thanksgiving week
    assert pacific.elapsed(la(2026, 11, 23, 19), la(2026, 11, 23, 5)) == -12 * H


# ------------------------------------------------------------------------------------------ T4
def test_t4_always_adds_plainly(always):
    assert always.add(la(2026, 11, 21, 12), 4 * H) == la(2026, 11, 21, 16)
    assert always.add(la(2026, 11, 26, 23), 2 * H) == la(2026, 11, 27, 1)
    # Across spring-forward: 24 real hours from Saturday noon PST is Sunday 13:00 PDT.
    assert always.add(la(2026, 3, 7, 12), 24 * H) == la(2026, 3, 8, 13)
    # Across fall-back: 24 real hours from Saturday noon PDT is Sunday 11:00 PST.
    assert always.add(la(2026, 10, 31, 12), 24 * H) == la(2026, 11, 1, 11)
    assert always.elapsed(la(2026, 3, 8), la(2026, 3, 9)) == 23 * H
    assert always.elapsed(la(2026, 11, 1), la(2026, 11, 2)) == 25 * H
    assert always.is_open(la(2026, 11, 26, 3))
    assert always.clock_start(la(2026, 11, 26, 3)) == la(2026, 11, 26, 3)


def test_t4_always_has_no_business_days(always):
    with pytest.raises(PolicyError) as error:
        always.business_days(la(2026, 11, 23, 10), 1)
    assert error.value.rule == "T6"


# ------------------------------------------------------------------------------------------ T6
@pytest.mark.parametrize(
    ("at", "days", "expected"),
    [
        (la(2026, 11, 16, 10), 1, la(2026, 11, 17, 18)),  # Monday 10:00 -> Tuesday 18:00
        (la(2026, 11, 16, 5), 1, la(2026, 11, 16, 18)),  # Monday 05:00 -> Monday 18:00
        (la(2026, 11, 16, 6), 1, la(2026, 11, 17, 18)),  # an opening at 06:00 is not after 06:00
        (la(2026, 11, 13, 19), 1, la(2026, 11, 16, 18)),  # Friday 19:00 -> Monday 18:00
        (la(2026, 11, 14, 0), 1, la(2026, 11, 16, 18)),  # Saturday -> Monday 18:00
        (la(2026, 11, 14, 15), 1, la(2026, 11, 16, 18)),
        (la(2026, 11, 15, 23, 59), 1, la(2026, 11, 16, 18)),  # Sunday
        (la(2026, 11, 25, 10), 1, la(2026, 11, 27, 18)),  # Thanksgiving 2026-11-26 skipped
        (la(2026, 11, 24, 10), 2, la(2026, 11, 27, 18)),
        (la(2026, 11, 16, 10), 2, la(2026, 11, 18, 18)),
        (la(2026, 11, 16, 10), 5, la(2026, 11, 23, 18)),
        (la(2026, 11, 20, 10), 3, la(2026, 11, 25, 18)),
        (la(2026, 12, 24, 10), 1, la(2026, 12, 28, 18)),  # Christmas, Friday 2026-12-25
        (la(2026, 12, 31, 10), 1, la(2027, 1, 4, 18)),  # New Year, Friday 2027-01-01
    ],
)
def test_t6_next_business_day(pacific, at, days, expected):
    assert pacific.business_days(at, days) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (la(2026, 11, 16, 8), la(2026, 11, 16, 17)),  # before 09:00 -> same day 17:00
        (la(2026, 11, 16, 9), la(2026, 11, 17, 17)),
        (la(2026, 11, 25, 8), la(2026, 11, 25, 17)),
        (la(2026, 11, 25, 10), la(2026, 11, 27, 17)),
    ],
)
def test_t6_next_business_day_on_the_phone_line(phone, at, expected):
    assert phone.business_days(at, 1) == expected


def test_t6_needs_at_least_one_day(pacific):
    with pytest.raises(PolicyError) as error:
        pacific.business_days(la(2026, 11, 16, 10), 0)
    assert error.value.rule == "T6"
    with pytest.raises(PolicyError) as error:
        pacific.business_days_many_us(np.array([to_us(la(2026, 11, 16, 10))]), 0)
    assert error.value.rule == "T6"


# ----------------------------------------------------------------------- T2: observed holidays
def test_independence_day_on_a_saturday_is_off_on_the_friday_before(pacific):
    assert not pacific.is_open(la(2026, 7, 3, 10))
    assert pacific.is_open(la(2026, 7, 2, 10))
    assert pacific.is_open(la(2026, 7, 6, 10))
    assert pacific.business_days(la(2026, 7, 2, 10), 1) == la(2026, 7, 6, 18)
    assert pacific.add(la(2026, 7, 2, 16), 4 * H) == la(2026, 7, 6, 8)
    skipped = pacific.skipped_between(la(2026, 6, 29), la(2026, 7, 10))
    assert [(s.date, s.kind) for s in skipped] == [(dt.date(2026, 7, 3), "holiday")]
    assert "Independence Day" in skipped[0].name


def test_independence_day_on_a_sunday_is_off_on_the_monday_after(pacific):
    assert not pacific.is_open(la(2027, 7, 5, 10))
    assert pacific.is_open(la(2027, 7, 2, 10))
    assert pacific.business_days(la(2027, 7, 2, 10), 1) == la(2027, 7, 6, 18)
    assert pacific.add(la(2027, 7, 2, 16), 4 * H) == la(2027, 7, 6, 8)
    skipped = pacific.skipped_between(la(2027, 7, 1), la(2027, 7, 9))
    assert [(s.date, s.kind) for s in skipped] == [(dt.date(2027, 7, 5), "holiday")]
    assert "Independence Day" in skipped[0].name


def test_new_year_on_a_saturday_is_off_on_the_friday_before_across_the_year(pacific):
    # 2028-01-01 is a Saturday: Friday 2027-12-31 is off, and so is Christmas Eve 2027 (Friday)
    # for Christmas on Saturday 2027-12-25.
    assert not pacific.is_open(la(2027, 12, 31, 10))
    assert not pacific.is_open(la(2027, 12, 24, 10))
    assert pacific.business_days(la(2027, 12, 30, 10), 1) == la(2028, 1, 3, 18)
    assert pacific.elapsed(la(2027, 12, 20), la(2028, 1, 3)) == 96 * H
    dates = [s.date for s in pacific.skipped_between(la(2027, 12, 20), la(2028, 1, 3))]
    assert dates == [dt.date(2027, 12, 24), dt.date(2027, 12, 31)]


def test_observed_holiday_on_a_fresh_table_built_for_the_year_before():
    # A table first built for 2023-2027 (from a question in 2025) must already know that
    # 2027-12-31 is off for 2028-01-01, and must agree after it grows into 2028.
    pacific = fresh_policy().calendar("pacific")
    assert pacific.is_open(la(2025, 6, 2, 10))
    assert not pacific.is_open(la(2027, 12, 31, 10))
    assert pacific.business_days(la(2027, 12, 30, 10), 1) == la(2028, 1, 3, 18)


# ------------------------------------------------------------------------------------- DST
def test_spring_forward_weekend_business_hours(pacific):
    due = pacific.add(la(2026, 3, 6, 15), 7 * H)
    assert due == la(2026, 3, 9, 10)
    assert due.astimezone(LA).utcoffset() == -7 * H
    assert due == dt.datetime(2026, 3, 9, 17, tzinfo=UTC)
    # The opening is 06:00 local on both sides: 14:00 UTC before, 13:00 UTC after.
    assert pacific.clock_start(la(2026, 3, 6, 19)) == dt.datetime(2026, 3, 9, 13, tzinfo=UTC)
    assert pacific.clock_start(la(2026, 3, 5, 19)) == dt.datetime(2026, 3, 6, 14, tzinfo=UTC)
    assert pacific.is_open(dt.datetime(2026, 3, 9, 13, 30, tzinfo=UTC))
    assert not pacific.is_open(dt.datetime(2026, 3, 6, 13, 30, tzinfo=UTC))
    # Closings: 18:00 PST = 02:00 UTC next day, 18:00 PDT = 01:00 UTC next day.
    assert pacific.add(la(2026, 3, 6, 6), 12 * H) == dt.datetime(2026, 3, 7, 2, tzinfo=UTC)
    assert pacific.add(la(2026, 3, 9, 6), 12 * H) == dt.datetime(2026, 3, 10, 1, tzinfo=UTC)
    assert pacific.business_days(la(2026, 3, 6, 10), 1) == la(2026, 3, 9, 18)


def test_fall_back_weekend_business_hours(pacific):
    due = pacific.add(la(2026, 10, 30, 15), 7 * H)
    assert due == la(2026, 11, 2, 10)
    assert due.astimezone(LA).utcoffset() == -8 * H
    assert due == dt.datetime(2026, 11, 2, 18, tzinfo=UTC)
    assert pacific.clock_start(la(2026, 10, 30, 19)) == dt.datetime(2026, 11, 2, 14, tzinfo=UTC)
    assert pacific.business_days(la(2026, 10, 30, 10), 1) == la(2026, 11, 2, 18)
    # Sunday's repeated hour (01:00-02:00 twice) is closed both times.
    assert not pacific.is_open(la(2026, 11, 1, 1, 30, fold=0))
    assert not pacific.is_open(la(2026, 11, 1, 1, 30, fold=1))


def test_elapsed_across_dst_weekends_counts_open_hours_not_wall_hours(pacific):
    spring_start, spring_end = la(2026, 3, 6, 6), la(2026, 3, 9, 18)
    # (Real elapsed time: aware datetimes in the same zone subtract as wall times in Python.)
    assert spring_end.astimezone(UTC) - spring_start == dt.timedelta(days=3, hours=11)
    assert pacific.elapsed(spring_start, spring_end) == 24 * H
    fall_start, fall_end = la(2026, 10, 30, 6), la(2026, 11, 2, 18)
    assert fall_end.astimezone(UTC) - fall_start == dt.timedelta(days=3, hours=13)
    assert pacific.elapsed(fall_start, fall_end) == 24 * H
    # The weekends themselves have no open time.
    assert pacific.elapsed(la(2026, 3, 7), la(2026, 3, 9)) == dt.timedelta(0)
    assert pacific.elapsed(la(2026, 10, 31), la(2026, 11, 2)) == dt.timedelta(0)
    # The weeks around them: ten business days of twelve hours each.
    assert pacific.elapsed(la(2026, 3, 2), la(2026, 3, 16)) == 120 * H
    assert pacific.elapsed(la(2026, 10, 26), la(2026, 11, 9)) == 120 * H
    # Two weeks straddling Veterans Day (Wednesday 2026-11-11) lose one day.
    assert pacific.elapsed(la(2026, 11, 2), la(2026, 11, 16)) == 108 * H


def test_a_whole_week_of_business_hours_across_dst(pacific):
    assert pacific.add(la(2026, 3, 6, 6), 60 * H) == la(2026, 3, 12, 18)
    assert pacific.add(la(2026, 10, 30, 6), 60 * H) == la(2026, 11, 5, 18)
    assert pacific.add(la(2026, 3, 6, 12), 60 * H) == la(2026, 3, 13, 12)


# --------------------------------------------------------------------------------- T1: inputs
@pytest.mark.parametrize(
    "same_instant",
    [
        la(2026, 11, 23, 10),
        dt.datetime(2026, 11, 23, 18, tzinfo=UTC),
        dt.datetime(2026, 11, 23, 23, 30, tzinfo=PLUS_0530),
        dt.datetime(2026, 11, 23, 23, 30, tzinfo=KOLKATA),
        dt.datetime(2026, 11, 23, 19, tzinfo=BERLIN),
        dt.datetime(2026, 11, 23, 13, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
)
def test_t1_other_offsets_give_the_same_instant(pacific, phone, always, same_instant):
    assert pacific.add(same_instant, 4 * H) == la(2026, 11, 23, 14)
    assert pacific.add(same_instant, 9 * H) == la(2026, 11, 24, 7)
    assert phone.add(same_instant, 8 * H) == la(2026, 11, 24, 10)
    assert always.add(same_instant, 9 * H) == la(2026, 11, 23, 19)
    assert pacific.business_days(same_instant, 1) == la(2026, 11, 24, 18)
    assert pacific.is_open(same_instant)
    assert pacific.elapsed(same_instant, la(2026, 11, 24, 10)) == 12 * H
    # Answers come back in UTC (T1).
    assert pacific.add(same_instant, 4 * H).utcoffset() == dt.timedelta(0)


def test_t1_instant_given_in_a_far_ahead_zone_on_a_different_local_date(pacific):
    # Saturday 2026-11-21 02:00 in Kolkata is still Friday 12:30 in Los Angeles: open.
    friday = dt.datetime(2026, 11, 21, 2, 0, tzinfo=KOLKATA)
    assert pacific.is_open(friday)
    assert pacific.add(friday, 6 * H) == la(2026, 11, 23, 6, 30)


NAIVE = dt.datetime(2026, 11, 23, 10)


@pytest.mark.parametrize("key", ["pacific", "phone", "always"])
@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.is_open(NAIVE),
        lambda cal: cal.clock_start(NAIVE),
        lambda cal: cal.next_opening(NAIVE),
        lambda cal: cal.add(NAIVE, H),
        lambda cal: cal.elapsed(NAIVE, NAIVE),
        lambda cal: cal.elapsed(la(2026, 11, 23), NAIVE),
        lambda cal: cal.add_many([la(2026, 11, 23), NAIVE], H),
    ],
)
def test_t1_naive_datetime_is_an_error(policy, key, call):
    with pytest.raises(PolicyError) as error:
        call(policy.calendar(key))
    assert error.value.rule == "T1"


@pytest.mark.parametrize("key", ["pacific", "phone"])
def test_t1_naive_datetime_is_an_error_for_business_days(policy, key):
    with pytest.raises(PolicyError) as error:
        policy.calendar(key).business_days(NAIVE, 1)
    assert error.value.rule == "T1"
    with pytest.raises(PolicyError) as error:
        policy.calendar(key).skipped_between(NAIVE, NAIVE)
    assert error.value.rule == "T1"


def test_t1_naive_datetime_is_an_error_for_the_union(union):
    with pytest.raises(PolicyError) as error:
        union.add(NAIVE, H)
    assert error.value.rule == "T1"


# ------------------------------------------------------------------------------ T8: explaining
def test_skipped_between_lists_thanksgiving_by_name(pacific):
    skipped = pacific.skipped_between(la(2026, 11, 23, 10), la(2026, 11, 30, 10))
    assert skipped == [Skipped(dt.date(2026, 11, 26), "Thanksgiving Day", "holiday")]
    assert skipped[0].sentence() == "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day)"
    # The order of the two instants does not matter; a week without holidays lists nothing.
    assert pacific.skipped_between(la(2026, 11, 30, 10), la(2026, 11, 23, 10)) == skipped
    assert pacific.skipped_between(la(2026, 11, 30), la(2026, 12, 5)) == []


def test_skipped_between_lists_working_weekdays_only(pacific):
    # Independence Day 2026 falls on Saturday: only the observed Friday is skipped.
    skipped = pacific.skipped_between(la(2026, 7, 1), la(2026, 7, 6))
    assert [s.date for s in skipped] == [dt.date(2026, 7, 3)]


def test_skipped_between_uses_local_dates(pacific):
    # 2026-11-27 01:00 UTC is still Thanksgiving evening in Los Angeles.
    skipped = pacific.skipped_between(
        dt.datetime(2026, 11, 26, 12, tzinfo=UTC), dt.datetime(2026, 11, 27, 1, tzinfo=UTC)
    )
    assert [s.name for s in skipped] == ["Thanksgiving Day"]
    assert pacific.skipped_between(la(2026, 11, 27, 1), la(2026, 11, 27, 20)) == []


def test_describe_mentions_zone_hours_and_holidays(pacific, phone, always):
    text = pacific.describe()
    assert "America/Los_Angeles" in text
    assert "06:00-18:00" in text
    assert "Mon–Fri" in text
    assert "US public holidays" in text
    assert "T2" in text
    assert "09:00-17:00" in phone.describe()
    assert "America/Los_Angeles" in phone.describe()
    assert "T3" in phone.describe()
    assert "24x7" in always.describe()
    assert "T4" in always.describe()
    assert pacific.rules() == ("T2",)
    assert phone.rules() == ("T3",)
    assert always.rules() == ("T4",)


# ------------------------------------------------------------------------------------------ T7
@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Monday 09:30 Berlin = 00:30 Pacific: open through the customer's hours.
        (berlin(2026, 11, 23, 9, 30), True),
        (la(2026, 11, 23, 0, 30), True),
        (la(2026, 11, 22, 23, 59), False),  # Sunday 23:59 Pacific = Monday 08:59 Berlin
        (la(2026, 11, 23, 0, 0), True),  # Monday 09:00 Berlin
        (la(2026, 11, 23, 8, 0), True),  # Berlin closes at 17:00 = 08:00 Pacific; Pacific open
        (la(2026, 11, 23, 18, 0), False),
        (la(2026, 11, 23, 17, 59), True),
        # Thanksgiving: Pacific closed, Berlin's Thursday hours still open.
        (berlin(2026, 11, 26, 10, 0), True),
        (la(2026, 11, 26, 10, 0), False),
        # Easter Monday 2026-04-06 and Labour Day 2026-05-01: German holidays, US working days.
        (berlin(2026, 4, 6, 9, 30), False),  # 00:30 Pacific: neither open
        (berlin(2026, 4, 6, 16, 30), True),  # 07:30 Pacific: open via Pacific hours
        (la(2026, 4, 6, 10, 0), True),
        (berlin(2026, 5, 1, 9, 30), False),
        (la(2026, 5, 1, 7, 30), True),
        (berlin(2026, 4, 30, 9, 30), True),  # the Thursday before: Berlin is open
        (la(2026, 11, 21, 10, 0), False),  # Saturday in both
    ],
)
def test_t7_union_is_open_when_either_part_is(union, at, expected):
    assert union.is_open(at) is expected
    parts_open = any(part.is_open(at) for part in union.parts)
    assert parts_open is expected


def test_t7_union_add_and_elapsed(union):
    # Monday: Berlin 09:00-17:00 CET = 00:00-08:00 PST, then Pacific until 18:00.
    assert union.add(la(2026, 11, 23, 0), 4 * H) == la(2026, 11, 23, 4)
    assert union.add(la(2026, 11, 23, 0), 18 * H) == la(2026, 11, 23, 18)
    assert union.add(la(2026, 11, 23, 0), 19 * H) == la(2026, 11, 24, 1)
    assert union.elapsed(la(2026, 11, 23), la(2026, 11, 24)) == 18 * H
    # Between the US (2026-03-08) and EU (2026-03-29) clock changes Berlin opens at 01:00 PDT.
    assert union.elapsed(la(2026, 3, 16), la(2026, 3, 17)) == 17 * H
    assert union.clock_start(la(2026, 3, 16, 0, 30)) == la(2026, 3, 16, 1)
    # Thanksgiving: only Berlin's eight hours (00:00-08:00 Pacific).
    assert union.elapsed(la(2026, 11, 26), la(2026, 11, 27)) == 8 * H
    assert union.add(la(2026, 11, 25, 17), 3 * H) == la(2026, 11, 26, 2)
    # Easter Monday: only Pacific's twelve hours.
    assert union.elapsed(la(2026, 4, 6), la(2026, 4, 7)) == 12 * H
    # A Friday evening S1 waits for Monday 09:00 Berlin, not Monday 06:00 Pacific.
    assert union.add(la(2026, 11, 20, 19), 4 * H) == la(2026, 11, 23, 4)


def test_t7_union_explains_itself(union):
    assert "T7" in union.rules()
    assert union.rules()[0] == "T7"
    assert "T2" in union.rules()
    text = union.describe()
    assert "T7" in text
    assert "America/Los_Angeles" in text
    assert "Europe/Berlin" in text
    skipped = union.skipped_between(la(2026, 11, 23), la(2026, 11, 27))
    thanksgiving = Skipped(
        dt.date(2026, 11, 26), "Thanksgiving Day", "holiday", "Pacific business hours"
    )
    assert thanksgiving in skipped
    # A union is not closed on one part's holiday: the sentence says whose day it is.
    assert thanksgiving.sentence() == (
        "Thu 26 Nov 2026: Pacific business hours closed (holiday: Thanksgiving Day)"
    )


def test_t7_union_is_cached_and_24x7_absorbs_the_union(policy, always):
    assert policy.union_calendar("pacific", "Europe/Berlin", "DE") is policy.union_calendar(
        "pacific", "Europe/Berlin", "DE"
    )
    assert policy.union_calendar("always", "Europe/Berlin", "DE") is always


# -------------------------------------------------------------------------------------- batches
def _batch_starts() -> np.ndarray:
    """A few hundred instants: a ragged grid across DST and holidays, plus exact boundaries."""
    values: list[int] = []
    base = to_us(la(2026, 2, 27))
    step = 7 * US_PER_HOUR + 13 * 60_000_000 + 123_457  # 7 h 13 min 0.123457 s
    values += [base + k * step for k in range(160)]
    base = to_us(la(2026, 10, 20))
    values += [base + k * step for k in range(160)]
    for day in (la(2026, 3, 6), la(2026, 3, 9), la(2026, 11, 25), la(2026, 7, 3), la(2027, 7, 2)):
        for hour in (0, 5, 6, 9, 12, 17, 18, 23):
            at = to_us(day.replace(hour=hour))
            values += [at - 1, at, at + 1]
    return np.array(values, dtype=np.int64)


BATCH_DURATIONS_US = [0, 1, US_PER_HOUR, 4 * US_PER_HOUR, 12 * US_PER_HOUR, 13 * US_PER_HOUR]
BATCH_DURATIONS_US += [100 * US_PER_HOUR + 7, 3_000 * US_PER_HOUR]


@pytest.mark.parametrize("key", ["pacific", "phone", "always", "union"])
@pytest.mark.parametrize("duration", BATCH_DURATIONS_US)
def test_add_many_us_equals_single_calls(policy, union, key, duration):
    cal = union if key == "union" else policy.calendar(key)
    starts = _batch_starts()
    batch = cal.add_many_us(starts, duration)
    assert batch.dtype == np.int64
    assert batch.tolist() == [cal.add_us(int(t), duration) for t in starts]


@pytest.mark.parametrize("key", ["pacific", "phone", "union"])
def test_add_many_us_with_a_duration_per_start(policy, union, key):
    cal = union if key == "union" else policy.calendar(key)
    starts = _batch_starts()
    durations = np.array(
        [BATCH_DURATIONS_US[k % len(BATCH_DURATIONS_US)] for k in range(len(starts))],
        dtype=np.int64,
    )
    batch = cal.add_many_us(starts, durations)
    expected = [cal.add_us(int(t), int(d)) for t, d in zip(starts, durations, strict=True)]
    assert batch.tolist() == expected


@pytest.mark.parametrize("key", ["pacific", "phone"])
@pytest.mark.parametrize("days", [1, 2, 5, 30])
def test_business_days_many_us_equals_single_calls(policy, key, days):
    cal = policy.calendar(key)
    starts = _batch_starts()
    batch = cal.business_days_many_us(starts, days)
    assert batch.tolist() == [cal.business_days_us(int(t), days) for t in starts]


def test_batch_round_trips_through_datetimes(pacific):
    starts = [la(2026, 11, 23, 14), la(2026, 11, 25, 16), la(2026, 3, 6, 15)]
    assert pacific.add_many(starts, 4 * H) == [
        la(2026, 11, 23, 18),
        la(2026, 11, 27, 8),
        la(2026, 3, 9, 7),
    ]
    values = np.array([to_us(at) for at in starts], dtype=np.int64)
    assert [from_us(int(v)) for v in pacific.business_days_many_us(values, 1)] == [
        la(2026, 11, 24, 18),
        la(2026, 11, 27, 18),
        la(2026, 3, 9, 18),
    ]


def test_empty_batches(pacific):
    empty = np.array([], dtype=np.int64)
    assert pacific.add_many_us(empty, US_PER_HOUR).size == 0
    assert pacific.business_days_many_us(empty, 1).size == 0
    assert pacific.add_many([], H) == []


def test_batch_refuses_a_negative_duration(pacific):
    with pytest.raises(PolicyError) as error:
        pacific.add_many_us(np.array([to_us(la(2026, 11, 23))]), np.array([-1]))
    assert error.value.rule == "T5"


def test_batches_grow_a_fresh_table_like_single_calls():
    policy = fresh_policy()
    for key in ("pacific", "phone"):
        cal = policy.calendar(key)
        starts = _batch_starts()
        big = 20_000 * US_PER_HOUR
        batch = cal.add_many_us(starts, big).tolist()
        days = cal.business_days_many_us(starts, 1_500).tolist()
        assert batch == [cal.add_us(int(t), big) for t in starts]
        assert days == [cal.business_days_us(int(t), 1_500) for t in starts]


# --------------------------------------------------------------------------------- table growth
def test_an_instant_in_2090(pacific):
    assert not pacific.is_open(la(2090, 1, 2, 10))  # New Year's Day (observed), a Monday
    assert pacific.is_open(la(2090, 1, 3, 10))
    assert pacific.add(la(2090, 1, 2, 10), 4 * H) == la(2090, 1, 3, 10)
    # Thanksgiving 2090 is Thursday 2090-11-23.
    assert pacific.business_days(la(2090, 11, 22, 10), 1) == la(2090, 11, 24, 18)
    names = [s.name for s in pacific.skipped_between(la(2090, 11, 20), la(2090, 11, 25))]
    assert names == ["Thanksgiving Day"]


def test_an_add_of_twenty_thousand_business_hours(pacific):
    start = la(2026, 11, 23, 6)
    due = pacific.add(start, 20_000 * H)
    assert due == la(2033, 7, 25, 14)
    assert pacific.elapsed(start, due) == 20_000 * H
    assert pacific.add(la(2090, 1, 2, 10), 20_000 * H) == la(2096, 8, 30, 14)


def test_a_fresh_table_grows_forward_and_backward_consistently():
    pacific = fresh_policy().calendar("pacific")
    assert pacific.add(la(2090, 1, 2, 10), 20_000 * H) == la(2096, 8, 30, 14)
    assert pacific.add(la(2026, 11, 23, 6), 20_000 * H) == la(2033, 7, 25, 14)
    assert pacific.business_days(la(2026, 11, 25, 10), 1) == la(2026, 11, 27, 18)
    assert pacific.elapsed(la(2026, 11, 23, 6), la(2033, 7, 25, 14)) == 20_000 * H


def test_an_instant_far_outside_the_supported_years_is_refused(pacific):
    with pytest.raises(PolicyError):
        pacific.is_open(dt.datetime(2500, 1, 3, 10, tzinfo=UTC))
    with pytest.raises(PolicyError):
        pacific.add(dt.datetime(1800, 1, 3, 10, tzinfo=UTC), H)


# ------------------------------------------------------------------ T2: closures and removals
CLOSURE = 'closures = [{ date = 2026-11-27, name = "Day after Thanksgiving" }]'


def _policy_with(*replacements: tuple[str, str]) -> Policy:
    text = default_text()
    for original, replacement in replacements:
        assert text.count(original) == 1
        text = text.replace(original, replacement)
    return parse_policy(text, "test")


def test_a_closure_is_skipped_by_name():
    policy = _policy_with(("closures = []", CLOSURE))
    pacific = policy.calendar("pacific")
    assert not pacific.is_open(la(2026, 11, 27, 10))
    assert pacific.business_days(la(2026, 11, 25, 10), 1) == la(2026, 11, 30, 18)
    assert pacific.add(la(2026, 11, 25, 16), 4 * H) == la(2026, 11, 30, 8)
    assert pacific.elapsed(la(2026, 11, 23), la(2026, 11, 30)) == 36 * H
    skipped = pacific.skipped_between(la(2026, 11, 23), la(2026, 11, 30))
    assert skipped == [
        Skipped(dt.date(2026, 11, 26), "Thanksgiving Day", "holiday"),
        Skipped(dt.date(2026, 11, 27), "Day after Thanksgiving", "closure"),
    ]
    assert skipped[1].sentence() == "Fri 27 Nov 2026 skipped (closure: Day after Thanksgiving)"
    assert "1 extra closure(s)" in pacific.describe()
    # The phone line takes its holidays from the Pacific calendar (holidays_from).
    assert not policy.calendar("phone").is_open(la(2026, 11, 27, 10))
    assert policy.calendar("phone").business_days(la(2026, 11, 25, 10), 1) == la(2026, 11, 30, 17)
    # Only that year's day: 2027-11-26 (the day after Thanksgiving 2027) is worked.
    assert pacific.is_open(la(2027, 11, 26, 10))
    # The default policy is untouched.
    assert default_policy().calendar("pacific").is_open(la(2026, 11, 27, 10))


def test_a_removed_holiday_is_worked():
    policy = _policy_with(("removed_holidays = []", "removed_holidays = [2026-11-26]"))
    pacific = policy.calendar("pacific")
    assert pacific.is_open(la(2026, 11, 26, 10))
    assert pacific.business_days(la(2026, 11, 25, 10), 1) == la(2026, 11, 26, 18)
    assert pacific.add(la(2026, 11, 25, 16), 4 * H) == la(2026, 11, 26, 8)
    assert pacific.elapsed(la(2026, 11, 23), la(2026, 11, 30)) == 60 * H
    assert pacific.skipped_between(la(2026, 11, 23), la(2026, 11, 30)) == []
    assert "1 holiday(s) worked" in pacific.describe()
    assert policy.calendar("phone").is_open(la(2026, 11, 26, 10))
    # Other holidays stay.
    assert not pacific.is_open(la(2026, 12, 25, 10))
    assert not pacific.is_open(la(2027, 11, 25, 10))  # Thanksgiving 2027


def test_a_removed_observed_holiday_is_worked():
    policy = _policy_with(("removed_holidays = []", "removed_holidays = [2026-07-03]"))
    pacific = policy.calendar("pacific")
    assert pacific.is_open(la(2026, 7, 3, 10))
    assert pacific.business_days(la(2026, 7, 2, 10), 1) == la(2026, 7, 3, 18)


def test_closure_and_removal_together():
    policy = _policy_with(
        ("closures = []", CLOSURE), ("removed_holidays = []", "removed_holidays = [2026-11-26]")
    )
    pacific = policy.calendar("pacific")
    assert pacific.is_open(la(2026, 11, 26, 10))
    assert not pacific.is_open(la(2026, 11, 27, 10))
    assert pacific.business_days(la(2026, 11, 26, 10), 1) == la(2026, 11, 30, 18)
    assert pacific.skipped_between(la(2026, 11, 23), la(2026, 11, 30)) == [
        Skipped(dt.date(2026, 11, 27), "Day after Thanksgiving", "closure")
    ]
