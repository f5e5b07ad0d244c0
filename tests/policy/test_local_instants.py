"""Wall-clock times typed in a zone (the console's date and time pickers) become exact instants;
a time the zone skips or shows twice at a DST change is refused naming the field (T1)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import parse_local_instant

PACIFIC = ZoneInfo("America/Los_Angeles")
ZONES = [PACIFIC, ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]


def test_t1_a_wall_clock_time_is_read_in_the_zone():
    at = parse_local_instant("2026-11-18T09:30", PACIFIC, "called_at")
    assert at.isoformat() == "2026-11-18T09:30:00-08:00"
    assert parse_local_instant("2026-07-01T09:30:15", PACIFIC, "x").isoformat() == (
        "2026-07-01T09:30:15-07:00"
    )


def test_t1_a_time_with_its_offset_is_taken_as_it_is():
    at = parse_local_instant("2026-11-18T09:30+01:00", PACIFIC, "called_at")
    assert at.isoformat() == "2026-11-18T09:30:00+01:00"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-08T01:59", "2026-03-08T01:59:00-08:00"),  # the last minute of PST
        ("2026-03-08T03:00", "2026-03-08T03:00:00-07:00"),  # the first minute of PDT
    ],
)
def test_t1_spring_forward_the_minutes_around_the_skipped_hour_are_accepted(typed, expected):
    assert parse_local_instant(typed, PACIFIC, "shipped_at").isoformat() == expected


@pytest.mark.parametrize("typed", ["2026-03-08T02:00", "2026-03-08T02:30", "2026-03-08T02:59"])
def test_t1_spring_forward_a_skipped_time_is_refused_naming_the_field(typed):
    with pytest.raises(PolicyError) as refused:
        parse_local_instant(typed, PACIFIC, "shipped_at")
    assert refused.value.field == "shipped_at"
    assert refused.value.rule == "T1"
    assert refused.value.message.startswith(
        f"{typed.replace('T', ' ')} does not exist in America/Los_Angeles: the clocks jump "
        "forward over it (PST to PDT)"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-01T00:59", "2026-11-01T00:59:00-07:00"),  # before the repeated hour
        ("2026-11-01T02:00", "2026-11-01T02:00:00-08:00"),  # after it
    ],
)
def test_t1_fall_back_the_minutes_around_the_repeated_hour_are_accepted(typed, expected):
    assert parse_local_instant(typed, PACIFIC, "called_at").isoformat() == expected


@pytest.mark.parametrize("typed", ["2026-11-01T01:00", "2026-11-01T01:30", "2026-11-01T01:59"])
def test_t1_fall_back_a_repeated_time_is_refused_naming_both_instants(typed):
    with pytest.raises(PolicyError) as refused:
        parse_local_instant(typed, PACIFIC, "called_at")
    assert refused.value.field == "called_at"
    minute = typed[-5:]
    assert refused.value.message == (
        f"{typed.replace('T', ' ')} happens twice in America/Los_Angeles (PDT and PST): the "
        f"clocks go back that hour; give the time with its offset "
        f"(2026-11-01T{minute}:00-07:00 or 2026-11-01T{minute}:00-08:00)"
    )


@pytest.mark.parametrize("typed", ["", "tomorrow", "2026-13-01T10:00", "18/11/2026 09:30"])
def test_t1_what_is_not_a_date_and_time_is_refused(typed):
    with pytest.raises(PolicyError) as refused:
        parse_local_instant(typed, PACIFIC, "at")
    assert refused.value.field == "at"
    assert "is not a date and time (e.g. 2026-11-18T09:30)" in refused.value.message


@settings(max_examples=400, deadline=None)
@example(dt.datetime(2057, 10, 7, 2, 0), ZoneInfo("Australia/Lord_Howe"))
@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31)),
    st.sampled_from(ZONES),
)
def test_t1_an_accepted_time_reads_back_as_typed_and_a_refused_one_is_at_a_change(naive, zone):
    typed = naive.replace(microsecond=0)
    try:
        at = parse_local_instant(typed.isoformat(), zone, "at")
    except PolicyError:
        # only at a DST change: the zone's two readings of the wall time disagree (a repeat),
        # or it does not read back (a gap). zoneinfo gives a gap's two folds one offset where
        # it reads its POSIX rule (past its table: Lord Howe's half-hour jump in 2057).
        earlier, later = typed.replace(tzinfo=zone), typed.replace(tzinfo=zone, fold=1)
        reads_back = earlier.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == typed
        assert earlier.utcoffset() != later.utcoffset() or not reads_back
        return
    assert at.utcoffset() is not None
    assert at.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == typed
