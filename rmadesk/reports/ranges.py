"""A report's date range and period: parsed once, turned into instants in the vendor's zone.

Dates are the vendor's calendar days (T1: instants are UTC in the database, the days are the
vendor's). A week starts on Monday, a month on the 1st; a period's rows carry the date it
starts on. Bounds are computed here with `zoneinfo`, so a day's boundary across a DST change is
the local midnight, and SQL only compares instants or dates (the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput
from rmadesk.core.policies import active_policy

WEEK = "week"
MONTH = "month"
PERIODS = (WEEK, MONTH)
MAX_DAYS = 366  # a year and a day: the longest range one request reads
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years a report may ask about


def vendor_zone() -> dt.tzinfo:
    return active_policy().vendor_zone


def vendor_today() -> dt.date:
    return clock.now().astimezone(vendor_zone()).date()


def midnight(day: dt.date) -> dt.datetime:
    """The instant a vendor's day starts (local midnight, DST-exact)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=vendor_zone()).astimezone(dt.UTC)


def period_start(day: dt.date, period: str) -> dt.date:
    if period == MONTH:
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def next_period(day: dt.date, period: str) -> dt.date:
    if period == MONTH:
        return day + relativedelta(months=1)
    return day + dt.timedelta(days=7)


def parse_date(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            _("%(field)s must be a date like 2026-11-30, not %(value)r")
            % {"field": field, "value": text[:40]},
            field=field,
        ) from None


@dataclass(frozen=True)
class DateRange:
    """From and to (both included, vendor's days) and the period rows are grouped by."""

    first: dt.date
    last: dt.date
    period: str = WEEK

    @classmethod
    def parse(
        cls, first: str | None, last: str | None, period: str | None, *, default_days: int = 28
    ) -> DateRange:
        """From query strings; missing dates default to the last `default_days` days."""
        today = vendor_today()
        end = parse_date(last, "to") or today
        start = parse_date(first, "from") or end - dt.timedelta(days=default_days - 1)
        return cls.of(start, end, (period or WEEK).strip())

    @classmethod
    def of(cls, first: dt.date, last: dt.date, period: str = WEEK) -> DateRange:
        for name, day in (("from", first), ("to", last)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise InvalidInput(
                    _("%(field)s must be a date from %(first)s to %(last)s")
                    % {"field": name, "first": FIRST_YEAR, "last": LAST_YEAR},
                    field=name,
                )
        if period not in PERIODS:
            raise InvalidInput(
                _("period must be week or month, not %(value)r") % {"value": period[:20]},
                field="period",
            )
        if last < first:
            raise InvalidInput(_("to must not be before from"), field="to")
        if (last - first).days + 1 > MAX_DAYS:
            raise InvalidInput(
                _("the range may span at most %(days)s days") % {"days": MAX_DAYS}, field="to"
            )
        return cls(first, last, period)

    @property
    def start(self) -> dt.datetime:
        return midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The instant after the range: midnight after its last day."""
        return midnight(self.last + dt.timedelta(days=1))

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "period": self.period}
