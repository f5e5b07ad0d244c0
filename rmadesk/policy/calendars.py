"""The business-time engine: calendars of open hours, exact across DST, holidays and closures.

A calendar answers: is it open at an instant, when does a clock that starts now really start
(T5), when have N hours of open time elapsed (T5), how much open time lies between two instants,
and where do N next-business-day steps end (T6). Every answer can explain itself (T8).

Why it is fast: a calendar turns its weekly hours, holidays and closures into one sorted table of
open intervals in epoch microseconds for a span of years, with the cumulative open time at the end
of each interval. Every question is then one or two binary searches (O(log n)), never a loop over
days, and the same table answers a whole batch at once with numpy. Why it is exact: the table is
built from local wall times through `zoneinfo`, so a 06:00 opening is 06:00 on both sides of a DST
change, and all arithmetic is on integers.

The table covers a few years around the instants asked about and grows on demand; each growth
builds a complete new table and swaps it in whole: readers in other threads never see half a table.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import holidays as holidays_lib
import numpy as np
import numpy.typing as npt

from rmadesk.policy import sentences
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import (
    EPOCH,
    MICROSECOND,
    US_PER_SECOND,
    duration_us,
    from_us,
    from_us_many,
    require_aware,
    to_us,
    to_us_many,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_TITLES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Years built beyond the ones asked for, so neighbouring questions do not rebuild the table.
_MARGIN_YEARS = 2
_FIRST_YEAR, _LAST_YEAR = 1901, 2399

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A working weekday the calendar is closed on, because of a holiday or a closure."""

    date: dt.date
    name: str
    kind: str  # "holiday" or "closure"
    calendar: str = ""  # set where a union reports one part's closed day

    def sentence(self) -> str:
        day = f"{self.date:%a %d %b %Y}"
        holiday = self.kind == "holiday"
        if self.calendar:
            said = sentences.PART_CLOSED_HOLIDAY if holiday else sentences.PART_CLOSED_CLOSURE
            return said(day=day, calendar=self.calendar, name=self.name)
        said = sentences.SKIPPED_HOLIDAY if holiday else sentences.SKIPPED_CLOSURE
        return said(day=day, name=self.name)


@dataclass(frozen=True, slots=True)
class OpenHours:
    """Open intervals of one weekday, as (opens, closes) local times; closes may be 24:00."""

    intervals: tuple[tuple[dt.time, dt.time | None], ...]  # None as closes means 24:00

    @classmethod
    def parse(cls, text: str, field: str) -> OpenHours:
        """Parse `06:00-18:00` or `08:00-12:00,13:00-17:00` (`24:00` closes at midnight)."""
        intervals: list[tuple[dt.time, dt.time | None]] = []
        last_close = -1
        for part in text.split(","):
            try:
                open_text, close_text = (p.strip() for p in part.split("-"))
                opens = dt.time.fromisoformat(open_text)
                closes = None if close_text == "24:00" else dt.time.fromisoformat(close_text)
            except ValueError:
                raise PolicyError(
                    f"{text!r} is not a list of HH:MM-HH:MM intervals", rule="T2", field=field
                ) from None
            open_minute = opens.hour * 60 + opens.minute
            close_minute = 24 * 60 if closes is None else closes.hour * 60 + closes.minute
            if close_minute <= open_minute or open_minute < last_close:
                raise PolicyError(
                    f"{text!r}: each interval must close after it opens, in order, without overlap",
                    rule="T2",
                    field=field,
                )
            last_close = close_minute
            intervals.append((opens, closes))
        return cls(tuple(intervals))

    def text(self) -> str:
        return ",".join(
            f"{o:%H:%M}-{'24:00' if c is None else format(c, '%H:%M')}" for o, c in self.intervals
        )


@dataclass(frozen=True, slots=True)
class HolidaySource:
    """Where a calendar's closed days come from: a country's public holidays, plus or minus."""

    country: str | None = None
    subdivision: str | None = None
    closures: tuple[tuple[dt.date, str], ...] = ()
    removed: frozenset[dt.date] = frozenset()

    def closed_days(self, first_year: int, last_year: int) -> dict[dt.date, tuple[str, str]]:
        """Each closed date in the years with its (name, kind)."""
        days: dict[dt.date, tuple[str, str]] = {}
        if self.country:
            country_days = holidays_lib.country_holidays(
                self.country, subdiv=self.subdivision, years=range(first_year, last_year + 1)
            )
            for day, name in country_days.items():
                days[day] = (str(name), "holiday")
        for day, name in self.closures:
            if first_year <= day.year <= last_year:
                days[day] = (name, "closure")
        for day in self.removed:
            days.pop(day, None)
        return days

    def describe(self) -> str:
        parts = []
        if self.country:
            where = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
            parts.append(sentences.PUBLIC_HOLIDAYS(where=where))
        if self.closures:
            parts.append(sentences.EXTRA_CLOSURES(count=len(self.closures)))
        if self.removed:
            parts.append(sentences.HOLIDAYS_WORKED(count=len(self.removed)))
        return ", ".join(parts) if parts else sentences.NO_HOLIDAYS()


@dataclass(frozen=True, slots=True)
class _Table:
    """Open intervals for a span of instants [lo, hi), all in epoch microseconds."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cum_end: list[int]  # open time from the table's start up to ends[i]
    day_open: list[int]  # first opening of each business day
    day_close: list[int]  # last closing of each business day
    closed_dates: list[dt.date]  # working weekdays closed by a holiday or closure, sorted
    closed_why: list[tuple[str, str]]
    numpy_cache: list[tuple[IntArray, IntArray, IntArray, IntArray, IntArray]] = field(
        default_factory=list, compare=False, repr=False
    )

    @classmethod
    def build(
        cls,
        first_year: int,
        last_year: int,
        intervals: Iterable[tuple[int, int]],
        days: Iterable[tuple[int, int]],
        closed: Sequence[tuple[dt.date, tuple[str, str]]] = (),
    ) -> _Table:
        starts: list[int] = []
        ends: list[int] = []
        cum_end: list[int] = []
        total = 0
        for start, end in intervals:
            starts.append(start)
            ends.append(end)
            total += end - start
            cum_end.append(total)
        day_open: list[int] = []
        day_close: list[int] = []
        for opens, closes in days:
            day_open.append(opens)
            day_close.append(closes)
        # A day of margin on each side: local dates of any zone (|offset| < 24 h) are whole there.
        lo = to_us(dt.datetime(first_year, 1, 2, tzinfo=dt.UTC))
        hi = to_us(dt.datetime(last_year, 12, 31, tzinfo=dt.UTC))
        return cls(
            first_year,
            last_year,
            lo,
            hi,
            starts,
            ends,
            cum_end,
            day_open,
            day_close,
            [day for day, _ in closed],
            [why for _, why in closed],
        )

    def open_before(self, t: int) -> int:
        """Open time from the table's start up to instant t."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cum_end[i] - (end - t) if t < end else self.cum_end[i]

    def arrays(self) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """The table as numpy arrays, made once per table, for the batch forms."""
        if not self.numpy_cache:
            self.numpy_cache.append(
                (
                    np.asarray(self.starts, dtype=np.int64),
                    np.asarray(self.ends, dtype=np.int64),
                    np.asarray(self.cum_end, dtype=np.int64),
                    np.asarray(self.day_open, dtype=np.int64),
                    np.asarray(self.day_close, dtype=np.int64),
                )
            )
        return self.numpy_cache[0]


def _year_of(t: int) -> int:
    """The UTC year of an instant, clamped so absurd instants fail the range check, not overflow."""
    if t <= to_us(dt.datetime(_FIRST_YEAR, 1, 1, tzinfo=dt.UTC)):
        return _FIRST_YEAR
    if t >= to_us(dt.datetime(_LAST_YEAR, 1, 1, tzinfo=dt.UTC)):
        return _LAST_YEAR
    return from_us(t).year


class Calendar(ABC):
    """A calendar of open time. Instants in and out are aware datetimes (UTC out)."""

    key: str
    title: str
    rule: str

    # --- single instants -------------------------------------------------------------
    def is_open(self, at: dt.datetime) -> bool:
        return self.is_open_us(to_us(at))

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """The first opening at or after `at` (at itself only if an interval opens exactly then)."""
        return from_us(self.next_opening_us(to_us(at)))

    def clock_start(self, at: dt.datetime) -> dt.datetime:
        """Where a clock started at `at` starts: `at` when open, else the next opening (T5)."""
        return from_us(self.clock_start_us(to_us(at)))

    def add(self, at: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant when `duration` of open time has elapsed from `at` (T5)."""
        return from_us(self.add_us(to_us(at), _duration_us(duration)))

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time between two instants (negative when end is before start)."""
        return dt.timedelta(microseconds=self.elapsed_us(to_us(start), to_us(end)))

    def business_days(self, at: dt.datetime, days: int) -> dt.datetime:
        """The closing time of the `days`-th business day after `at` (T6)."""
        return from_us(self.business_days_us(to_us(at), days))

    # --- the same on epoch microseconds (the fast path) ---------------------------------
    @abstractmethod
    def is_open_us(self, t: int) -> bool: ...

    @abstractmethod
    def next_opening_us(self, t: int) -> int: ...

    def clock_start_us(self, t: int) -> int:
        return t if self.is_open_us(t) else self.next_opening_us(t)

    @abstractmethod
    def add_us(self, t: int, duration: int) -> int: ...

    @abstractmethod
    def elapsed_us(self, start: int, end: int) -> int: ...

    def business_days_us(self, t: int, days: int) -> int:
        raise PolicyError(
            f"{self.title} has no business days; next-business-day targets need a weekly calendar",
            rule="T6",
        )

    # --- batches ------------------------------------------------------------------------
    @abstractmethod
    def add_many_us(self, starts: IntArray, duration: int | IntArray) -> IntArray:
        """`add_us` for many starts at once (a whole installed base after a policy change)."""

    def business_days_many_us(self, starts: IntArray, days: int) -> IntArray:
        raise PolicyError(f"{self.title} has no business days", rule="T6")

    def add_many(
        self,
        starts: Sequence[dt.datetime],
        duration: dt.timedelta | Sequence[dt.timedelta] | IntArray,
    ) -> list[dt.datetime]:
        """`add` for many aware datetimes at once (UTC out), e.g. a policy change's re-targeting.

        `duration` is one timedelta for all, one per start, or an array of microseconds.
        """
        if isinstance(duration, dt.timedelta):
            durations: int | IntArray = _duration_us(duration)
        elif isinstance(duration, np.ndarray):
            durations = duration.astype(np.int64, copy=False)
        else:
            durations = np.fromiter(
                (_duration_us(d) for d in duration), dtype=np.int64, count=len(duration)
            )
        return from_us_many(self.add_many_us(to_us_many(starts), durations))

    # --- explanation (T8) -------------------------------------------------------------------
    @abstractmethod
    def describe(self) -> str:
        """One line: what is open, where, and which closed days apply."""

    @cached_property
    def description(self) -> str:
        """`describe()`, made once: calendars do not change after they are built."""
        return self.describe()

    def skipped_between(self, start: dt.datetime, end: dt.datetime) -> list[Skipped]:
        """Working weekdays between two instants that the calendar is closed on."""
        return []

    def rules(self) -> tuple[str, ...]:
        return (self.rule,)


def _duration_us(duration: dt.timedelta) -> int:
    us = duration_us(duration)
    if us < 0:
        raise PolicyError("a duration of open time cannot be negative", rule="T5")
    return us


class AroundTheClock(Calendar):
    """T4: every instant counts."""

    def __init__(self, key: str = "always", title: str = "24x7", rule: str = "T4") -> None:
        self.key, self.title, self.rule = key, title, rule

    def is_open_us(self, t: int) -> bool:
        return True

    def next_opening_us(self, t: int) -> int:
        return t

    def add_us(self, t: int, duration: int) -> int:
        return t + duration

    def elapsed_us(self, start: int, end: int) -> int:
        return end - start

    def add_many_us(self, starts: IntArray, duration: int | IntArray) -> IntArray:
        return starts + duration

    def describe(self) -> str:
        return sentences.cited(sentences.EVERY_HOUR(title=self.title), self.rule, stop="")


class IntervalCalendar(Calendar):
    """A calendar made of a table of open intervals, built for a span of years on demand."""

    def __init__(self) -> None:
        self._table: _Table | None = None
        self._lock = threading.Lock()

    @abstractmethod
    def _build(self, first_year: int, last_year: int) -> _Table: ...

    def table_for(self, lo: int, hi: int | None = None) -> _Table:
        """A table covering instants lo..hi, growing (and swapping in) a new one when needed."""
        hi = lo if hi is None else hi
        table = self._table
        if table is not None and table.lo <= lo and hi < table.hi:
            return table
        with self._lock:
            table = self._table
            if table is not None and table.lo <= lo and hi < table.hi:
                return table
            low_year, high_year = _year_of(lo), _year_of(hi)
            if low_year <= _FIRST_YEAR or high_year >= _LAST_YEAR:
                raise PolicyError(
                    f"{self.title} answers for instants between {_FIRST_YEAR + 1} and "
                    f"{_LAST_YEAR - 1} only",
                    rule="T2",
                )
            first = max(low_year - _MARGIN_YEARS, _FIRST_YEAR)
            last = min(high_year + _MARGIN_YEARS, _LAST_YEAR)
            if table is not None:
                first, last = min(first, table.first_year), max(last, table.last_year)
            table = self._build(first, last)
            self._table = table
            return table

    def _grow_past(self, table: _Table) -> _Table:
        """The next, larger table, when an answer lies beyond the current one's end."""
        span = table.last_year - table.first_year + 1
        target_year = min(table.last_year + span, _LAST_YEAR)
        return self.table_for(table.lo, to_us(dt.datetime(target_year, 1, 1, tzinfo=dt.UTC)))

    def is_open_us(self, t: int) -> bool:
        table = self.table_for(t)
        i = bisect.bisect_right(table.starts, t) - 1
        return i >= 0 and t < table.ends[i]

    def next_opening_us(self, t: int) -> int:
        table = self.table_for(t)
        while True:
            i = bisect.bisect_left(table.starts, t)
            if i < len(table.starts):
                return table.starts[i]
            table = self._grow_past(table)

    def open_span(self, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The open interval `at` falls in, or else the next one: (opens, closes), in UTC.

        How a reader in another zone learns when a line is open (T3): the vendor's weekly hours
        say nothing about the reader's clock across a date line or a DST change; one span does.
        """
        t = to_us(require_aware(at, "at"))
        table = self.table_for(t)
        while True:
            i = bisect.bisect_right(table.ends, t)
            if i < len(table.starts):
                return from_us(table.starts[i]), from_us(table.ends[i])
            table = self._grow_past(table)

    def add(self, at: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        # The hot path of every due time, inlined: the same steps as add_us, without five calls.
        if at.tzinfo is None:
            require_aware(at)
        t = (at - EPOCH) // MICROSECOND
        d = (duration.days * 86_400 + duration.seconds) * US_PER_SECOND + duration.microseconds
        table = self._table
        if d <= 0 or table is None or not table.lo <= t < table.hi:
            return from_us(self.add_us(t, _duration_us(duration)))
        i = bisect.bisect_right(table.starts, t) - 1
        if i < 0:
            target = d
        else:
            end = table.ends[i]
            target = (table.cum_end[i] - (end - t) if t < end else table.cum_end[i]) + d
        cum_end = table.cum_end
        j = bisect.bisect_left(cum_end, target)
        if j == len(cum_end):
            return from_us(self.add_us(t, d))
        return from_us(table.ends[j] - (cum_end[j] - target))

    def add_us(self, t: int, duration: int) -> int:
        if duration == 0:
            return self.clock_start_us(t)
        table = self.table_for(t)
        while True:
            target = table.open_before(t) + duration
            j = bisect.bisect_left(table.cum_end, target)
            if j < len(table.cum_end):
                # j is the first interval whose end reaches the target: an answer exactly at a
                # closing stays at that closing, never the next opening (T5).
                return table.ends[j] - (table.cum_end[j] - target)
            table = self._grow_past(table)

    def elapsed_us(self, start: int, end: int) -> int:
        table = self.table_for(min(start, end), max(start, end))
        return table.open_before(end) - table.open_before(start)

    def business_days_us(self, t: int, days: int) -> int:
        if days < 1:
            raise PolicyError("a next-business-day target needs at least one day", rule="T6")
        table = self.table_for(t)
        while True:
            # The first business day whose opening is strictly after t, then days-1 more (T6).
            k = bisect.bisect_right(table.day_open, t) + days - 1
            if k < len(table.day_close):
                return table.day_close[k]
            table = self._grow_past(table)

    def add_many_us(self, starts: IntArray, duration: int | IntArray) -> IntArray:
        starts = np.asarray(starts, dtype=np.int64)
        durations = np.broadcast_to(np.asarray(duration, dtype=np.int64), starts.shape)
        if starts.size == 0:
            return starts.copy()
        if (durations < 0).any():
            raise PolicyError("a duration of open time cannot be negative", rule="T5")
        table = self.table_for(int(starts.min()), int(starts.max()))
        while True:
            s, e, cum, _, _ = table.arrays()
            i = np.searchsorted(s, starts, side="right") - 1
            has_prior = i >= 0
            ic = np.maximum(i, 0)
            inside = has_prior & (starts < e[ic])
            before = np.where(inside, cum[ic] - (e[ic] - starts), np.where(has_prior, cum[ic], 0))
            target = before + durations
            j = np.searchsorted(cum, target, side="left")
            if (j < len(cum)).all() and (inside | (i + 1 < len(s))).all():
                result = e[j] - (cum[j] - target)
                zero = durations == 0
                if zero.any():
                    # A zero duration asks for the clock start: the next opening when closed.
                    result = np.where(
                        zero, np.where(inside, starts, s[np.minimum(i + 1, len(s) - 1)]), result
                    )
                return result.astype(np.int64)
            table = self._grow_past(table)

    def business_days_many_us(self, starts: IntArray, days: int) -> IntArray:
        if days < 1:
            raise PolicyError("a next-business-day target needs at least one day", rule="T6")
        starts = np.asarray(starts, dtype=np.int64)
        if starts.size == 0:
            return starts.copy()
        table = self.table_for(int(starts.min()), int(starts.max()))
        while True:
            _, _, _, day_open, day_close = table.arrays()
            k = np.searchsorted(day_open, starts, side="right") + (days - 1)
            if (k < len(day_close)).all():
                return day_close[k]
            table = self._grow_past(table)


class WeeklyCalendar(IntervalCalendar):
    """Weekly open hours in one zone, closed on holidays and closures (T2, T3, customer hours)."""

    def __init__(
        self,
        key: str,
        title: str,
        rule: str,
        *,
        zone: dt.tzinfo,
        week: Sequence[OpenHours | None],
        closed: HolidaySource,
    ) -> None:
        super().__init__()
        if len(week) != 7:
            raise ValueError("a week has seven days")
        self.key, self.title, self.rule = key, title, rule
        self.zone = zone
        self.week = tuple(week)
        self.closed = closed

    def _build(self, first_year: int, last_year: int) -> _Table:
        closed = self.closed.closed_days(first_year, last_year)
        intervals: list[tuple[int, int]] = []
        days: list[tuple[int, int]] = []
        skipped: list[tuple[dt.date, tuple[str, str]]] = []
        day = dt.date(first_year, 1, 1)
        last = dt.date(last_year, 12, 31)
        one_day = dt.timedelta(days=1)
        zone = self.zone
        while day <= last:
            hours = self.week[day.weekday()]
            if hours is not None:
                why = closed.get(day)
                if why is not None:
                    skipped.append((day, why))
                else:
                    first_open: int | None = None
                    last_close = 0
                    for opens, closes in hours.intervals:
                        start = to_us(dt.datetime.combine(day, opens, tzinfo=zone))
                        if closes is None:
                            end = to_us(dt.datetime.combine(day + one_day, dt.time(), tzinfo=zone))
                        else:
                            end = to_us(dt.datetime.combine(day, closes, tzinfo=zone))
                        if end <= start:  # an interval swallowed by a DST gap: no open time
                            continue
                        if intervals and start < intervals[-1][1]:
                            start = intervals[-1][1]
                        intervals.append((start, end))
                        if first_open is None:
                            first_open = start
                        last_close = end
                    if first_open is not None:
                        days.append((first_open, last_close))
            day += one_day
        return _Table.build(first_year, last_year, intervals, days, skipped)

    def describe(self) -> str:
        return sentences.cited(self.hours_sentence(), self.rule, stop="")

    def hours_sentence(self) -> str:
        """`Pacific business hours: Mon–Fri 06:00-18:00 America/Los_Angeles, closed on ...`."""
        return sentences.WEEKLY_HOURS(
            title=self.title, hours=self.hours_text(), zone=self.zone, closed=self.closed.describe()
        )

    def hours_text(self) -> str:
        """`Mon–Fri 06:00-18:00`, grouping consecutive days with the same hours."""
        groups: list[tuple[int, int, str]] = []
        for index, hours in enumerate(self.week):
            if hours is None:
                continue
            text = hours.text()
            if groups and groups[-1][1] == index - 1 and groups[-1][2] == text:
                groups[-1] = (groups[-1][0], index, text)
            else:
                groups.append((index, index, text))
        if not groups:
            return "never open"
        return "; ".join(
            (WEEKDAY_TITLES[a] if a == b else f"{WEEKDAY_TITLES[a]}–{WEEKDAY_TITLES[b]}") + f" {t}"
            for a, b, t in groups
        )

    def skipped_between(self, start: dt.datetime, end: dt.datetime) -> list[Skipped]:
        if end < start:
            start, end = end, start
        table = self.table_for(to_us(start), to_us(end))
        first = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        a = bisect.bisect_left(table.closed_dates, first)
        b = bisect.bisect_right(table.closed_dates, last)
        return [Skipped(table.closed_dates[k], *table.closed_why[k]) for k in range(a, b)]


class UnionCalendar(IntervalCalendar):
    """T7: open whenever any of its parts is open."""

    def __init__(self, key: str, title: str, parts: Sequence[IntervalCalendar]) -> None:
        super().__init__()
        if len(parts) < 2:
            raise ValueError("a union needs at least two calendars")
        self.key, self.title, self.rule = key, title, "T7"
        self.parts = tuple(parts)

    def _build(self, first_year: int, last_year: int) -> _Table:
        spans: list[tuple[int, int]] = []
        for part in self.parts:
            table = part._build(first_year, last_year)
            spans.extend(zip(table.starts, table.ends, strict=True))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return _Table.build(first_year, last_year, merged, ())

    def describe(self) -> str:
        return sentences.ANY_OPEN(
            title=self.title, parts="; ".join(part.describe() for part in self.parts)
        )

    def skipped_between(self, start: dt.datetime, end: dt.datetime) -> list[Skipped]:
        # A part's closed day is not skipped by the union (another part may be open): say whose.
        return [
            Skipped(day.date, day.name, day.kind, part.title)
            for part in self.parts
            for day in part.skipped_between(start, end)
        ]

    def rules(self) -> tuple[str, ...]:
        seen: dict[str, None] = {"T7": None}
        for part in self.parts:
            for rule in part.rules():
                seen[rule] = None
        return tuple(seen)
