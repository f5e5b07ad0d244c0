"""Parts (N), money (F), warranty and on-site (W), RMA dates (R): exact values and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import to_us
from rmadesk.policy.loader import default_policy
from rmadesk.policy.money import full_months_between, late_fee, money_back_refund, round_money
from rmadesk.policy.parts import parts_delivery
from rmadesk.policy.rma import is_rma_expired, rma_dates
from rmadesk.policy.warranty import appointment_notice, onsite_due, warranty_terms

LA = ZoneInfo("America/Los_Angeles")
POLICY = default_policy()
D = dt.date


def at(*args: int, tz: dt.tzinfo = LA) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


# ------------------------------------------------------------------------------ N: parts
@pytest.mark.parametrize(
    ("identified", "ships", "delivers"),
    [
        (at(2026, 11, 18, 11, 59), D(2026, 11, 18), D(2026, 11, 19)),  # before noon: same day
        (at(2026, 11, 18, 12, 0), D(2026, 11, 19), D(2026, 11, 20)),  # at noon: next day
        (at(2026, 11, 18, 5, 0), D(2026, 11, 18), D(2026, 11, 19)),  # before opening counts
        (at(2026, 11, 20, 13, 0), D(2026, 11, 23), D(2026, 11, 24)),  # Friday afternoon
        (at(2026, 11, 21, 9, 0), D(2026, 11, 23), D(2026, 11, 24)),  # Saturday
        (at(2026, 11, 25, 11, 0), D(2026, 11, 25), D(2026, 11, 27)),  # Thanksgiving skipped
        (at(2026, 11, 26, 9, 0), D(2026, 11, 27), D(2026, 11, 30)),  # on Thanksgiving
    ],
)
def test_n1_us_noon_cutoff(identified: dt.datetime, ships: dt.date, delivers: dt.date):
    answer = parts_delivery(POLICY, identified=identified, region="us")
    assert (answer.nbd, answer.ships_on, answer.delivers_on) == (True, ships, delivers)
    assert answer.rules == ("N1",)


def test_n1_cutoff_is_pacific_whatever_the_input_offset():
    # 11:30 PST given as UTC: still before the cut-off.
    answer = parts_delivery(POLICY, identified=at(2026, 11, 18, 19, 30, tz=dt.UTC), region="us")
    assert answer.ships_on == D(2026, 11, 18)


@pytest.mark.parametrize(
    ("identified", "country", "ships", "delivers"),
    [
        # 11:59 at UTC+02:00 is 10:59 CET in November: before the cut-off.
        (at(2026, 11, 18, 9, 59, tz=dt.UTC), "DE", D(2026, 11, 18), D(2026, 11, 19)),
        (at(2026, 11, 18, 10, 0, tz=dt.UTC), "DE", D(2026, 11, 19), D(2026, 11, 20)),
        # Christmas and St Stephen's Day in Germany: shipped Thu 24 Dec, delivered Mon 28 Dec.
        (at(2026, 12, 24, 8, 0, tz=dt.UTC), "DE", D(2026, 12, 24), D(2026, 12, 28)),
        # 1 November (All Saints) is a Sunday in 2026; 11 November is a holiday in France only.
        (at(2026, 11, 10, 8, 0, tz=dt.UTC), "FR", D(2026, 11, 10), D(2026, 11, 12)),
        (at(2026, 11, 10, 8, 0, tz=dt.UTC), "DE", D(2026, 11, 10), D(2026, 11, 11)),
    ],
)
def test_n2_eu_cutoff_at_utc_plus_2_with_country_holidays(
    identified: dt.datetime, country: str, ships: dt.date, delivers: dt.date
):
    answer = parts_delivery(POLICY, identified=identified, region="eu", country=country)
    assert (answer.ships_on, answer.delivers_on) == (ships, delivers)


@pytest.mark.parametrize(
    ("country", "field"), [(None, "country"), ("US", "country"), ("JP", "country")]
)
def test_n2_needs_an_eu_country(country: str | None, field: str):
    with pytest.raises(PolicyError) as refused:
        parts_delivery(POLICY, identified=at(2026, 11, 18, 9), region="eu", country=country)
    assert (refused.value.rule, refused.value.field) == ("N2", field)


def test_n3_international_gets_no_promise():
    answer = parts_delivery(POLICY, identified=at(2026, 11, 18, 9), region="intl", country="JP")
    assert (answer.nbd, answer.ships_on, answer.delivers_on) == (False, None, None)
    assert "customs" in answer.explain[0]
    assert answer.rules == ("N3",)


def test_unknown_region_is_refused():
    with pytest.raises(PolicyError) as refused:
        parts_delivery(POLICY, identified=at(2026, 11, 18, 9), region="mars")
    assert refused.value.field == "region"


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2029, 12, 31)),
)
def test_n1_properties(local: dt.datetime):
    identified = local.replace(tzinfo=LA)
    answer = parts_delivery(POLICY, identified=identified, region="us")
    assert answer.ships_on is not None and answer.delivers_on is not None
    pacific = POLICY.calendar("pacific")
    # Shipping is on a business day, never before the day identified, at most ~a week later.
    assert answer.ships_on >= identified.astimezone(LA).date()
    assert answer.delivers_on > answer.ships_on
    assert (answer.delivers_on - identified.astimezone(LA).date()).days <= 8
    for day in (answer.ships_on, answer.delivers_on):
        assert pacific.is_open(dt.datetime.combine(day, dt.time(12), tzinfo=LA))


# --------------------------------------------------------------------------- F: money
@pytest.mark.parametrize(
    ("due_on", "on", "months", "fee"),
    [
        (D(2026, 1, 10), D(2026, 3, 15), 2, "30.00"),  # POLICY.md F2: 3.0%
        (D(2026, 1, 31), D(2026, 2, 28), 1, "15.00"),  # clamped at month end
        (D(2026, 1, 31), D(2026, 2, 27), 0, "0.00"),
        (D(2026, 1, 10), D(2026, 1, 10), 0, "0.00"),
        (D(2026, 1, 10), D(2025, 12, 1), 0, "0.00"),  # not yet due
        (D(2025, 1, 10), D(2026, 1, 10), 12, "180.00"),
    ],
)
def test_f2_late_fee_per_full_month(due_on: dt.date, on: dt.date, months: int, fee: str):
    answer = late_fee(POLICY, principal=Decimal("1000.00"), due_on=due_on, on=on)
    assert (answer.months_overdue, answer.late_fee) == (months, Decimal(fee))


def test_f2_f4_rounds_half_up_at_the_end():
    # 333.33 * 0.015 = 4.99995 -> 5.00 (half up), computed once on the whole.
    answer = late_fee(POLICY, principal=Decimal("333.33"), due_on=D(2026, 1, 1), on=D(2026, 2, 1))
    assert answer.late_fee == Decimal("5.00")


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)),
    st.integers(min_value=0, max_value=2000),
)
def test_f2_months_agree_with_relativedelta_and_month_steps(due_on: dt.date, days_after: int):
    on = due_on + dt.timedelta(days=days_after)
    months = full_months_between(due_on, on)
    # The largest m with due_on + m months (clamped) <= on: the reference, stepping from due_on.
    assert due_on + relativedelta(months=months) <= on
    assert due_on + relativedelta(months=months + 1) > on


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**7, places=2),
    st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
    st.integers(min_value=0, max_value=1500),
)
def test_f2_late_fee_properties(principal: Decimal, due_on: dt.date, days_after: int):
    on = due_on + dt.timedelta(days=days_after)
    answer = late_fee(POLICY, principal=principal, due_on=due_on, on=on)
    assert answer.late_fee == round_money(principal * Decimal("0.015") * answer.months_overdue)
    assert answer.late_fee.as_tuple().exponent == -2
    later = late_fee(POLICY, principal=principal, due_on=due_on, on=on + dt.timedelta(days=31))
    assert later.late_fee >= answer.late_fee  # never decreases with time


@pytest.mark.parametrize(
    ("arrived_on", "eligible", "refund", "fee"),
    [
        (D(2026, 1, 31), True, "800.00", "200.00"),  # day 30: still within
        (D(2026, 2, 1), False, None, None),  # day 31: too late
        (D(2026, 1, 1), True, "800.00", "200.00"),
    ],
)
def test_f3_money_back_window_and_restocking_fee(
    arrived_on: dt.date, eligible: bool, refund: str | None, fee: str | None
):
    answer = money_back_refund(
        POLICY,
        price=Decimal("1000.00"),
        shipped_on=D(2026, 1, 1),
        arrived_on=arrived_on,
        kind="hardware",
    )
    assert answer.eligible is eligible
    assert answer.refund == (Decimal(refund) if refund else None)
    assert answer.restocking_fee == (Decimal(fee) if fee else None)
    assert answer.deadline == D(2026, 1, 31)
    assert "F3" in answer.reason


def test_f3_waived_restocking_fee_needs_a_reason():
    waived = money_back_refund(
        POLICY,
        price=Decimal("1999.99"),
        shipped_on=D(2026, 1, 1),
        arrived_on=D(2026, 1, 5),
        kind="hardware",
        waive_restocking="dead on arrival",
    )
    assert (waived.refund, waived.restocking_fee) == (Decimal("1999.99"), Decimal("0.00"))
    assert "dead on arrival" in waived.reason
    with pytest.raises(PolicyError) as refused:
        money_back_refund(
            POLICY,
            price=Decimal("10"),
            shipped_on=D(2026, 1, 1),
            arrived_on=D(2026, 1, 5),
            kind="hardware",
            waive_restocking="  ",
        )
    assert (refused.value.rule, refused.value.field) == ("F3", "waive_restocking")


def test_f3_software_is_not_eligible():
    answer = money_back_refund(
        POLICY,
        price=Decimal("100"),
        shipped_on=D(2026, 1, 1),
        arrived_on=D(2026, 1, 2),
        kind="software",
    )
    assert (answer.eligible, answer.refund) == (False, None)
    assert "software" in answer.reason


def test_f3_arrival_before_shipment_is_refused():
    with pytest.raises(PolicyError) as refused:
        money_back_refund(
            POLICY,
            price=Decimal("100"),
            shipped_on=D(2026, 1, 5),
            arrived_on=D(2026, 1, 2),
            kind="hardware",
        )
    assert refused.value.field == "arrived_on"


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=10**7, places=2), st.integers(0, 60))
def test_f3_refund_properties(price: Decimal, days: int):
    answer = money_back_refund(
        POLICY,
        price=price,
        shipped_on=D(2026, 3, 1),
        arrived_on=D(2026, 3, 1) + dt.timedelta(days=days),
        kind="hardware",
    )
    assert answer.eligible is (days <= 30)
    if answer.eligible:
        assert answer.refund is not None and answer.restocking_fee is not None
        assert answer.refund + answer.restocking_fee == price
        assert answer.restocking_fee == round_money(price * Decimal("0.20"))


# ------------------------------------------------------------------------ W: warranty
@pytest.mark.parametrize(
    ("shipped", "years", "extended", "ends"),
    [
        (D(2026, 3, 15), 1, None, D(2027, 3, 15)),
        (D(2026, 3, 15), 3, None, D(2029, 3, 15)),
        (D(2024, 2, 29), 1, None, D(2025, 2, 28)),  # leap day clamps
        (D(2024, 2, 29), 3, 5, D(2029, 2, 28)),
        (D(2026, 3, 15), 2, 2, D(2028, 3, 15)),
    ],
)
def test_w1_warranty_end(shipped: dt.date, years: int, extended: int | None, ends: dt.date):
    answer = warranty_terms(POLICY, shipped_on=shipped, years=years, extended_to_years=extended)
    assert answer.warranty_ends_on == ends
    assert answer.money_back_until == shipped + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("years", "extended", "field"),
    [
        (4, None, "years"),
        (0, None, "years"),
        (3, 6, "extended_to_years"),
        (3, 2, "extended_to_years"),
    ],
)
def test_w1_terms_beyond_the_policy_are_refused(years: int, extended: int | None, field: str):
    with pytest.raises(PolicyError) as refused:
        warranty_terms(POLICY, shipped_on=D(2026, 1, 1), years=years, extended_to_years=extended)
    assert (refused.value.rule, refused.value.field) == ("W1", field)


def test_w4_four_hour_clock_starts_at_the_later_instant():
    answer = onsite_due(
        POLICY, option="4h", rca_done=at(2026, 11, 25, 16, 0), parts_onsite=at(2026, 11, 25, 20, 0)
    )
    assert answer.starts == at(2026, 11, 25, 20, 0)
    assert answer.due == at(2026, 11, 26, 0, 0)  # 24x7, Thanksgiving or not
    answer = onsite_due(
        POLICY, option="4h", rca_done=at(2026, 11, 25, 21, 0), parts_onsite=at(2026, 11, 25, 20, 0)
    )
    assert answer.due == at(2026, 11, 26, 1, 0)
    assert "root-cause analysis" in answer.explain[0]


def test_w4_four_hours_across_fall_back_is_four_real_hours():
    answer = onsite_due(
        POLICY, option="4h", rca_done=at(2026, 11, 1, 0, 0), parts_onsite=at(2026, 11, 1, 0, 0)
    )
    assert answer.due == at(2026, 11, 1, 3, 0)  # 00:00 PDT + 4 h = 03:00 PST


def test_w3_nbd_onsite_and_no_onsite():
    answer = onsite_due(
        POLICY, option="nbd", rca_done=at(2026, 11, 25, 10, 0), parts_onsite=at(2026, 11, 25, 9, 0)
    )
    assert answer.due == at(2026, 11, 27, 18, 0)
    with pytest.raises(PolicyError) as refused:
        onsite_due(
            POLICY, option="none", rca_done=at(2026, 11, 25, 10), parts_onsite=at(2026, 11, 25, 9)
        )
    assert (refused.value.rule, refused.value.field) == ("W3", "option")


@pytest.mark.parametrize(
    ("starts", "ok"),
    [
        (at(2026, 11, 20, 10, 0), True),  # exactly 48 h
        (at(2026, 11, 20, 9, 59), False),
        (at(2026, 11, 17, 10, 0), False),  # in the past
    ],
)
def test_w5_appointment_notice(starts: dt.datetime, ok: bool):
    answer = appointment_notice(POLICY, requested=at(2026, 11, 18, 10, 0), starts=starts)
    assert answer.ok is ok
    assert answer.earliest == at(2026, 11, 20, 10, 0)
    assert answer.rule == "W5"


def test_w5_notice_is_elapsed_time_across_dst():
    # Requested Fri 30 Oct 10:00 PDT; 48 elapsed hours later is Sun 1 Nov 09:00 PST.
    answer = appointment_notice(
        POLICY, requested=at(2026, 10, 30, 10, 0), starts=at(2026, 11, 1, 9, 0)
    )
    assert answer.ok is True
    assert answer.earliest == at(2026, 11, 1, 9, 0)


# ------------------------------------------------------------------------------ R: RMA
def test_r1_r4_rma_dates_on_the_vendor_wall_clock():
    answer = rma_dates(
        POLICY, issued=at(2026, 10, 20, 10, 0), replacement_shipped=at(2026, 10, 22, 10, 0)
    )
    assert answer.expires_at == at(2026, 11, 19, 10, 0)  # 30 days, across fall-back
    assert answer.label_expires_at == at(2026, 11, 1, 10, 0)  # 10 days
    assert answer.invoice_at == at(2026, 11, 5, 10, 0)  # 14 days
    assert answer.rules == ("R1", "R4")


def test_r1_without_replacement_has_no_label_or_invoice():
    answer = rma_dates(POLICY, issued=at(2026, 1, 5, 9, 0))
    assert answer.expires_at == at(2026, 2, 4, 9, 0)
    assert (answer.label_expires_at, answer.invoice_at) == (None, None)


def test_r3_received_after_expiry_is_expired():
    expires = rma_dates(POLICY, issued=at(2026, 1, 5, 9, 0)).expires_at
    assert not is_rma_expired(expires, at(2026, 2, 4, 9, 0))
    assert is_rma_expired(expires, at(2026, 2, 4, 9, 0, 1))


def test_r4_replacement_before_issue_is_refused():
    with pytest.raises(PolicyError) as refused:
        rma_dates(POLICY, issued=at(2026, 1, 5, 9), replacement_shipped=at(2026, 1, 4, 9))
    assert (refused.value.rule, refused.value.field) == ("R4", "replacement_shipped")


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31)))
def test_r1_r4_properties(local: dt.datetime):
    issued = local.replace(tzinfo=LA)
    answer = rma_dates(POLICY, issued=issued, replacement_shipped=issued)
    assert answer.label_expires_at is not None and answer.invoice_at is not None
    # Calendar days on the Pacific wall clock: 29-31 days of real time, the same local time
    # (unless the local time does not exist on that day).
    span = answer.expires_at - issued
    assert dt.timedelta(days=30, hours=-1) <= span <= dt.timedelta(days=30, hours=1)
    assert issued < answer.label_expires_at < answer.invoice_at < answer.expires_at
    assert answer.expires_at.astimezone(LA).date() == issued.astimezone(LA).date() + dt.timedelta(
        days=30
    )


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)),
    st.sampled_from([1, 2, 3]),
    st.one_of(st.none(), st.integers(min_value=3, max_value=5)),
)
def test_w1_warranty_properties(shipped: dt.date, years: int, extended: int | None):
    answer = warranty_terms(POLICY, shipped_on=shipped, years=years, extended_to_years=extended)
    term = extended or years
    assert answer.years == term
    span = (answer.warranty_ends_on - shipped).days
    assert 365 * term <= span <= 366 * term
    # The same calendar day `term` years on, or 28 Feb for a 29 Feb shipment.
    assert answer.warranty_ends_on.year == shipped.year + term
    assert answer.warranty_ends_on.month == shipped.month
    assert answer.warranty_ends_on.day == shipped.day or (shipped.month, shipped.day) == (2, 29)
    assert answer.money_back_until == shipped + dt.timedelta(days=30)


ZONES = [LA, dt.UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata")]


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(2025, 1, 1),
        max_value=dt.datetime(2028, 12, 31),
        timezones=st.sampled_from(ZONES),
    ),
    st.integers(min_value=-3_600, max_value=200 * 3_600),
    st.sampled_from(ZONES),
)
def test_w5_appointment_properties(requested: dt.datetime, seconds: int, zone: dt.tzinfo):
    starts = (requested + dt.timedelta(seconds=seconds)).astimezone(zone)
    # Elapsed seconds, computed on UTC instants (wall-clock subtraction would be the bug).
    elapsed = (starts.astimezone(dt.UTC) - requested.astimezone(dt.UTC)).total_seconds()
    answer = appointment_notice(POLICY, requested=requested, starts=starts)
    assert answer.ok is (elapsed >= 48 * 3600)
    assert answer.earliest.astimezone(dt.UTC) == requested.astimezone(dt.UTC) + dt.timedelta(
        hours=48
    )


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 12, 31)),
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 12, 31)),
)
def test_w4_onsite_4h_properties(rca: dt.datetime, parts: dt.datetime):
    rca_done, parts_onsite = rca.replace(tzinfo=LA), parts.replace(tzinfo=dt.UTC)
    answer = onsite_due(POLICY, option="4h", rca_done=rca_done, parts_onsite=parts_onsite)
    # Compared as instants (to_us): PEP 495 makes a local time inside a DST gap unequal to
    # every instant of another zone, even the one it denotes.
    assert to_us(answer.starts) == max(to_us(rca_done), to_us(parts_onsite))
    assert answer.due - answer.starts == dt.timedelta(hours=4)
