"""What changes between two policy versions (rule L6): the targets, and every setting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rmadesk.policy.loader import default_policy, parse_policy
from rmadesk.policy.versions import TargetChange, settings_diff, target_changes

GOLD_S2 = 'response.S2 = { hours = 4, calendar = "pacific" }'
SILVER_S4 = 'response.S4 = { business_days = 2, calendar = "pacific" }'


def edited(gold_s2_hours: int, silver_s4_days: int):
    text = default_policy().text
    assert text.count(GOLD_S2) == 1 and text.count(SILVER_S4) == 1
    text = text.replace(GOLD_S2, GOLD_S2.replace("4", str(gold_s2_hours)))
    text = text.replace(SILVER_S4, SILVER_S4.replace("2", str(silver_s4_days)))
    return parse_policy(text, "edited.toml")


def hours_text(hours: int) -> str:
    return f"{hours} business hour{'' if hours == 1 else 's'}"


def days_text(days: int) -> str:
    return "next business day" if days == 1 else f"{days} business days"


def test_L6_gold_s2_from_4_to_2_business_hours_reads_as_one_change():
    (change,) = target_changes(default_policy(), edited(2, 2))
    assert change == TargetChange("gold", "S2", "4 business hours", "2 business hours", False)
    assert change.line() == "gold S2 first response: 4 business hours → 2 business hours"


@given(st.integers(min_value=1, max_value=24), st.integers(min_value=1, max_value=30))
def test_L6_exactly_the_edited_targets_are_listed_with_both_texts(hours, days):
    new = edited(hours, days)
    expected = []
    if hours != 4:
        expected.append(TargetChange("gold", "S2", "4 business hours", hours_text(hours), False))
    if days != 2:
        expected.append(TargetChange("silver", "S4", "2 business days", days_text(days), False))
    assert target_changes(default_policy(), new) == expected
    assert target_changes(new, new) == []
    changed_lines = [line for line in settings_diff(default_policy(), new)[2:] if line[:1] in "+-"]
    # the version line, and each edited plan's row of the targets table, before and after
    assert len(changed_lines) == 2 * (1 + (hours != 4) + (days != 2))


def test_L6_a_closure_added_to_a_calendar_marks_every_target_on_it():
    text = default_policy().text.replace(
        "closures = []", 'closures = [{ date = 2026-11-27, name = "Day after Thanksgiving" }]', 1
    )
    new = parse_policy(text, "closure.toml")
    changes = target_changes(default_policy(), new)
    assert changes, "the pacific calendar carries most targets"
    assert all(change.calendar_changed and change.old == change.new for change in changes)
    assert changes[0].line().endswith("(its calendar's hours or closed days changed)")
