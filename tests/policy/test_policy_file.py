"""The policy file: loading, validation that names the key, and the content version (L6)."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from rmadesk.policy.errors import PolicyFileError
from rmadesk.policy.loader import default_policy, load_policy, parse_policy

DEFAULT_TEXT = resources.files("rmadesk.policy").joinpath("default.toml").read_text("utf-8")


def edited(old: str, new: str) -> str:
    assert old in DEFAULT_TEXT, old
    return DEFAULT_TEXT.replace(old, new, 1)


def refusal(text: str) -> str:
    with pytest.raises(PolicyFileError) as refused:
        parse_policy(text, "vendor.toml")
    return str(refused.value)


def test_default_policy_holds_policy_md_numbers():
    doc = default_policy().document
    assert doc.calendars["pacific"].hours == "06:00-18:00"
    assert doc.calendars["phone"].hours == "09:00-17:00"
    assert str(doc.plans["gold"].response["S2"].hours) == "4"
    assert doc.plans["truecommand-free"].max_drives == 50
    assert (doc.rma.valid_days, doc.rma.label_valid_days, doc.rma.invoice_after_days) == (
        30,
        10,
        14,
    )
    assert str(doc.money.late_fee_rate_per_month) == "0.015"
    assert str(doc.money.restocking_fee_rate) == "0.20"
    assert doc.warranty.appointment_notice_hours == 48
    assert doc.warranty.max_extended_years == 5


def test_version_is_a_content_hash():
    base = parse_policy(DEFAULT_TEXT, "a").version
    assert base.startswith("sha256:")
    assert parse_policy(DEFAULT_TEXT + "\n# a comment changes nothing\n", "b").version == base
    changed = parse_policy(edited("valid_days = 30", "valid_days = 45"), "c")
    assert changed.version != base
    assert changed.document.rma.valid_days == 45


def test_a_changed_file_changes_answers():
    policy = parse_policy(
        edited(
            'response.S2 = { hours = 4, calendar = "pacific" }',
            'response.S2 = { hours = 6, calendar = "pacific" }',
        ),
        "t",
    )
    assert str(policy.document.plans["gold"].response["S2"].hours) == "6"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("valid_days = 30", "valid_days = 0", "rma.valid_days"),
        ("valid_days = 30", "valid_dayz = 30", "rma.valid_dayz"),  # typo: unknown key
        ('hours = "06:00-18:00"', 'hours = "18:00-06:00"', "calendars.pacific.hours"),
        (
            'zone = "America/Los_Angeles"\ndays',
            'zone = "America/Lost_Angeles"\ndays',
            "calendars.pacific.zone",
        ),
        (
            'late_fee_rate_per_month = "0.015"',
            "late_fee_rate_per_month = 0.015",
            "money.late_fee_rate_per_month",
        ),
        (
            'response.S2 = { hours = 4, calendar = "pacific" }',
            'response.S2 = { hours = 4, calendar = "pacifc" }',
            "plans.gold.response.S2.calendar: no calendar named 'pacifc'",
        ),
        (
            'response.S4 = { business_days = 1, calendar = "pacific" }\n\n[plans.silver]',
            'response.S4 = { business_days = 1, calendar = "always" }\n\n[plans.silver]',
            "plans.gold.response.S4.calendar: 'always' is 24x7 and has no business days (T6)",
        ),
        ('response.S1 = { hours = 2, calendar = "always" }\n', "", "plans.gold.response: missing"),
        (
            'holidays = { country = "US" }',
            'holidays = { country = "XX" }',
            "calendars.pacific.holidays.country",
        ),
        (
            'response.S2 = { hours = 4, calendar = "pacific" }',
            'response.S2 = { hours = 4, business_days = 1, calendar = "pacific" }',
            "plans.gold.response.S2",
        ),
        (
            'breach_warning = "1h"',
            'breach_warning = "soon"',
            "notifications.breach_warning: Value error, 'soon' is not a length of time like "
            '"1h", "30m" or "1h30m"',
        ),
        (
            'breach_warning = "1h"',
            'breach_warning = "0m"',
            "notifications.breach_warning: Value error, '0m' must be more than 0",
        ),
        ('breach_warning = "1h"', "breach_warning = 60", "notifications.breach_warning"),
        ('breach_warning = "1h"', 'breach_warnings = "1h"', "notifications.breach_warnings"),
    ],
)
def test_a_wrong_file_names_the_key(old: str, new: str, message: str):
    assert message in refusal(edited(old, new))


def test_the_breach_warning_defaults_to_one_hour_when_the_file_leaves_it_out():
    without = edited('[notifications]\nbreach_warning = "1h"\n', "")
    policy = parse_policy(without, "vendor.toml")
    assert policy.document.notifications.breach_warning_length == dt.timedelta(hours=1)
    assert default_policy().document.notifications.breach_warning == "1h"


def test_not_toml_and_missing_file():
    assert "not valid TOML" in refusal("[policy\nname=")
    with pytest.raises(PolicyFileError, match="cannot read"):
        load_policy("/nonexistent/vendor.toml")


def test_closures_and_removed_holidays_are_used(tmp_path):
    text = edited(
        "closures = []",
        'closures = [{ date = 2026-11-27, name = "Day after Thanksgiving" }]',
    ).replace("removed_holidays = []", "removed_holidays = [2026-10-12]", 1)
    path = tmp_path / "vendor.toml"
    path.write_text(text)
    policy = load_policy(path)
    import datetime as dt
    from zoneinfo import ZoneInfo

    la = ZoneInfo("America/Los_Angeles")
    pacific = policy.calendar("pacific")
    assert not pacific.is_open(dt.datetime(2026, 11, 27, 10, tzinfo=la))
    assert pacific.is_open(dt.datetime(2026, 10, 12, 10, tzinfo=la))  # Columbus Day worked
    assert pacific.is_open(dt.datetime(2026, 10, 12, 10, tzinfo=la)) != default_policy().calendar(
        "pacific"
    ).is_open(dt.datetime(2026, 10, 12, 10, tzinfo=la))
