"""Benchmark: rmadesk's business-time engine against businesstimedelta and pandas.

Run from the project root:

    uv run --group bench python bench/business_time.py            # 100,000 cases
    uv run --group bench python bench/business_time.py --quick    # 10,000 cases (smoke run)

One process generates the same random (start, duration) cases from a fixed seed and asks every
engine for "start + N business hours" on Pacific business hours (POLICY T2: Mon–Fri 06:00–18:00
America/Los_Angeles, US federal holidays on their observed dates). It prints:

* operations/second for rmadesk (single `cal.add` calls, and the batch `add_many_us` including
  the conversion from aware datetimes and back), businesstimedelta and pandas
  `CustomBusinessHour`, and the rmadesk/peer ratios;
* how many answers of each peer differ from rmadesk's (compared as UTC instants), split into
  "closing vs next opening" representation differences (POLICY T5: an end exactly at closing is
  the closing instant) and real disagreements, with a few samples and rmadesk's explanation;
* how many rmadesk answers differ from a small, independent, deliberately naive reference that
  walks the calendar day by day (it shares only the `holidays` package, which T2 names);
* the time to recompute 1,000,000 due times with the batch forms (hours, and NBD per T6).

Timings never fail the run: goals are printed next to results and the exit status is 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np

from rmadesk.policy.calendars import Calendar
from rmadesk.policy.instants import US_PER_HOUR, from_us, to_us
from rmadesk.policy.loader import default_policy, load_policy

ZONE_NAME = "America/Los_Angeles"
LA = ZoneInfo(ZONE_NAME)
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = dt.timedelta(microseconds=1)
ONE_DAY = dt.timedelta(days=1)
OPENS, CLOSES = dt.time(6), dt.time(18)
FIRST_YEAR, LAST_YEAR = 2025, 2028
# Holidays for every year a start or an answer can touch (answers run at most ~2 weeks ahead).
HOLIDAY_YEARS = range(FIRST_YEAR - 1, LAST_YEAR + 3)
MAX_HOURS = 40
T = TypeVar("T")

GOAL_VS_BTD = 250.0
GOAL_VS_PANDAS = 50.0
GOAL_MILLION_SECONDS = 3.0


# ----------------------------------------------------------------------------- the cases
@dataclass
class Cases:
    starts_us: np.ndarray  # epoch microseconds (int64)
    hours: np.ndarray  # whole hours 1..40 (int64)
    fraction_us: np.ndarray  # "fraction of hours" durations in microseconds (int64)
    kinds: list[str]  # how each start was drawn, for the report


def _local_us(day: dt.date, at: dt.time) -> int:
    """Epoch µs of a local wall time in Los Angeles (fold=0 for the repeated hour)."""
    return _us(dt.datetime.combine(day, at, tzinfo=LA))


def _us(at: dt.datetime) -> int:
    return (at - EPOCH) // ONE_US


def _dst_changes() -> list[dt.date]:
    """The Sundays the clocks change in Los Angeles, 2025–2028 (found from the zone itself)."""
    out = []
    day = dt.date(FIRST_YEAR, 1, 1)
    while day.year <= LAST_YEAR:
        a = dt.datetime.combine(day, dt.time(0), tzinfo=LA).utcoffset()
        b = dt.datetime.combine(day + ONE_DAY, dt.time(0), tzinfo=LA).utcoffset()
        if a != b:
            out.append(day)
        day += ONE_DAY
    return out


def make_cases(n: int, seed: int) -> Cases:
    """n starts, a fixed mix of: anywhere, DST weeks, around holidays, exactly on boundaries."""
    import holidays as holidays_lib

    rng = np.random.default_rng(seed)
    lo = _local_us(dt.date(FIRST_YEAR, 1, 1), dt.time(0))
    hi = _local_us(dt.date(LAST_YEAR + 1, 1, 1), dt.time(0))
    first_day = dt.date(FIRST_YEAR, 1, 1)
    n_days = (dt.date(LAST_YEAR + 1, 1, 1) - first_day).days
    dst = _dst_changes()
    hol = sorted(
        d
        for d in holidays_lib.country_holidays("US", years=range(FIRST_YEAR, LAST_YEAR + 1))
        if FIRST_YEAR <= d.year <= LAST_YEAR
    )
    boundary_times = [
        dt.time(0), dt.time(5, 59), dt.time(6), dt.time(6, 0, 0, 1), dt.time(12),
        dt.time(17), dt.time(17, 59, 59), dt.time(18), dt.time(18, 0, 1), dt.time(23, 59),
    ]  # fmt: skip

    starts = np.empty(n, dtype=np.int64)
    kinds: list[str] = []
    plan = rng.choice(4, size=n, p=[0.40, 0.20, 0.20, 0.20])
    for k in range(n):
        choice = plan[k]
        if choice == 0:  # anywhere in 2025–2028; most on whole minutes, some to the microsecond
            t = int(rng.integers(lo, hi))
            if rng.random() < 0.8:
                t -= t % 60_000_000
            kinds.append("anywhere")
        elif choice == 1:  # within ±4 days of a DST change (incl. the repeated / skipped hour)
            change = dst[int(rng.integers(len(dst)))]
            centre = _local_us(change, dt.time(1, 30))
            t = centre + int(rng.integers(-4 * 1440, 4 * 1440 + 1)) * 60_000_000
            kinds.append("DST week")
        elif choice == 2:  # on, the day before or the day after a holiday, any wall time
            day = hol[int(rng.integers(len(hol)))] + ONE_DAY * int(rng.integers(-1, 2))
            minute = int(rng.integers(0, 1440))
            t = _local_us(day, dt.time(minute // 60, minute % 60))
            kinds.append("holiday±1")
        else:  # exactly at or next to an opening or a closing, any day (weekends, holidays too)
            day = first_day + ONE_DAY * int(rng.integers(n_days))
            t = _local_us(day, boundary_times[int(rng.integers(len(boundary_times)))])
            kinds.append("boundary")
        starts[k] = t
    hours = rng.integers(1, MAX_HOURS + 1, size=n).astype(np.int64)
    # Fractions of hours: a whole number of seconds up to 40 h (e.g. 2 h 30 min, 7 h 12 min 5 s).
    fraction = rng.integers(1, MAX_HOURS * 3600 + 1, size=n).astype(np.int64) * 1_000_000
    return Cases(starts, hours, fraction, kinds)


# ----------------------------------------------------------------------- reference oracle
class Reference:
    """A deliberately naive, independent reading of T2/T5/T6: walk the days one by one."""

    def __init__(self) -> None:
        import holidays as holidays_lib

        # Observed dates are in the package's list (plus the actual Saturday/Sunday dates,
        # which are weekend days anyway).
        self.closed = set(holidays_lib.country_holidays("US", years=HOLIDAY_YEARS))
        self._days: dict[dt.date, tuple[int, int] | None] = {}

    def day(self, day: dt.date) -> tuple[int, int] | None:
        """(opens, closes) in epoch µs for a business day, None when closed all day."""
        if day not in self._days:
            closed = day.weekday() >= 5 or day in self.closed
            self._days[day] = None if closed else (_local_us(day, OPENS), _local_us(day, CLOSES))
        return self._days[day]

    def add(self, t: int, duration: int) -> int:
        day = (EPOCH + dt.timedelta(microseconds=t)).astimezone(LA).date()
        left = duration
        while True:
            hours = self.day(day)
            if hours is not None and t < hours[1]:
                begin = max(t, hours[0])
                available = hours[1] - begin
                if left <= available:  # an end exactly at closing stays at closing (T5)
                    return begin + left
                left -= available
            day += ONE_DAY

    def next_business_day(self, t: int, days: int = 1) -> int:
        day = (EPOCH + dt.timedelta(microseconds=t)).astimezone(LA).date()
        while True:
            hours = self.day(day)
            if hours is not None and hours[0] > t:  # opening strictly after the start (T6)
                days -= 1
                if days == 0:
                    return hours[1]
            day += ONE_DAY


# ---------------------------------------------------------------------------- timing
def best_of(repeats: int, fn: Callable[[], T]) -> tuple[float, T]:
    """(best wall time in seconds, last result) over `repeats` runs (at least one)."""
    best = float("inf")
    for _ in range(max(repeats, 1)):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


RETIME_CASES = 10_000


def retime(n: int, run: Callable[[int], object], repeats: int = 2) -> float:
    """A slow peer's time for n cases, estimated from the best of `repeats` runs on the first
    RETIME_CASES (the full pass is timed once; the faster estimate is kept, so a noisy full pass
    does not flatter rmadesk)."""
    m = min(n, RETIME_CASES)
    seconds, _ = best_of(repeats, lambda: run(m))
    return seconds * n / m


def rate(n: int, seconds: float) -> str:
    return (
        f"{n / seconds:>12,.0f} ops/s  ({seconds / n * 1e6:8.2f} µs/op, {seconds:6.2f} s for {n:,})"
    )


def goal(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def local(us: int) -> str:
    at = from_us(us).astimezone(LA)
    fmt = "%a %Y-%m-%d %H:%M" + (":%S" if at.second or at.microsecond else "")
    text = at.strftime(fmt)
    if at.microsecond:
        text += f".{at.microsecond:06d}"
    return f"{text} {at.tzname()}"


def duration_text(us: int) -> str:
    seconds = us // 1_000_000
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h} h" + (f" {m:02d} min" if m or s else "") + (f" {s:02d} s" if s else "")


# ------------------------------------------------------------------- comparing answers
@dataclass
class Comparison:
    agree: int
    representation: list[int]  # indexes: peer gave the next opening where rmadesk gave a closing
    real: list[int]  # indexes: any other difference


def compare(cal: Calendar, ours: np.ndarray, theirs: np.ndarray) -> Comparison:
    differ = np.nonzero(ours != theirs)[0]
    representation, real = [], []
    for i in differ.tolist():
        r, p = int(ours[i]), int(theirs[i])
        at_closing = cal.is_open_us(r - 1) and not cal.is_open_us(r)
        if at_closing and p == cal.next_opening_us(r):
            representation.append(i)
        else:
            real.append(i)
    return Comparison(len(ours) - len(differ), representation, real)


def explain(cal: Calendar, start: int, duration: int, due: int) -> list[str]:
    """rmadesk's account of a due time (T5, T8): clock start, open time per day, skipped days."""
    clock = cal.clock_start_us(start)
    lines = []
    if clock != start:
        lines.append(
            f"outside open hours: the clock starts at the next opening, {local(clock)} (T5)"
        )
    used = []
    day = from_us(start).astimezone(LA).date()
    last = from_us(due).astimezone(LA).date()
    while day <= last:
        a = max(start, _local_us(day, dt.time(0)))
        b = min(due, _local_us(day + ONE_DAY, dt.time(0)))
        if b > a:
            open_us = cal.elapsed_us(a, b)
            if open_us:
                used.append(f"{day:%a %d %b} {duration_text(open_us)}")
        day += ONE_DAY
    lines.append("open time counted: " + ", ".join(used) + f" = {duration_text(duration)}")
    skipped = cal.skipped_between(from_us(start), from_us(due))
    if skipped:
        lines.append("; ".join(s.sentence() for s in skipped) + " (T2)")
    if cal.is_open_us(due - 1) and not cal.is_open_us(due):
        lines.append("ends exactly at a closing: the due time is that closing instant (T5)")
    return lines


def report_peer(  # noqa: PLR0917 - a report helper, called twice
    name: str,
    cal: Calendar,
    cases_starts: np.ndarray,
    durations: np.ndarray,
    ours: np.ndarray,
    theirs: np.ndarray,
    reference: np.ndarray,
    samples: int,
    checked: str,
) -> Comparison:
    c = compare(cal, ours, theirs)
    total = len(ours)
    peer_right = sum(int(theirs[i]) == int(reference[i]) for i in c.real)
    ours_right = sum(int(ours[i]) == int(reference[i]) for i in c.real)
    print(f"  {name} vs rmadesk ({checked}):")
    print(f"    same instant                              {c.agree:>9,} / {total:,}")
    print(
        f"    closing-vs-next-opening representation    {len(c.representation):>9,}"
        "   (rmadesk: the closing instant, T5; peer: the next opening)"
    )
    print(
        f"    real disagreements                        {len(c.real):>9,}"
        f"   (reference agrees with rmadesk in {ours_right:,}, with {name} in {peer_right:,})"
    )

    def show(indexes: Sequence[int], title: str) -> None:
        if not indexes:
            return
        print(f"    samples: {title}")
        for i in list(indexes)[:samples]:
            s, d = int(cases_starts[i]), int(durations[i])
            verdict = (
                "reference agrees with rmadesk"
                if int(ours[i]) == int(reference[i])
                else f"reference agrees with {name}"
                if int(theirs[i]) == int(reference[i])
                else f"reference says {local(int(reference[i]))}"
            )
            print(f"      start {local(s)} + {duration_text(d)}")
            print(f"        rmadesk   {local(int(ours[i]))}")
            print(f"        {name:<9} {local(int(theirs[i]))}   [{verdict}]")
            for line in explain(cal, s, d, int(ours[i])):
                print(f"          why: {line}")

    show(c.representation, "representation (same due moment, written differently)")
    show(c.real, "real disagreements")
    return c


# ------------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 cases (a smoke run)")
    parser.add_argument("--cases", type=int, default=None, help="number of cases (default 100,000)")
    parser.add_argument("--seed", type=int, default=20_250_101)
    parser.add_argument("--samples", type=int, default=3, help="sample disagreements shown")
    parser.add_argument(
        "--million", type=int, default=1_000_000, help="size of the batch recomputation"
    )
    parser.add_argument(
        "--no-fraction", action="store_true", help="skip the fraction-of-hours variant"
    )
    args = parser.parse_args(argv)
    n = args.cases or (10_000 if args.quick else 100_000)
    million = min(args.million, 100_000) if args.quick else args.million
    repeats = 5

    import businesstimedelta as btd
    import holidays as holidays_lib
    import pandas as pd
    import pytz

    print("rmadesk business-time benchmark")
    print(
        f"  Python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
        f"numpy {np.__version__}, holidays {holidays_lib.__version__}, pandas {pd.__version__}, "
        f"businesstimedelta {_version('businesstimedelta')}, pytz {pytz.__version__}"
    )
    try:
        import os

        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"  {os.cpu_count()} CPU(s), load average {load} (timings are wall clock: noisy)")
    except (AttributeError, OSError):
        pass
    policy = default_policy()
    cal = policy.calendar("pacific")
    print(f"  calendar: {cal.describe()}")
    print(
        f"  cases: {n:,} (seed {args.seed}), hours 1..{MAX_HOURS}, starts 2025–2028 in {ZONE_NAME}"
    )

    t0 = time.perf_counter()
    cases = make_cases(n, args.seed)
    kinds = {k: cases.kinds.count(k) for k in dict.fromkeys(cases.kinds)}
    print(
        "  start mix: "
        + ", ".join(f"{k} {v:,}" for k, v in kinds.items())
        + f"  (generated in {time.perf_counter() - t0:.1f} s)"
    )
    reference = Reference()
    starts_us = cases.starts_us
    hours = cases.hours
    hours_us = hours * US_PER_HOUR
    hours_list = hours.tolist()
    starts_list = starts_us.tolist()
    closed_now = sum(not cal.is_open_us(t) for t in starts_list)
    print(f"  {closed_now:,} of the starts are outside open hours (nights, weekends, holidays)")

    # Inputs, prepared outside the timings: aware datetimes in Los Angeles for rmadesk,
    # pytz-localized ones for businesstimedelta, local naive Timestamps for pandas.
    pytz_la = pytz.timezone(ZONE_NAME)
    starts_dt = [from_us(t).astimezone(LA) for t in starts_list]
    starts_pytz = [from_us(t).astimezone(pytz_la) for t in starts_list]
    assert all(
        to_us(a) == to_us(b) for a, b in zip(starts_dt[:1000], starts_pytz[:1000], strict=True)
    )
    deltas = {h: dt.timedelta(hours=h) for h in range(1, MAX_HOURS + 1)}

    # ------------------------------------------------------------------- rmadesk
    print("\n== rmadesk (whole hours) ==")
    cal.add(starts_dt[0], deltas[1])  # build the table once (it is built per process)

    def rm_single() -> list[dt.datetime]:
        add = cal.add
        return [add(s, deltas[h]) for s, h in zip(starts_dt, hours_list, strict=True)]

    batch_hours_us = np.asarray(hours_list, dtype=np.int64) * US_PER_HOUR

    def rm_batch() -> list[dt.datetime]:
        # The public batch form: aware datetimes in, aware UTC datetimes out; the whole hours
        # as an array (the peers get the same integers: pandas n=h, businesstimedelta hours=h).
        return cal.add_many(starts_dt, batch_hours_us)

    def rm_kernel() -> np.ndarray:
        return cal.add_many_us(starts_us, hours_us)

    def rm_single_us() -> list[int]:
        add_us = cal.add_us
        return [add_us(t, h * US_PER_HOUR) for t, h in zip(starts_list, hours_list, strict=True)]

    t_single, single_res = best_of(repeats, rm_single)
    t_batch, batch_res = best_of(repeats, rm_batch)
    t_kernel, kernel_res = best_of(repeats, rm_kernel)
    t_single_us, single_us_res = best_of(repeats, rm_single_us)
    ours = np.fromiter((to_us(x) for x in single_res), dtype=np.int64, count=n)
    batch_us = np.fromiter((to_us(x) for x in batch_res), dtype=np.int64, count=n)
    print(f"  single  cal.add(aware dt, timedelta)        {rate(n, t_single)}")
    print(f"  batch   cal.add_many(aware dt) → aware dt    {rate(n, t_batch)}")
    print(f"  (batch  add_many_us kernel, µs in/µs out    {rate(n, t_kernel)})")
    print(f"  (single cal.add_us on epoch µs              {rate(n, t_single_us)})")
    forms_differ = int(
        (ours != batch_us).sum()
        + (ours != kernel_res).sum()
        + (ours != np.asarray(single_us_res)).sum()
    )
    print(f"  single, batch, kernel and add_us forms disagree on {forms_differ} answers")

    t0 = time.perf_counter()
    ref = np.fromiter(
        (reference.add(t, h * US_PER_HOUR) for t, h in zip(starts_list, hours_list, strict=True)),
        dtype=np.int64,
        count=n,
    )
    t_ref = time.perf_counter() - t0
    wrong_hours = np.nonzero(ours != ref)[0]
    print(f"  vs the day-walking reference ({t_ref:.1f} s): {len(wrong_hours):,} wrong answers")
    for i in wrong_hours[: args.samples].tolist():
        print(
            f"    start {local(starts_list[i])} + {hours_list[i]} h: "
            f"rmadesk {local(int(ours[i]))}, reference {local(int(ref[i]))}"
        )

    # NBD (T6) on the same starts, single and batch, against the reference.
    nbd_batch = cal.business_days_many_us(starts_us, 1)
    nbd_single = np.fromiter((cal.business_days_us(t, 1) for t in starts_list), np.int64, count=n)
    nbd_ref = np.fromiter((reference.next_business_day(t) for t in starts_list), np.int64, count=n)
    wrong_nbd = np.nonzero((nbd_batch != nbd_ref) | (nbd_single != nbd_ref))[0]
    bd3_batch = cal.business_days_many_us(starts_us, 3)
    bd3_ref = np.fromiter(
        (reference.next_business_day(t, 3) for t in starts_list), np.int64, count=n
    )
    wrong_bd3 = np.nonzero(bd3_batch != bd3_ref)[0]
    print(
        f"  NBD (T6), single and batch, vs the reference: {len(wrong_nbd):,} wrong; "
        f"3 business days: {len(wrong_bd3):,} wrong"
    )
    for i in np.concatenate([wrong_nbd[: args.samples], wrong_bd3[: args.samples]]).tolist():
        print(
            f"    start {local(starts_list[i])}: NBD rmadesk {local(int(nbd_batch[i]))} / "
            f"reference {local(int(nbd_ref[i]))}"
        )

    # ------------------------------------------------------------ businesstimedelta
    print("\n== businesstimedelta (whole hours) ==")
    us_holidays = holidays_lib.US(years=HOLIDAY_YEARS)
    rule = btd.Rules(
        [
            btd.WorkDayRule(
                start_time=OPENS, end_time=CLOSES, working_days=[0, 1, 2, 3, 4], tz=pytz_la
            ),
            btd.HolidayRule(us_holidays, tz=pytz_la),
        ]
    )
    btds = {h: btd.BusinessTimeDelta(rule, hours=h) for h in range(1, MAX_HOURS + 1)}

    def btd_run(m: int = n) -> list[dt.datetime]:
        return [s + btds[h] for s, h in zip(starts_pytz[:m], hours_list[:m], strict=True)]

    t_btd, btd_res = best_of(1, btd_run)
    t_btd = min(t_btd, retime(n, btd_run))
    theirs_btd = np.fromiter((to_us(x) for x in btd_res), dtype=np.int64, count=n)
    print(f"  start + BusinessTimeDelta(rule, hours=h)   {rate(n, t_btd)}")
    cmp_btd = report_peer(
        "btd", cal, starts_us, hours_us, ours, theirs_btd, ref, args.samples, f"all {n:,} cases"
    )

    # ------------------------------------------------------------------- pandas
    print("\n== pandas CustomBusinessHour (whole hours) ==")
    # The same observed holiday dates as the other engines (weekend dates in the list are inert).
    holiday_dates = sorted(us_holidays)
    offsets = {
        h: pd.offsets.CustomBusinessHour(n=h, start="06:00", end="18:00", holidays=holiday_dates)
        for h in range(1, MAX_HOURS + 1)
    }
    # Sanity check of the configuration: Thu 2 Jul 2026 17:30 + 1 h skips Fri 3 Jul (observed).
    assert pd.Timestamp("2026-07-02 17:30") + offsets[1] == pd.Timestamp("2026-07-06 06:30")
    naive_index = (
        pd.to_datetime(starts_us, unit="us", utc=True).tz_convert(ZONE_NAME).tz_localize(None)
    )
    naive_list = list(naive_index)

    def pd_scalar(m: int = n) -> list[pd.Timestamp]:
        return [ts + offsets[h] for ts, h in zip(naive_list[:m], hours_list[:m], strict=True)]

    groups = {h: np.nonzero(hours == h)[0] for h in range(1, MAX_HOURS + 1)}

    def pd_vector() -> list[tuple[np.ndarray, pd.DatetimeIndex]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [(ix, naive_index[ix] + offsets[h]) for h, ix in groups.items() if len(ix)]

    t_pd, pd_res = best_of(1, pd_scalar)
    t_pd = min(t_pd, retime(n, pd_scalar))
    t_pdv, pdv_res = best_of(1, pd_vector)
    theirs_pd = pd.DatetimeIndex(pd_res).tz_localize(ZONE_NAME).as_unit("us").asi8
    theirs_pdv = np.empty(n, dtype=np.int64)
    for ix, res in pdv_res:
        theirs_pdv[ix] = res.tz_localize(ZONE_NAME).as_unit("us").asi8
    print(f"  Timestamp + CustomBusinessHour(n=h)        {rate(n, t_pd)}")
    print(f"  DatetimeIndex + CBH(n=h), grouped by h     {rate(n, t_pdv)}")
    print("  (inputs are local naive Timestamps made beforehand; re-localizing is not timed)")
    print(f"  scalar and index forms disagree on {int((theirs_pd != theirs_pdv).sum())} answers")
    cmp_pd = report_peer(
        "pandas", cal, starts_us, hours_us, ours, theirs_pd, ref, args.samples, f"all {n:,} cases"
    )

    # ----------------------------------------------------------- fractions of hours
    t_frac = t_btd_frac = None
    wrong_frac = cmp_frac = None
    if not args.no_fraction:
        print("\n== fraction-of-hours durations (whole seconds up to 40 h): rmadesk and btd ==")
        frac_us = cases.fraction_us
        frac_list = frac_us.tolist()
        frac_deltas = [dt.timedelta(microseconds=d) for d in frac_list]

        def rm_frac() -> list[dt.datetime]:
            add = cal.add
            return [add(s, d) for s, d in zip(starts_dt, frac_deltas, strict=True)]

        t_frac, frac_res = best_of(repeats, rm_frac)
        ours_frac = np.fromiter((to_us(x) for x in frac_res), np.int64, count=n)
        batch_frac = cal.add_many_us(starts_us, frac_us)
        ref_frac = np.fromiter(
            (reference.add(t, d) for t, d in zip(starts_list, frac_list, strict=True)),
            np.int64,
            count=n,
        )
        wrong_frac = int(((ours_frac != ref_frac) | (batch_frac != ref_frac)).sum())
        print(f"  rmadesk single cal.add                      {rate(n, t_frac)}")
        print(f"  rmadesk vs the reference: {wrong_frac:,} wrong answers (single or batch)")
        frac_btds = [btd.BusinessTimeDelta(rule, timedelta=d) for d in frac_deltas]

        def btd_frac(m: int = n) -> list[dt.datetime]:
            return [s + b for s, b in zip(starts_pytz[:m], frac_btds[:m], strict=True)]

        t_btd_frac, btd_frac_res = best_of(1, btd_frac)
        t_btd_frac = min(t_btd_frac, retime(n, btd_frac))
        theirs_frac = np.fromiter((to_us(x) for x in btd_frac_res), np.int64, count=n)
        print(f"  businesstimedelta                           {rate(n, t_btd_frac)}")
        cmp_frac = report_peer(
            "btd",
            cal,
            starts_us,
            frac_us,
            ours_frac,
            theirs_frac,
            ref_frac,
            args.samples,
            f"all {n:,} cases",
        )

    # ------------------------------------------------------- a million due times
    print(f"\n== batch recomputation of {million:,} due times ==")
    rng = np.random.default_rng(args.seed + 1)
    lo = _local_us(dt.date(FIRST_YEAR, 1, 1), dt.time(0))
    hi = _local_us(dt.date(LAST_YEAR + 1, 1, 1), dt.time(0))
    big_starts = rng.integers(lo, hi, size=million, dtype=np.int64)
    big_hours = rng.integers(1, MAX_HOURS + 1, size=million, dtype=np.int64)

    def recompute(c: Calendar) -> tuple[np.ndarray, np.ndarray]:
        return c.add_many_us(big_starts, big_hours * US_PER_HOUR), c.business_days_many_us(
            big_starts, 1
        )

    cold_cal = load_policy().calendar("pacific")  # a fresh calendar: includes building its table
    t0 = time.perf_counter()
    recompute(cold_cal)
    t_cold = time.perf_counter() - t0
    t_warm, (big_due, big_nbd) = best_of(repeats, lambda: recompute(cal))
    t_hours_only, _ = best_of(repeats, lambda: cal.add_many_us(big_starts, big_hours * US_PER_HOUR))
    t_nbd_only, _ = best_of(repeats, lambda: cal.business_days_many_us(big_starts, 1))
    sample = rng.choice(million, size=min(20_000, million), replace=False)
    big_wrong = sum(
        int(big_due[i]) != reference.add(int(big_starts[i]), int(big_hours[i]) * US_PER_HOUR)
        or int(big_nbd[i]) != reference.next_business_day(int(big_starts[i]))
        for i in sample.tolist()
    )
    print(f"  start + hours and NBD, warm (best of {repeats})      {t_warm:6.3f} s")
    print(f"    of which start + hours                      {t_hours_only:6.3f} s")
    print(f"    of which NBD                                {t_nbd_only:6.3f} s")
    print(f"  the same on a fresh calendar (builds table)   {t_cold:6.3f} s")
    print(f"  {len(sample):,} sampled answers checked against the reference: {big_wrong} wrong")

    # ------------------------------------------------------------------- summary
    print("\n== summary (per due time; pandas at its faster form) ==")
    print(f"  {'':38}{'result':>10}   goal")

    def row(
        label: str, value: str, target: str = "", ok: bool | None = None, note: str = ""
    ) -> None:
        verdict = "" if ok is None else goal(ok)
        print(f"  {label:38}{value:>10}   {target:<8}{verdict:<8}{note}".rstrip())

    ratios = [
        ("rmadesk single / btd", t_btd / t_single, GOAL_VS_BTD),
        ("rmadesk batch (incl. conv.) / btd", t_btd / t_batch, GOAL_VS_BTD),
        ("rmadesk batch kernel (µs) / btd", t_btd / t_kernel, None),
        ("rmadesk single / pandas", min(t_pd, t_pdv) / t_single, GOAL_VS_PANDAS),
        ("rmadesk batch (incl. conv.) / pandas", min(t_pd, t_pdv) / t_batch, GOAL_VS_PANDAS),
        ("rmadesk batch kernel (µs) / pandas", min(t_pd, t_pdv) / t_kernel, None),
    ]
    for label, ratio, target in ratios:
        if target is None:
            row(label, f"{ratio:,.0f}×")
        else:
            row(label, f"{ratio:,.0f}×", f"≥ {target:.0f}×", ratio >= target)
    if t_frac is not None and t_btd_frac is not None:
        ratio = t_btd_frac / t_frac
        row(
            "rmadesk single / btd (fractions)",
            f"{ratio:,.0f}×",
            f"≥ {GOAL_VS_BTD:.0f}×",
            ratio >= GOAL_VS_BTD,
        )
    wrong_total = len(wrong_hours) + len(wrong_nbd) + len(wrong_bd3) + forms_differ + big_wrong
    wrong_total += wrong_frac or 0
    row(
        "rmadesk wrong answers",
        f"{wrong_total:,}",
        "= 0",
        wrong_total == 0,
        "vs the reference: hours, fractions, NBD, 3 days, forms",
    )
    row(
        "1M recompute (hours + NBD), warm",
        f"{t_warm:.3f} s",
        f"< {GOAL_MILLION_SECONDS:.0f} s",
        t_warm < GOAL_MILLION_SECONDS,
        "" if million == 1_000_000 else f"only {million:,} in this run",
    )
    fractions = (
        ""
        if cmp_frac is None
        else f"; fractions {len(cmp_frac.real):,} (+{len(cmp_frac.representation):,})"
    )
    row(
        "btd real disagreements",
        f"{len(cmp_btd.real):,}",
        note=f"(+{len(cmp_btd.representation):,} closing-vs-next-opening){fractions}",
    )
    row(
        "pandas real disagreements",
        f"{len(cmp_pd.real):,}",
        note=f"(+{len(cmp_pd.representation):,} closing-vs-next-opening)",
    )
    return 0


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
