"""Percentiles of response times: which ranks SQL must fetch, and the interpolation between them.

The method is linear interpolation between closest ranks, the one of numpy's default and of
PostgreSQL's `percentile_cont`: for n sorted values v[0..n-1] and a fraction q, the position is
p = (n - 1) * q; the answer is v[floor(p)] + (v[ceil(p)] - v[floor(p)]) * (p - floor(p)).
SQL (a ROW_NUMBER and a COUNT over each group, the same on SQLite and PostgreSQL) fetches only
the two values at those ranks per group; the arithmetic here is exact (Decimal), and hours are
rounded half-up to two places at the end (rule F4's rounding, applied to hours).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MEDIAN = Decimal("0.5")
P90 = Decimal("0.9")
SECONDS_PER_HOUR = Decimal(3600)
CENT = Decimal("0.01")


def ranks(count: int, fraction: Decimal) -> tuple[int, int, Decimal]:
    """The 1-based ranks below and above the percentile in `count` sorted values, and the weight
    of the upper one. `count` must be at least 1."""
    if count < 1:
        raise ValueError("a percentile of no values")
    position = (count - 1) * fraction
    lower = int(position)  # position >= 0: int() is floor
    weight = position - lower
    upper = lower + 1 if weight else lower
    return lower + 1, upper + 1, weight


def interpolate(lower: Decimal, upper: Decimal, weight: Decimal) -> Decimal:
    return lower + (upper - lower) * weight


def percentile(values: list[int] | list[Decimal], fraction: Decimal) -> Decimal:
    """The percentile of values (any order): the reference the SQL path must agree with."""
    ordered = sorted(Decimal(v) for v in values)
    low, high, weight = ranks(len(ordered), fraction)
    return interpolate(ordered[low - 1], ordered[high - 1], weight)


def hours_text(seconds: Decimal | int | None) -> str | None:
    """Seconds as hours with two decimals, half-up: 32400 -> "9.00"; None stays None."""
    if seconds is None:
        return None
    return str((Decimal(seconds) / SECONDS_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP))
