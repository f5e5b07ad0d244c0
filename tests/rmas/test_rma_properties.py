"""Properties of the RMA calculations on real records (hypothesis): R1 expiry, F3 refunds."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmadesk.rmas.services import receive_return
from tests.rmas.factories import LA, rma_of, user

pytestmark = pytest.mark.django_db

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OFFSETS = st.sampled_from(
    [
        dt.UTC,
        LA,
        dt.timezone(dt.timedelta(hours=9)),
        dt.timezone(-dt.timedelta(hours=3, minutes=30)),
    ]
)
INSTANTS = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=OFFSETS,
    allow_imaginary=False,  # an instant, not a Pacific wall time a DST change skips
)


def _exists(wall: dt.datetime) -> bool:
    """A Pacific wall-clock time that is neither skipped nor repeated by a DST change."""
    there = wall.replace(tzinfo=LA)
    back = there.astimezone(dt.UTC).astimezone(LA).replace(tzinfo=None)
    other_fold = there.replace(fold=1).astimezone(dt.UTC)
    return back == wall and other_fold == there.astimezone(dt.UTC)


@SETTINGS
@given(issued=INSTANTS)
def test_r1_expiry_is_the_same_pacific_wall_time_30_calendar_days_later(issued):
    # Shipped the same day: within warranty whenever it is issued (W1, R9).
    rma = rma_of(issued_at=issued, shipped_on=issued.astimezone(LA).date())
    wall = issued.astimezone(LA).replace(tzinfo=None) + dt.timedelta(days=30)
    assert rma.issued_at == issued.astimezone(dt.UTC)  # (PEP 495: never compare a fold)
    assert rma.expires_at > rma.issued_at
    if _exists(wall):
        assert rma.expires_at.astimezone(LA).replace(tzinfo=None) == wall
    # Never more than an hour away from 30 x 24 hours (one DST change at most).
    assert abs(rma.expires_at - issued.astimezone(dt.UTC) - dt.timedelta(days=30)) <= dt.timedelta(
        hours=1
    )


PRICES = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("999999.99"), places=2)


@SETTINGS
@given(prices=st.lists(PRICES, min_size=1, max_size=3), waived=st.booleans())
def test_f3_refund_and_restocking_fee_add_up_to_the_price(prices, waived):
    from rmadesk.rmas.services import waive_restocking_fee

    rma = rma_of(
        "money_back",
        items=[{"part": f"part {i}", "unit_price": p} for i, p in enumerate(prices)],
        issued_at=dt.datetime(2026, 10, 5, 9, tzinfo=LA),
        shipped_on=dt.date(2026, 10, 1),
    )
    if waived:
        waive_restocking_fee(actor=user("agent"), rma=rma, reason="goodwill")
    got, _ = receive_return(
        actor=user("clerk"),
        label_rma_number=rma.number,
        received_at=dt.datetime(2026, 10, 20, 9, tzinfo=LA),
        manuals=True,
        media=True,
        documentation=True,
    )
    assert got is not None and got.refund_eligible is True
    price = sum(prices, Decimal("0.00"))
    fee = (
        Decimal("0.00")
        if waived
        else (price * Decimal("0.20")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
    assert (got.refund_amount, got.restocking_fee) == (price - fee, fee)
    assert got.refund_amount + got.restocking_fee == price
