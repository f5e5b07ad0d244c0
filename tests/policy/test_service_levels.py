"""First-response due times (L3, L4, T5, T6, T7, T8) with exact values from POLICY.md."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import from_us, to_us
from rmadesk.policy.loader import default_policy
from rmadesk.policy.service_levels import response_due, response_due_many

LA = ZoneInfo("America/Los_Angeles")
POLICY = default_policy()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LA)


def due(plan: str, severity: str, opened: dt.datetime, **kw: str) -> dt.datetime | None:
    return response_due(POLICY, plan=plan, severity=severity, start=opened, **kw).due


# Wednesday 2026-11-18 is an ordinary week; 2026-11-26 is Thanksgiving.
@pytest.mark.parametrize(
    ("plan", "severity", "opened", "expected"),
    [
        # L3 gold: S1 2 h 24x7, S2 4 bh, S3 8 bh, S4 NBD
        ("gold", "S1", at(2026, 11, 21, 23, 30), at(2026, 11, 22, 1, 30)),  # Saturday night
        ("gold", "S2", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 8, 0)),
        ("gold", "S3", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 12, 0)),
        ("gold", "S4", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 18, 0)),
        # L3 silver: S1 4 bh, S2 8 bh, S3 NBD, S4 2 business days
        ("silver", "S1", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 8, 0)),
        ("silver", "S2", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 12, 0)),
        ("silver", "S3", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 18, 0)),
        ("silver", "S4", at(2026, 11, 18, 16, 0), at(2026, 11, 20, 18, 0)),
        # L3 bronze: S1/S2 NBD, S3 2 business days, S4 3 business days
        ("bronze", "S1", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 18, 0)),
        ("bronze", "S2", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 18, 0)),
        ("bronze", "S3", at(2026, 11, 18, 16, 0), at(2026, 11, 20, 18, 0)),
        ("bronze", "S4", at(2026, 11, 18, 16, 0), at(2026, 11, 23, 18, 0)),
        # L3 truecommand: S2 2 bh, S3 4 bh, S4 NBD
        ("truecommand", "S2", at(2026, 11, 18, 16, 0), at(2026, 11, 18, 18, 0)),
        ("truecommand", "S3", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 8, 0)),
        ("truecommand", "S4", at(2026, 11, 18, 16, 0), at(2026, 11, 19, 18, 0)),
    ],
)
def test_l3_default_targets(plan: str, severity: str, opened: dt.datetime, expected: dt.datetime):
    assert due(plan, severity, opened) == expected


def test_l3_gold_s2_skips_thanksgiving_and_says_so():
    answer = response_due(POLICY, plan="gold", severity="S2", start=at(2026, 11, 25, 16, 0))
    assert answer.due == at(2026, 11, 27, 8, 0)
    assert answer.target == "4 business hours"
    assert answer.calendar == "Pacific business hours"
    assert answer.rules == ("L3", "T2", "T5", "T8")
    assert "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day) (rule T2)." in answer.explain
    assert answer.explain[-1] == "Due Fri 27 Nov 2026 08:00 PST (rule T8)."


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (at(2026, 11, 16, 10, 0), at(2026, 11, 17, 18, 0)),  # Monday 10:00 -> Tuesday 18:00
        (at(2026, 11, 16, 5, 0), at(2026, 11, 16, 18, 0)),  # Monday 05:00 -> Monday 18:00
        (at(2026, 11, 20, 19, 0), at(2026, 11, 23, 18, 0)),  # Friday 19:00 -> Monday 18:00
        (at(2026, 11, 21, 12, 0), at(2026, 11, 23, 18, 0)),  # Saturday -> Monday 18:00
        (at(2026, 11, 25, 10, 0), at(2026, 11, 27, 18, 0)),  # Thanksgiving skipped
        (at(2026, 7, 2, 10, 0), at(2026, 7, 6, 18, 0)),  # Fri 3 Jul observed Independence Day
    ],
)
def test_t6_next_business_day_examples(opened: dt.datetime, expected: dt.datetime):
    assert due("gold", "S4", opened) == expected


def test_l4_after_hours_clock_starts_at_next_opening():
    # Bronze/Silver after hours: the clock starts at the next opening (voicemail, T5).
    answer = response_due(POLICY, plan="silver", severity="S2", start=at(2026, 11, 20, 20, 0))
    assert answer.clock_starts == at(2026, 11, 23, 6, 0)
    assert answer.due == at(2026, 11, 23, 14, 0)
    assert any("next opening" in s and "T5" in s for s in answer.explain)


def test_l4_gold_s1_reaches_the_team_at_any_hour():
    answer = response_due(POLICY, plan="gold", severity="S1", start=at(2026, 11, 26, 3, 0))
    assert answer.due == at(2026, 11, 26, 5, 0)  # Thanksgiving night: 24x7 (T4)
    assert answer.target == "2 hours, 24x7"
    assert "T4" in answer.rules


def test_t5_end_exactly_at_closing_stays_at_closing():
    assert due("gold", "S2", at(2026, 11, 18, 14, 0)) == at(2026, 11, 18, 18, 0)


def test_l3_silver_s1_abroad_counts_the_union_with_customer_hours():
    # Wed 17:00 PST; Pacific closes 18:00 (1 h). Thanksgiving Thursday Pacific is shut, but
    # Berlin opens 09:00 CET = 00:00 PST: 3 more hours there -> 03:00 PST Thursday.
    answer = response_due(
        POLICY,
        plan="silver",
        severity="S1",
        start=at(2026, 11, 25, 17, 0),
        country="DE",
        zone="Europe/Berlin",
    )
    assert answer.due == at(2026, 11, 26, 3, 0)
    assert "T7" in answer.rules
    assert any("outside US (DE)" in s for s in answer.explain)
    assert (
        "Thu 26 Nov 2026: Pacific business hours closed (holiday: Thanksgiving Day) (rule T2)."
        in (answer.explain)
    )
    # The same ticket in the US waits for Friday's opening.
    assert due("silver", "S1", at(2026, 11, 25, 17, 0), country="US") == at(2026, 11, 27, 9, 0)


def test_l3_silver_s1_abroad_without_zone_is_refused():
    with pytest.raises(PolicyError) as refused:
        response_due(POLICY, plan="silver", severity="S1", start=at(2026, 11, 25, 17), country="DE")
    assert (refused.value.rule, refused.value.field) == ("L3", "zone")


def test_l3_union_applies_to_silver_s1_only():
    kw = {"country": "DE", "zone": "Europe/Berlin"}
    assert due("silver", "S2", at(2026, 11, 25, 17, 0), **kw) == at(2026, 11, 27, 13, 0)


def test_l3_truecommand_s1_is_refused_with_the_rule():
    with pytest.raises(PolicyError) as refused:
        due("truecommand", "S1", at(2026, 11, 18, 10))
    assert refused.value.rule == "L3"
    assert "not applicable to TrueCommand" in refused.value.message


@pytest.mark.parametrize("severity", ["S1", "S2", "S3"])
def test_l3_free_truecommand_is_community_support_only(severity: str):
    with pytest.raises(PolicyError, match="community support only") as refused:
        due("truecommand-free", severity, at(2026, 11, 18, 10))
    assert refused.value.rule == "L3"


def test_l3_free_truecommand_s4_has_no_due_time():
    answer = response_due(POLICY, plan="truecommand-free", severity="S4", start=at(2026, 11, 18))
    assert answer.due is None
    assert answer.target == "no service level"


@pytest.mark.parametrize(
    ("plan", "severity", "rule", "field"),
    [("platinum", "S1", "L1", "plan"), ("gold", "S5", "L2", "severity")],
)
def test_unknown_plan_or_severity(plan: str, severity: str, rule: str, field: str):
    with pytest.raises(PolicyError) as refused:
        due(plan, severity, at(2026, 11, 18, 10))
    assert (refused.value.rule, refused.value.field) == (rule, field)


def test_t1_naive_opened_is_refused():
    with pytest.raises(PolicyError) as refused:
        due("gold", "S2", dt.datetime(2026, 11, 18, 10))
    assert (refused.value.rule, refused.value.field) == ("T1", "opened")


def test_any_input_offset_gives_the_same_instant():
    pacific = due("gold", "S3", at(2026, 11, 18, 16, 0))
    utc = due("gold", "S3", dt.datetime(2026, 11, 19, 0, 0, tzinfo=dt.UTC))
    india = due("gold", "S3", dt.datetime(2026, 11, 19, 5, 30, tzinfo=ZoneInfo("Asia/Kolkata")))
    assert pacific == utc == india == at(2026, 11, 19, 12, 0)


def test_batch_form_matches_single_calls():
    rng = np.random.default_rng(7)
    starts = [
        at(2026, 1, 1) + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 2 * 365 * 1440, 500)
    ]
    values = np.array([to_us(s) for s in starts], dtype=np.int64)
    for plan, severity in [("gold", "S1"), ("gold", "S3"), ("silver", "S4"), ("bronze", "S2")]:
        many = response_due_many(POLICY, plan=plan, severity=severity, starts_us=values)
        assert many is not None
        assert [from_us(int(v)) for v in many] == [due(plan, severity, s) for s in starts]
    none = response_due_many(POLICY, plan="truecommand-free", severity="S4", starts_us=values)
    assert none is None
