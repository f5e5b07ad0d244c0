"""T3: the warranty phone line, 09:00-17:00 Pacific Mon-Fri, T2's holidays closed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.loader import default_policy
from rmadesk.policy.phone_line import warranty_call, warranty_line_hours

LA = ZoneInfo("America/Los_Angeles")
POLICY = default_policy()
instants = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=LA, microsecond=0)
)


def test_T3_the_line_hours_read_from_the_policy_file():
    assert warranty_line_hours(POLICY).startswith(
        "Warranty phone line: Mon–Fri 09:00-17:00 America/Los_Angeles, closed on US public"
    )


def test_T3_a_call_at_0800_is_heard_at_0900_and_at_1700_next_morning():
    at = dt.datetime(2026, 11, 18, 8, 0, tzinfo=LA)
    answer = warranty_call(POLICY, at)
    assert answer is not None and not answer.is_open
    assert answer.heard_at == dt.datetime(2026, 11, 18, 9, 0, tzinfo=LA)
    closing = warranty_call(POLICY, dt.datetime(2026, 11, 18, 17, 0, tzinfo=LA))
    assert closing is not None and not closing.is_open  # 17:00 is closed: the line ends then
    assert closing.heard_at == dt.datetime(2026, 11, 19, 9, 0, tzinfo=LA)


@settings(max_examples=200, deadline=None)
@given(at=instants)
def test_T3_properties(at):
    answer = warranty_call(POLICY, at)
    assert answer is not None
    local = answer.heard_at.astimezone(LA)
    assert answer.heard_at >= at
    if answer.is_open:
        assert answer.heard_at == at
    else:
        # Heard at an opening: a weekday at 09:00 Pacific, within a week and a few holidays.
        assert (local.hour, local.minute, local.weekday() < 5) == (9, 0, True)
        assert answer.heard_at - at < dt.timedelta(days=5)
    assert 9 <= local.hour < 17 and local.weekday() < 5
