"""Age in business days (T2, T6): how many business days have opened since an instant.

A ticket opened Monday 10:00 is 0 business days old until Tuesday's opening, 1 from then; one
opened Monday 05:00 turns 1 at Monday's opening. The reports bucket tickets by age without
reading them one by one: `openings_before` gives the instants where ages change, and SQL
compares each ticket's opening to them.
"""

from __future__ import annotations

import datetime as dt

from rmadesk.policy.calendars import Calendar
from rmadesk.policy.instants import require_aware


def openings_before(
    calendar: Calendar, at: dt.datetime, count: int, zone: dt.tzinfo
) -> list[dt.datetime]:
    """The latest `count` business-day openings at or before `at`, latest first.

    A day counts when the calendar opens on it (local date in `zone`); holidays and closures
    are skipped because the calendar does not open on them. Looks back at most a year.
    """
    require_aware(at, "at")
    found: list[dt.datetime] = []
    day = at.astimezone(zone).date()
    for _ in range(366):
        if len(found) >= count:
            break
        start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        opening = calendar.next_opening(start)
        if opening.astimezone(zone).date() == day and opening <= at:
            found.append(opening)
        day -= dt.timedelta(days=1)
    return found


def age_in_business_days(
    calendar: Calendar, opened: dt.datetime, at: dt.datetime, zone: dt.tzinfo
) -> int:
    """Business-day openings after `opened` and at or before `at` (the reference for tests)."""
    return sum(1 for opening in openings_before(calendar, at, 400, zone) if opening > opened)
