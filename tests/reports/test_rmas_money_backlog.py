"""Breaches, backlog, RMAs, money and the manager's figures: exact numbers for seeded records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from rmadesk.reports.attainment import attainment
from rmadesk.reports.backlog import backlog, waiting_on_customer
from rmadesk.reports.breaches import breach_counts, breaches
from rmadesk.reports.dashboard import dashboard
from rmadesk.reports.money import money_figures
from rmadesk.reports.ranges import DateRange
from rmadesk.reports.rmas import rma_figures
from tests.reports.seed import seed, seed_rmas_and_money

pytestmark = pytest.mark.django_db

NOVEMBER = DateRange.of(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def figures(rows):
    return {f.figure: (f.count, f.value) for f in rows}


def test_L3_breaches_say_by_how_much_who_and_in_or_out_of_hours():
    seeded = seed()
    rows = breaches(seeded.manager, NOVEMBER)
    first = rows[0]  # latest due first: the Gold S1 due Tue 10 Nov 02:00 PST (10:00 UTC)
    assert (first.ticket, first.clock, first.due_at) == (
        seeded.night.number, "first_response", "2026-11-10T10:00:00+00:00",
    )  # fmt: skip
    assert (first.in_hours, first.answered_at, first.late_business_hours) == (False, None, None)
    late = rows[-1]  # Silver S2 due Tue 3 Nov 08:00, answered 09:00: 1 business hour late
    assert (late.ticket, late.late_business_hours, late.in_hours) == (
        seeded.late.number, "1.00", True,
    )  # fmt: skip
    counts = [
        (c.plan, c.severity, c.in_hours, c.out_of_hours)
        for c in breach_counts(seeded.manager, NOVEMBER)
    ]
    assert counts == [("gold", "S1", 0, 1), ("silver", "S2", 5, 0)]


def test_T2_backlog_ages_in_business_days_and_waiting_on_the_customer():
    seeded = seed()  # today: Fri 20 Nov 2026 12:00 PST; Wed 11 Nov is Veterans Day (T2)
    ages = {r.severity: (r.age_0, r.age_1, r.age_2_4, r.age_5_9, r.age_10_plus, r.total)
            for r in backlog(seeded.manager)}  # fmt: skip
    # Gold S1 opened Tue 10 Nov 00:00: 8 openings since (10, 12, 13, 16-20 Nov) -> 5-9.
    # Silver S2: opened Mon 2 Nov (13 openings) and Wed 4 Nov 08:00 (11) -> 10+; Gold S2
    # opened Wed 18 Nov 09:00: Thu and Fri openings -> 2.
    assert ages == {"S1": (0, 0, 0, 1, 0, 1), "S2": (0, 0, 1, 0, 4, 5)}
    [waiting] = waiting_on_customer(seeded.manager)
    assert (waiting.severity, waiting.days_1_3, waiting.total, waiting.oldest_since) == (
        "S2", 1, 1, "2026-11-18T18:00:00+00:00",  # since Wed 18 Nov 10:00 PST: 2 days
    )  # fmt: skip


def test_R4_F2_F3_exact_figures_each_report_a_fixed_number_of_queries(django_assert_num_queries):
    seeded = seed()
    seed_rmas_and_money()
    manager = seeded.manager
    manager.account  # noqa: B018 -- the role, read once as a signed-in request has it
    # PostgreSQL computes the percentiles in the counts' query (percentile_cont); elsewhere a
    # second query fetches the ranks around them.
    ranks = 0 if connection.vendor == "postgresql" else 1
    for report, queries in (
        (lambda: attainment(manager, NOVEMBER), 1 + ranks),
        (lambda: breaches(manager, NOVEMBER), 1),
        (lambda: breach_counts(manager, NOVEMBER), 1),
        (lambda: backlog(manager), 1),
        (lambda: waiting_on_customer(manager), 1),
        (lambda: rma_figures(manager, NOVEMBER), 4),
        (lambda: money_figures(manager, NOVEMBER), 3),
        (lambda: dashboard(manager), 7 + 2 * ranks),  # two weeks of attainment
    ):
        with django_assert_num_queries(queries):
            report()
    check_figures(manager)


def check_figures(manager):
    assert figures(rma_figures(manager, NOVEMBER)) == {
        "issued": (3, None),
        "shipped_within_1_day": (1, None),
        "shipped_1_3_days": (1, None),
        "shipped_3_7_days": (0, None),
        "shipped_over_7_days": (0, None),
        "shipped_not_yet": (1, None),
        "received_within_1_day": (0, None),
        "received_1_3_days": (0, None),
        "received_3_7_days": (1, None),
        "received_over_7_days": (1, None),
        "received_not_yet": (1, None),
        "expired": (1, None),
        "awaiting_return": (1, "500.00"),
        "invoiced": (1, "500.00"),
        "credited": (1, "80.00"),
    }
    assert figures(money_figures(manager, NOVEMBER)) == {
        "not_due": (1, "500.00"),  # 1000.00 due Thu 26 Nov, 500.00 paid
        "overdue_1_30": (1, "507.50"),  # 500.00 due Thu 5 Nov, 15 days: with its 7.50 fee
        "overdue_31_60": (0, "0.00"),
        "overdue_61_90": (0, "0.00"),
        "overdue_over_90": (0, "0.00"),
        "late_fees": (1, "7.50"),
        "refunds": (1, "800.00"),
        "restocking_fees": (1, "200.00"),
    }
    page = dashboard(manager)
    assert (page.today, page.breaches_today, page.about_to_breach) == (dt.date(2026, 11, 20), 0, 0)
    assert (page.unassigned_s1, page.unassigned_s2) == (1, 9)  # 5 seeded, 4 under the RMAs
    assert (page.met_this_week, page.met_last_week) == (100, 0)
    assert (page.rmas_expired_recently, page.parts_past_return) == (1, 1)
    assert (page.overdue_invoices, page.overdue_balance) == (1, "507.50")
