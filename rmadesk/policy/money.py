"""Money rules: rounding (F4), late fees (F2) and the money-back guarantee (F3).

Amounts are Decimals rounded half-up to the cent once, at the end of a computation (F4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from rmadesk.policy import sentences as S
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.sentences import cited

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
KINDS = ("hardware", "software")
# F3: what must come back with a money-back return, in the words of the policy.
CONTENTS = ("manuals", "media", "documentation")


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
    unpaid = S.LATE_MONTH_UNPAID if months == 1 else S.LATE_MONTHS_UNPAID
    rate_line = S.LATE_FEE_RATE(
        percent=percent,
        principal=f"{principal} {currency}",
        total=total,
        fee=f"{fee} {currency}",
    )
    explain = (
        cited(unpaid(due=due_on.isoformat(), on=on.isoformat(), months=months), "rule F2"),
        cited(rate_line, "rules F2, F4"),
    )
    return LateFeeAnswer(months, rate, fee, currency, ("F2", "F4"), explain)


def month_end(due_on: dt.date, month: int) -> dt.date:
    """The day the `month`-th full month past `due_on` is complete (F2, clamped at month end)."""
    return due_on + relativedelta(months=month)


@dataclass(frozen=True, slots=True)
class Settlement:
    """Money that lowered an invoice's principal on a date: a payment or a credit note (F2)."""

    on: dt.date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MonthFee:
    """One full month overdue: the principal unpaid at its end and the fee it adds (F2, F4)."""

    month: int
    ends_on: dt.date
    unpaid_principal: Decimal
    fee: Decimal


@dataclass(frozen=True, slots=True)
class LateFeeSchedule:
    months: tuple[MonthFee, ...]
    total: Decimal
    rate: Decimal
    currency: str
    rules: tuple[str, ...]
    explain: tuple[str, ...]

    def total_to(self, month: int) -> Decimal:
        """The fees of months 1..`month` (the rounded fee of those months, F4)."""
        return sum((m.fee for m in self.months if m.month <= month), ZERO)


def unpaid_at_end_of(
    principal: Decimal, due_on: dt.date, month: int, settlements: Iterable[Settlement]
) -> Decimal:
    """The principal still unpaid when month `month` past `due_on` ended (F2).

    Money received k full months after the due date (counted like the months themselves) came
    during month k+1: it lowers the principal of the months that end after it, never of a month
    that had already ended. Money on the due date or before lowers every month.
    """
    paid = sum((s.amount for s in settlements if full_months_between(due_on, s.on) < month), ZERO)
    return max(ZERO, principal - paid)


def late_fee_schedule(
    policy: Policy,
    *,
    principal: Decimal,
    due_on: dt.date,
    on: dt.date,
    settlements: Iterable[Settlement] = (),
    currency: str | None = None,
) -> LateFeeSchedule:
    """The late fee of each full month overdue on `on`, from the dated payments (F2, F4).

    Month k charges the rate on the principal unpaid at the END of month k (payments and credit
    notes dated before that end lower it; later ones do not), never on earlier fees (not
    compounded). Rounded once (F4): month k's fee is round(sum of months 1..k) - round(sum of
    months 1..k-1), so the fees of months 1..n add up to exactly the rounded fee of n months.
    With no settlement this is `late_fee` split by month.
    """
    if principal < 0:
        raise PolicyError("the unpaid principal cannot be negative", rule="F2", field="principal")
    dated = tuple(settlements)
    for settlement in dated:
        if settlement.amount <= 0:
            raise PolicyError(
                f"a payment or credit is more than zero, not {settlement.amount}",
                rule="F2",
                field="settlements",
            )
    rate = policy.document.money.late_fee_rate_per_month
    currency = currency or policy.currency
    count = full_months_between(due_on, on)
    exact = Decimal(0)
    charged = ZERO
    months: list[MonthFee] = []
    for month in range(1, count + 1):
        unpaid = unpaid_at_end_of(principal, due_on, month, dated)
        exact += unpaid * rate
        rounded = round_money(exact)
        months.append(MonthFee(month, month_end(due_on, month), unpaid, rounded - charged))
        charged = rounded
    percent = format((rate * 100).normalize(), "f")
    overdue = S.LATE_MONTH_ON if count == 1 else S.LATE_MONTHS_ON
    explain = [
        cited(overdue(due=due_on.isoformat(), months=count, on=on.isoformat()), "rule F2"),
        *(
            cited(
                S.LATE_FEE_MONTH(
                    month=m.month,
                    ended=m.ends_on.isoformat(),
                    percent=percent,
                    unpaid=f"{m.unpaid_principal} {currency}",
                    fee=f"{m.fee} {currency}",
                ),
                "rule F2",
            )
            for m in months
        ),
        cited(S.LATE_FEE_TOTAL(total=f"{charged} {currency}"), "rules F2, F4")
        + " "
        + S.LATE_FEE_AFTER_PAYMENT(),
    ]
    return LateFeeSchedule(tuple(months), charged, rate, currency, ("F2", "F4"), tuple(explain))


@dataclass(frozen=True, slots=True)
class RefundAnswer:
    eligible: bool
    refund: Decimal | None
    restocking_fee: Decimal | None
    currency: str
    deadline: dt.date
    reason: str
    rules: tuple[str, ...]
    price: Decimal = ZERO
    shipping_and_handling: Decimal = ZERO
    # What did not come back with the product (F3), when the clerk checked the box.
    missing: tuple[str, ...] = ()
    # The refund line by line: price, restocking fee, shipping and handling kept, refund.
    lines: tuple[str, ...] = ()


def money_back_deadline(policy: Policy, shipped_on: dt.date) -> dt.date:
    """The last day a money-back return may arrive (F3: within N calendar days of shipment)."""
    return shipped_on + dt.timedelta(days=policy.document.money.money_back_days)


def _reason_or_none(value: str | None, field: str, what: str) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise PolicyError(f"{what} needs a reason", rule="F3", field=field)
    return value.strip()


def _amount(value: Decimal, field: str, what: str) -> Decimal:
    if value < 0:
        raise PolicyError(f"{what} cannot be negative", rule="F3", field=field)
    return value


def _missing_contents(contents: Mapping[str, bool] | None) -> tuple[str, ...]:
    if contents is None:
        return ()
    unknown = sorted(set(contents) - set(CONTENTS))
    if unknown:
        raise PolicyError(
            f"unknown content {unknown[0]!r}; a return brings back {', '.join(CONTENTS)}",
            rule="F3",
            field=unknown[0],
        )
    return tuple(name for name in CONTENTS if not contents.get(name, False))


def _words(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def money_back_refund(
    policy: Policy,
    *,
    price: Decimal,
    shipped_on: dt.date,
    arrived_on: dt.date,
    kind: str,
    waive_restocking: str | None = None,
    currency: str | None = None,
    shipping_and_handling: Decimal = ZERO,
    contents: Mapping[str, bool] | None = None,
    accept_missing: str | None = None,
) -> RefundAnswer:
    """The money-back refund for a product returned on `arrived_on` (F3).

    F3: back within N calendar days of shipment, with its manuals, media and documentation;
    software is not eligible; the refund is the product price less a restocking fee (waived
    only with a reason) and never includes the shipping and handling paid on the original
    order. `contents` is what the clerk found in the box ({manuals, media, documentation}:
    True when it came back); None when nobody checked yet (a preview before the return). A
    missing item refuses the refund unless `accept_missing` gives an agent's reason.
    """
    currency = currency or policy.currency
    if kind not in KINDS:
        raise PolicyError(
            f"unknown kind {kind!r}; use hardware or software", rule="F3", field="kind"
        )
    price = _amount(price, "price", "the product price")
    handling = _amount(shipping_and_handling, "shipping_and_handling", "the shipping and handling")
    if arrived_on < shipped_on:
        raise PolicyError(
            f"arrived on {arrived_on} before it shipped on {shipped_on}",
            rule="F3",
            field="arrived_on",
        )
    waived = _reason_or_none(waive_restocking, "waive_restocking", "waiving the restocking fee")
    accepted = _reason_or_none(
        accept_missing, "accept_missing", "refunding a return without all its contents"
    )
    missing = _missing_contents(contents)
    deadline = money_back_deadline(policy, shipped_on)
    days = policy.document.money.money_back_days

    def refused(reason: str) -> RefundAnswer:
        return RefundAnswer(
            False,
            None,
            None,
            currency,
            deadline,
            reason,
            ("F3",),
            price,
            handling,
            missing,
            (reason[:1].upper() + reason[1:] + ".",),
        )

    if kind == "software":
        return refused("software is not eligible for the money-back guarantee (rule F3)")
    if arrived_on > deadline:
        return refused(
            f"arrived {arrived_on}, after the {days}-day money-back window that ended {deadline} "
            f"(rule F3)"
        )
    if missing and accepted is None:
        return refused(
            f"came back without its {_words(missing)}: the money-back guarantee needs the "
            f"product back with its manuals, media and documentation (rule F3); an agent may "
            f"accept it with a reason"
        )
    rate = policy.document.money.restocking_fee_rate
    percent = format((rate * 100).normalize(), "f")
    if waived is not None:
        fee = ZERO
        why = f"restocking fee waived: {waived}"
        fee_line = cited(S.RESTOCKING_WAIVED(reason=waived), "rule F3")
    else:
        fee = round_money(price * rate)
        why = f"restocking fee {percent}% = {fee} {currency}"
        fee_line = cited(S.RESTOCKING_FEE(percent=percent, fee=f"{fee} {currency}"), "rule F3")
    refund = round_money(price - fee)
    if contents is None:
        contents_line = cited(S.REFUND_NEEDS_CONTENTS(), "rule F3")
    elif missing:
        accepted_line = S.REFUND_MISSING_ACCEPTED(missing=_words(missing), accepted=accepted)
        contents_line = cited(accepted_line, "rule F3")
    else:
        contents_line = cited(S.REFUND_CONTENTS_COMPLETE(), "rule F3")
    reason = (
        f"arrived {arrived_on}, within {days} days of shipment (by {deadline}); {why}; refund "
        f"{refund} {currency}, excluding shipping and handling of {handling} {currency} "
        f"(rules F3, F4)"
    )
    arrived = S.REFUND_ARRIVED(arrived=arrived_on, days=days, shipped=shipped_on, deadline=deadline)
    lines = (
        cited(arrived, "rule F3"),
        contents_line,
        S.REFUND_PRICE(price=f"{price} {currency}") + ".",
        fee_line,
        cited(S.HANDLING_NOT_REFUNDED(handling=f"{handling} {currency}"), "rule F3"),
        cited(S.REFUND_TOTAL(refund=f"{refund} {currency}"), "rules F3, F4"),
    )
    return RefundAnswer(
        True, refund, fee, currency, deadline, reason, ("F3", "F4"), price, handling, missing, lines
    )
