"""Placing a demo clock: the start that makes the policy's due time land where the story wants."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.demo.timeline import start_for_due
from rmadesk.policy.loader import default_policy
from rmadesk.policy.service_levels import response_due

POLICY = default_policy()  # what the demo runs on in tests (no version activated, L6)
# (plan, severity, country, zone) with a service level; Gold S1 runs 24x7 (L3, T4).
CLOCKS = [
    ("gold", "S1", "US", "America/Los_Angeles"),
    ("gold", "S2", "US", "America/Los_Angeles"),
    ("gold", "S4", "US", "America/Los_Angeles"),
    ("silver", "S1", "DE", "Europe/Berlin"),
    ("silver", "S3", "DE", "Europe/Berlin"),
    ("bronze", "S2", "JP", "Asia/Tokyo"),
    ("truecommand", "S2", "US", "America/Chicago"),
]
nows = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.UTC),
)
offsets = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60).map(
    lambda minutes: dt.timedelta(minutes=minutes)
)


def due_of(plan: str, severity: str, country: str, zone: str):
    def due(start: dt.datetime) -> dt.datetime:
        answer = response_due(
            POLICY, plan=plan, severity=severity, start=start, country=country, zone=zone
        )
        assert answer.due is not None
        return answer.due

    return due


@settings(max_examples=150, deadline=None)
@given(clock=st.sampled_from(CLOCKS), now=nows, offset=offsets)
def test_the_start_is_never_in_the_future_and_keeps_the_storys_side_of_now(clock, now, offset):
    due = due_of(*clock)
    target = now + offset
    start = start_for_due(due, target, now=now, earliest=now - dt.timedelta(days=30))
    assert now - dt.timedelta(days=30) <= start <= now
    assert (due(start) > now) == (target > now)
    if target <= now:  # a breached story is due at or before its target, never after
        assert due(start) <= target


@settings(max_examples=100, deadline=None)
@given(now=nows, minutes=st.integers(min_value=-3 * 24 * 60, max_value=119))
def test_a_24x7_clock_lands_on_its_target_to_the_minute(now, minutes):
    due = due_of("gold", "S1", "US", "America/Los_Angeles")  # 2 hours, every hour counts
    target = now + dt.timedelta(minutes=minutes)
    start = start_for_due(due, target, now=now, earliest=now - dt.timedelta(days=30))
    assert target - dt.timedelta(minutes=1) < due(start) <= target


def test_a_target_in_a_closed_stretch_falls_due_at_the_next_opening_not_before_now():
    # Saturday 10:00 Pacific: Gold S2 (4 business hours) cannot be due in 3 hours.
    now = dt.datetime(2026, 11, 21, 18, 0, tzinfo=dt.UTC)
    due = due_of("gold", "S2", "US", "America/Los_Angeles")
    start = start_for_due(
        due, now + dt.timedelta(hours=3), now=now, earliest=now - dt.timedelta(days=30)
    )
    # Any start up to Friday 14:00 is due by Friday 18:00, breached; the next minute's start is
    # due a minute after Monday's opening, 06:01 Pacific: ahead, as the story wants.
    assert start == dt.datetime(2026, 11, 20, 22, 1, tzinfo=dt.UTC)  # Friday 14:01 Pacific
    assert due(start) == dt.datetime(2026, 11, 23, 14, 1, tzinfo=dt.UTC)
