"""F2 in the policy core with dated payments: each full month is charged on the principal unpaid
at its end (not compounded), rounded once half-up to the cent (F4); F3's refund, line by line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.policy.loader import default_policy
from rmadesk.policy.money import (
    CONTENTS,
    Settlement,
    full_months_between,
    late_fee,
    late_fee_schedule,
    money_back_refund,
    month_end,
    round_money,
)

POLICY = default_policy()
D = dt.date
CENT = Decimal("0.01")
RATE = Decimal("0.20")


def test_F2_389_unpaid_at_the_end_of_month_1_paid_289_after_it():
    schedule = late_fee_schedule(
        POLICY,
        principal=Decimal("389.00"),
        due_on=D(2026, 4, 15),
        on=D(2026, 5, 21),
        settlements=[Settlement(on=D(2026, 5, 20), amount=Decimal("289.00"))],
    )
    assert [(m.month, m.ends_on, m.unpaid_principal, m.fee) for m in schedule.months] == [
        (1, D(2026, 5, 15), Decimal("389.00"), Decimal("5.84"))
    ]
    assert schedule.total == Decimal("5.84")
    assert any("389.00 USD = 5.84 USD (rule F2)" in line for line in schedule.explain)


def test_F2_later_months_use_what_was_unpaid_at_their_end():
    schedule = late_fee_schedule(
        POLICY,
        principal=Decimal("389.00"),
        due_on=D(2026, 4, 15),
        on=D(2026, 7, 15),
        settlements=[Settlement(on=D(2026, 5, 20), amount=Decimal("289.00"))],
    )
    # 5.835 → 5.84; 7.335 → 7.34 (+1.50); 8.835 → 8.84 (+1.50).
    assert [m.fee for m in schedule.months] == [Decimal("5.84"), Decimal("1.50"), Decimal("1.50")]
    assert schedule.total == Decimal("8.84")


def test_F2_month_ends_clamp_like_relativedelta():
    assert month_end(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert month_end(D(2026, 1, 31), 2) == D(2026, 3, 31)


principals = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2)
days = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))
payments = st.lists(
    st.tuples(
        st.integers(-40, 800), st.decimals(min_value=CENT, max_value=Decimal("99999.99"), places=2)
    ),
    max_size=5,
)


def dated(due_on: dt.date, offsets: list[tuple[int, Decimal]]) -> list[Settlement]:
    return [Settlement(on=due_on + dt.timedelta(days=d), amount=a) for d, a in offsets]


@settings(max_examples=300, deadline=None)
@given(principal=principals, due_on=days, gap=st.integers(0, 900), paid=payments)
def test_F2_F4_fees_are_cents_not_negative_and_add_up(principal, due_on, gap, paid):
    on = due_on + dt.timedelta(days=gap)
    schedule = late_fee_schedule(
        POLICY, principal=principal, due_on=due_on, on=on, settlements=dated(due_on, paid)
    )
    assert [m.month for m in schedule.months] == list(range(1, full_months_between(due_on, on) + 1))
    assert all(m.fee >= 0 and m.fee == m.fee.quantize(CENT) for m in schedule.months)
    assert sum((m.fee for m in schedule.months), Decimal("0.00")) == schedule.total
    assert all(0 <= m.unpaid_principal <= principal for m in schedule.months)


@settings(max_examples=300, deadline=None)
@given(principal=principals, due_on=days, gap=st.integers(0, 900))
def test_F2_with_no_payment_the_schedule_is_the_policy_fee(principal, due_on, gap):
    on = due_on + dt.timedelta(days=gap)
    schedule = late_fee_schedule(POLICY, principal=principal, due_on=due_on, on=on)
    assert schedule.total == late_fee(POLICY, principal=principal, due_on=due_on, on=on).late_fee


@settings(max_examples=300, deadline=None)
@given(
    principal=principals,
    due_on=days,
    gap=st.integers(0, 900),
    paid=payments,
    month=st.integers(1, 30),
    later=st.integers(0, 400),
    amount=st.decimals(min_value=CENT, max_value=Decimal("999999.99"), places=2),
)
def test_F2_a_payment_after_a_months_end_never_lowers_that_months_fee(  # noqa: PLR0917
    principal, due_on, gap, paid, month, later, amount
):
    on = due_on + dt.timedelta(days=gap)
    before = late_fee_schedule(
        POLICY, principal=principal, due_on=due_on, on=on, settlements=dated(due_on, paid)
    )
    received = month_end(due_on, month) + dt.timedelta(days=later)
    after = late_fee_schedule(
        POLICY,
        principal=principal,
        due_on=due_on,
        on=on,
        settlements=[*dated(due_on, paid), Settlement(on=received, amount=amount)],
    )
    assert after.months[:month] == before.months[:month]
    assert after.total <= before.total  # and money never raises the fee


@settings(max_examples=300, deadline=None)
@given(
    principal=principals,
    due_on=days,
    gap=st.integers(0, 900),
    early=st.integers(0, 60),
    extra=st.decimals(min_value=0, max_value=Decimal("100.00"), places=2),
)
def test_F2_paid_in_full_by_the_due_date_owes_nothing(principal, due_on, gap, early, extra):
    schedule = late_fee_schedule(
        POLICY,
        principal=principal,
        due_on=due_on,
        on=due_on + dt.timedelta(days=gap),
        settlements=[Settlement(on=due_on - dt.timedelta(days=early), amount=principal + extra)],
    )
    assert schedule.total == Decimal("0.00")
    assert all(m.fee == 0 for m in schedule.months)


# ------------------------------------------------------------------ F3: the money-back refund

prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("9999999.99"), places=2)


def test_F3_1999_with_49_shipping_and_handling_refunds_1599_20():
    answer = money_back_refund(
        POLICY,
        price=Decimal("1999.00"),
        shipped_on=D(2026, 10, 1),
        arrived_on=D(2026, 10, 20),
        kind="hardware",
        shipping_and_handling=Decimal("49.00"),
        contents={"manuals": True, "media": True, "documentation": True},
    )
    assert (answer.refund, answer.restocking_fee) == (Decimal("1599.20"), Decimal("399.80"))
    assert "Shipping and handling of the original order, 49.00 USD: not refunded (rule F3)." in (
        answer.lines
    )


@settings(max_examples=300, deadline=None)
@given(
    price=prices,
    handling=prices,
    days=st.integers(0, 60),
    waived=st.booleans(),
    box=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    accepted=st.booleans(),
)
def test_F3_refund_properties(price, handling, days, waived, box, accepted):  # noqa: PLR0917
    contents = dict(zip(CONTENTS, box, strict=True))
    answer = money_back_refund(
        POLICY,
        price=price,
        shipped_on=D(2026, 3, 1),
        arrived_on=D(2026, 3, 1) + dt.timedelta(days=days),
        kind="hardware",
        waive_restocking="goodwill" if waived else None,
        shipping_and_handling=handling,
        contents=contents,
        accept_missing="media are downloads" if accepted else None,
    )
    complete = all(box) or accepted
    assert answer.eligible is (days <= 30 and complete)
    assert answer.missing == tuple(name for name, back in contents.items() if not back)
    if not answer.eligible:
        assert (answer.refund, answer.restocking_fee) == (None, None)
        assert "F3" in answer.reason
        return
    assert answer.refund is not None and answer.restocking_fee is not None
    # The refund and the fee are the price, exactly: shipping and handling is never refunded.
    assert answer.refund + answer.restocking_fee == price
    assert answer.restocking_fee == (Decimal("0.00") if waived else round_money(price * RATE))
    assert answer.refund == answer.refund.quantize(CENT) and answer.refund >= 0
    without_handling = money_back_refund(
        POLICY,
        price=price,
        shipped_on=D(2026, 3, 1),
        arrived_on=D(2026, 3, 1) + dt.timedelta(days=days),
        kind="hardware",
        waive_restocking="goodwill" if waived else None,
        contents=contents,
        accept_missing="media are downloads" if accepted else None,
    )
    assert without_handling.refund == answer.refund
