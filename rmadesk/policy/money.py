"""Money rules: rounding (F4), late fees (F2) and the money-back guarantee (F3).

Amounts are Decimals rounded half-up to the cent once, at the end of a computation (F4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy

CENT = Decimal("0.01")
KINDS = ("hardware", "software")


def round_money(amount: Decimal) -> Decimal:
    """Half-up to the cent (F4)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def full_months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end, counted like relativedelta, clamped at month end (F2).

    2026-01-10 → 2026-03-15 is 2; 2026-01-31 → 2026-02-28 is 1 (Jan 31 + 1 month = Feb 28).
    """
    if end <= start:
        return 0
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


@dataclass(frozen=True, slots=True)
class LateFeeAnswer:
    months_overdue: int
    rate: Decimal
    late_fee: Decimal
    currency: str
    rules: tuple[str, ...]
    explain: tuple[str, ...]


def late_fee(
    policy: Policy, *, principal: Decimal, due_on: dt.date, on: dt.date, currency: str | None = None
) -> LateFeeAnswer:
    """The late fee owed on `on` for an unpaid principal due on `due_on` (F2, not compounded)."""
    if principal < 0:
        raise PolicyError("the unpaid principal cannot be negative", rule="F2", field="principal")
    rate = policy.document.money.late_fee_rate_per_month
    months = full_months_between(due_on, on)
    fee = round_money(principal * rate * months)
    currency = currency or policy.currency
    percent = format((rate * 100).normalize(), "f")
    total = format((rate * months * 100).normalize(), "f")
    explain = (
        f"Due {due_on.isoformat()}, still unpaid {on.isoformat()}: {months} full month"
        f"{'' if months == 1 else 's'} overdue (months counted from the due date, clamped at month "
        f"end) (rule F2).",
        f"{percent}% of the unpaid principal {principal} {currency} per full month, not "
        f"compounded: {total}% = {fee} {currency} (rules F2, F4).",
    )
    return LateFeeAnswer(months, rate, fee, currency, ("F2", "F4"), explain)


@dataclass(frozen=True, slots=True)
class RefundAnswer:
    eligible: bool
    refund: Decimal | None
    restocking_fee: Decimal | None
    currency: str
    deadline: dt.date
    reason: str
    rules: tuple[str, ...]


def money_back_deadline(policy: Policy, shipped_on: dt.date) -> dt.date:
    """The last day a money-back return may arrive (F3: within N calendar days of shipment)."""
    return shipped_on + dt.timedelta(days=policy.document.money.money_back_days)


def money_back_refund(
    policy: Policy,
    *,
    price: Decimal,
    shipped_on: dt.date,
    arrived_on: dt.date,
    kind: str,
    waive_restocking: str | None = None,
    currency: str | None = None,
) -> RefundAnswer:
    """The money-back refund for a product returned on `arrived_on` (F3)."""
    currency = currency or policy.currency
    if kind not in KINDS:
        raise PolicyError(
            f"unknown kind {kind!r}; use hardware or software", rule="F3", field="kind"
        )
    if price < 0:
        raise PolicyError("the product price cannot be negative", rule="F3", field="price")
    if arrived_on < shipped_on:
        raise PolicyError(
            f"arrived on {arrived_on} before it shipped on {shipped_on}",
            rule="F3",
            field="arrived_on",
        )
    if waive_restocking is not None and not waive_restocking.strip():
        raise PolicyError(
            "waiving the restocking fee needs a reason", rule="F3", field="waive_restocking"
        )
    deadline = money_back_deadline(policy, shipped_on)
    days = policy.document.money.money_back_days
    if kind == "software":
        return RefundAnswer(
            False,
            None,
            None,
            currency,
            deadline,
            "software is not eligible for the money-back guarantee (rule F3)",
            ("F3",),
        )
    if arrived_on > deadline:
        return RefundAnswer(
            False,
            None,
            None,
            currency,
            deadline,
            f"arrived {arrived_on}, after the {days}-day money-back window that ended {deadline} "
            f"(rule F3)",
            ("F3",),
        )
    rate = policy.document.money.restocking_fee_rate
    if waive_restocking is not None:
        fee = Decimal("0.00")
        why = f"restocking fee waived: {waive_restocking.strip()}"
    else:
        fee = round_money(price * rate)
        why = f"restocking fee {format((rate * 100).normalize(), 'f')}% = {fee} {currency}"
    refund = round_money(price - fee)
    reason = (
        f"arrived {arrived_on}, within {days} days of shipment (by {deadline}); {why}; refund "
        f"{refund} {currency}, excluding shipping and handling (rules F3, F4)"
    )
    return RefundAnswer(True, refund, fee, currency, deadline, reason, ("F3", "F4"))
