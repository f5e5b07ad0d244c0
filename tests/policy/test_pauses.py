"""L5 in the policy core: used + remaining = the target, and a pause of zero length is no pause."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.loader import default_policy
from rmadesk.policy.pauses import length_text, remainder_due, split_at_pause
from rmadesk.policy.service_levels import find_target, response_due, target_calendar

LA = ZoneInfo("America/Los_Angeles")
POLICY = default_policy()
TARGETS = [
    ("gold", "S1"),
    ("gold", "S2"),
    ("gold", "S4"),
    ("silver", "S3"),
    ("silver", "S4"),
    ("bronze", "S4"),
    ("truecommand", "S2"),
]
instants = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=LA, microsecond=0)
)
lengths = st.integers(min_value=0, max_value=14 * 24 * 3600).map(lambda s: dt.timedelta(seconds=s))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LA)


def test_L5_the_policy_example_gold_s1():
    # 2 h, 24x7: reply 12:30, pause 13:00 (30 min used), resume 15:00 -> 16:30.
    split = split_at_pause(
        POLICY,
        plan="gold",
        severity="S1",
        started=at(2026, 11, 18, 12, 30),
        paused=at(2026, 11, 18, 13),
        due=at(2026, 11, 18, 14, 30),
    )
    assert (split.used, split.remaining) == (dt.timedelta(minutes=30), dt.timedelta(minutes=90))
    answer = remainder_due(
        POLICY,
        plan="gold",
        severity="S1",
        resume=at(2026, 11, 18, 15),
        used=split.used,
        remaining=split.remaining,
    )
    assert answer.due == at(2026, 11, 18, 16, 30)
    assert "L5" in answer.rules


def test_L5_length_text():
    assert length_text(dt.timedelta(minutes=90)) == "1 hour 30 minutes"
    assert length_text(dt.timedelta(hours=20)) == "20 hours"
    assert length_text(dt.timedelta(0)) == "0 minutes"


@settings(max_examples=150, deadline=None)
@given(
    target=st.sampled_from(TARGETS),
    reply=instants,
    before_pause=lengths,
    pause_length=lengths,
)
def test_L5_pause_properties(target, reply, before_pause, pause_length):
    plan, severity = target
    first = response_due(POLICY, plan=plan, severity=severity, start=reply)
    assert first.due is not None and first.clock_starts is not None
    calendar = target_calendar(POLICY, find_target(POLICY, plan, severity))
    paused = min(reply + before_pause, first.due)
    split = split_at_pause(
        POLICY,
        plan=plan,
        severity=severity,
        started=first.clock_starts,
        paused=paused,
        due=first.due,
    )
    # used + remainder = the target in open time (for hours targets: exactly its hours).
    budget = calendar.elapsed(first.clock_starts, first.due)
    assert split.used + split.remaining == budget
    hours = find_target(POLICY, plan, severity).hours
    if hours is not None:
        assert budget == dt.timedelta(hours=float(hours))
    # A pause of zero length changes nothing.
    same = remainder_due(
        POLICY,
        plan=plan,
        severity=severity,
        resume=paused,
        used=split.used,
        remaining=split.remaining,
    )
    assert same.due == first.due
    # After a real pause: due after the resume, and exactly the remainder of open time later.
    resume = paused + pause_length
    later = remainder_due(
        POLICY,
        plan=plan,
        severity=severity,
        resume=resume,
        used=split.used,
        remaining=split.remaining,
    )
    assert later.due is not None and later.due >= resume
    assert calendar.elapsed(resume, later.due) == split.remaining
    assert later.due >= first.due
