"""Attainment: exact numbers for seeded tickets, in business hours of each ticket's calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.reports.attainment import attainment
from rmadesk.reports.filters import Filters
from rmadesk.reports.ranges import DateRange
from tests.reports.seed import reply, seed
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db

NOVEMBER = DateRange.of(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "week")


def as_tuples(rows):
    return [
        (
            r.period_start,
            r.plan,
            r.severity,
            r.clock,
            r.met,
            r.breached,
            r.median_business_hours,
            r.p90_business_hours,
        )
        for r in rows
    ]


def test_L3_attainment_per_week_counts_business_hours_not_wall_clock():
    seeded = seed()
    rows = as_tuples(attainment(seeded.manager, NOVEMBER))
    assert rows == [
        # Silver S2 answered after 1, 2, 4 and 9 business hours (the last 21 h of wall clock):
        # median (4 values, position 1.5) 2 + 0.5 x 2 = 3.00; p90 (position 2.7) 4 + 0.7 x 5
        # = 7.50. The 9-hour one is breached (target 8 business hours).
        ("2026-11-02", "silver", "S2", "first_response", 3, 1, "3.00", "7.50"),
        # Their next updates (8 business hours from each reply) were never given: breached by
        # the scan, with no response time yet.
        ("2026-11-02", "silver", "S2", "next_update", 0, 4, None, None),
        # Gold S1 due Tue 10 Nov 02:00, never answered.
        ("2026-11-09", "gold", "S1", "first_response", 0, 1, None, None),
        # Gold S2 answered at once (0 business hours); its paused next update is not counted.
        ("2026-11-16", "gold", "S2", "first_response", 1, 0, "0.00", "0.00"),
    ]


def test_L3_attainment_per_month_with_filters():
    seeded = seed()
    month = DateRange.of(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "month")
    rows = as_tuples(
        attainment(seeded.manager, month, Filters.parse("silver", "S2", "first_response"))
    )
    assert rows == [("2026-11-01", "silver", "S2", "first_response", 3, 1, "3.00", "7.50")]
    # The late reply answers its breached run: the response time is 9 business hours.
    late = seeded.late.clock_runs.get(kind="first_response")
    assert (late.state, late.business_seconds, late.target_seconds) == (
        "breached",
        9 * 3600,
        8 * 3600,
    )


def test_L3_a_run_the_scan_breached_is_answered_by_the_next_reply_on_its_own_calendar():
    seeded = seed()
    # Gold S1 (2 hours, 24x7) opened Tue 10 Nov 00:00, breached by the scan at 02:00, answered
    # at 05:00: 5 hours on the 24x7 calendar (T4), 3 past the target; due out of hours.
    reply(seeded.agent, seeded.night, pacific(2026, 11, 10, 5, 0))
    run = seeded.night.clock_runs.get(kind="first_response")
    assert (run.state, run.business_seconds, run.target_seconds) == ("breached", 5 * 3600, 7200)
    assert (run.answered_at, run.is_due_in_hours) == (pacific(2026, 11, 10, 5, 0), False)
    assert run.due_week.isoformat() == "2026-11-09"
