"""Replacement parts: when parts identified at an instant ship and arrive (N1–N3).

`parts_delivery` answers for a region; `parts_promise` picks the region of a customer (US: N1;
an EU country with the contract option "extended spare parts replacement": N2; everyone else,
the EU without the option included: N3, no date) and `promise_misses` says whether a shipment
kept the promise.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from rmadesk.policy import sentences as S
from rmadesk.policy.calendars import WEEKDAYS, HolidaySource, WeeklyCalendar
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware, zone_named
from rmadesk.policy.loader import Policy
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import local_text

REGIONS = ("us", "eu", "intl")


@dataclass(frozen=True, slots=True)
class PartsAnswer:
    region: str
    nbd: bool
    ships_on: dt.date | None
    delivers_on: dt.date | None
    cutoff: dt.datetime | None  # the cut-off instant that decided, for the explanation
    rules: tuple[str, ...]
    explain: tuple[str, ...]
    # The zone whose calendar dates `ships_on` and `delivers_on` are ("" without a promise).
    zone_name: str = ""


class BusinessDays:
    """Working dates: weekdays of a week, less a holiday source's closed days (per year, cached)."""

    def __init__(self, weekdays: frozenset[int], closed: HolidaySource) -> None:
        self.weekdays = weekdays
        self.closed = closed
        self._years: dict[int, dict[dt.date, tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def closed_on(self, day: dt.date) -> tuple[str, str] | None:
        year = self._years.get(day.year)
        if year is None:
            year = self.closed.closed_days(day.year, day.year)
            with self._lock:
                self._years[day.year] = year
        return year.get(day)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and self.closed_on(day) is None

    def next_after(self, day: dt.date) -> dt.date:
        """The first business day strictly after `day` (at most a few weeks of steps)."""
        day += dt.timedelta(days=1)
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def skipped(self, first: dt.date, last: dt.date) -> list[str]:
        """Names of the working weekdays in [first, last] closed by a holiday or closure."""
        out = []
        day = first
        while day <= last:
            why = self.closed_on(day)
            if why is not None and day.weekday() in self.weekdays:
                said = S.SKIPPED_HOLIDAY if why[1] == "holiday" else S.SKIPPED_CLOSURE
                out.append(said(day=f"{day:%a %d %b %Y}", name=why[0]))
            day += dt.timedelta(days=1)
        return out


_DAY_CACHE: dict[tuple[str, str, str], BusinessDays] = {}


def _us_days(policy: Policy) -> tuple[BusinessDays, dt.tzinfo]:
    calendar = policy.calendar(policy.document.parts.us.calendar)
    assert isinstance(calendar, WeeklyCalendar)
    key = (policy.version, "us", "")
    found = _DAY_CACHE.get(key)
    if found is None:
        weekdays = frozenset(i for i, hours in enumerate(calendar.week) if hours is not None)
        found = _DAY_CACHE.setdefault(key, BusinessDays(weekdays, calendar.closed))
    return found, calendar.zone


def _eu_days(policy: Policy, country: str) -> BusinessDays:
    key = (policy.version, "eu", country)
    found = _DAY_CACHE.get(key)
    if found is None:
        spec = policy.document.parts.eu
        weekdays = frozenset(WEEKDAYS.index(day) for day in spec.days)
        found = _DAY_CACHE.setdefault(key, BusinessDays(weekdays, HolidaySource(country=country)))
    return found


def parts_delivery(
    policy: Policy, *, identified: dt.datetime, region: str, country: str | None = None
) -> PartsAnswer:
    """Ship and delivery dates for parts identified at an instant, by region (N1, N2, N3)."""
    require_aware(identified, "identified")
    parts = policy.document.parts
    if region == "intl":
        return PartsAnswer(
            region,
            False,
            None,
            None,
            None,
            (parts.intl.rule,),
            (f"{parts.intl.explanation.capitalize()} (rule {parts.intl.rule}).",),
        )
    if region == "us":
        days, zone = _us_days(policy)
        cutoff_time, rule = parts.us.cutoff, parts.us.rule
        where = S.PACIFIC_TIME
    elif region == "eu":
        code = (country or "").strip().upper()
        if not code:
            raise PolicyError(
                "EU next-business-day parts need the customer's country", rule="N2", field="country"
            )
        if code not in parts.eu.countries:
            raise PolicyError(
                f"{code} is not an EU country; use region intl (N3) for other countries",
                rule="N2",
                field="country",
            )
        days = _eu_days(policy, code)
        zone = zone_named(parts.eu.cutoff_zone, field="cutoff_zone", rule="N2")
        cutoff_time, rule = parts.eu.cutoff, parts.eu.rule
        where = parts.eu.cutoff_zone
    else:
        raise PolicyError(
            f"unknown region {region!r}; the regions are us, eu, intl", rule="N1", field="region"
        )
    local = identified.astimezone(zone)
    today = local.date()
    cutoff = dt.datetime.combine(today, cutoff_time, tzinfo=zone)
    explain = []
    if days.is_business_day(today) and local < cutoff:
        ships_on = today
        same_day = S.SHIPS_SAME_DAY(
            at=local_text(identified, zone), cutoff=f"{cutoff_time:%H:%M}", where=where
        )
        explain.append(cited(same_day, f"rule {rule}"))
    else:
        ships_on = days.next_after(today)
        next_day = (
            S.SHIPS_NEXT_DAY_AFTER_CUTOFF
            if days.is_business_day(today)
            else S.SHIPS_NEXT_DAY_NON_BUSINESS
        )
        said = next_day(
            at=local_text(identified, zone),
            cutoff=f"{cutoff_time:%H:%M}",
            where=where,
            ships=f"{ships_on:%a %d %b %Y}",
        )
        explain.append(cited(said, f"rule {rule}"))
    delivers_on = days.next_after(ships_on)
    explain.extend(cited(s, f"rule {rule}") for s in days.skipped(today, delivers_on))
    delivered = S.DELIVERED_NEXT_DAY(day=f"{delivers_on:%a %d %b %Y}")
    explain.append(cited(delivered, f"rule {rule}"))
    return PartsAnswer(
        region, True, ships_on, delivers_on, cutoff, (rule,), tuple(explain), str(zone)
    )


def parts_region(policy: Policy, *, country: str, extended_spare_parts: bool) -> str:
    """The region whose promise a customer gets: us (N1), eu (N2) or intl (N3).

    The EU promise is a contract option ("extended spare parts replacement"): an EU customer
    without it gets no next-business-day promise, like every other international customer.
    """
    code = country.strip().upper()
    if code == "US":
        return "us"
    if extended_spare_parts and code in policy.document.parts.eu.countries:
        return "eu"
    return "intl"


def parts_promise(
    policy: Policy, *, identified: dt.datetime, country: str, extended_spare_parts: bool
) -> PartsAnswer:
    """The ship and delivery dates promised to this customer for a part identified then."""
    code = country.strip().upper()
    region = parts_region(policy, country=code, extended_spare_parts=extended_spare_parts)
    answer = parts_delivery(policy, identified=identified, region=region, country=code)
    parts = policy.document.parts
    if region == "intl" and code in parts.eu.countries:
        why = (
            f"No next-business-day promise: the contract does not include the extended spare "
            f"parts replacement option (rule {parts.eu.rule}), so shipping and, where it "
            f"applies, customs decide the delivery date (rule {parts.intl.rule})."
        )
        return PartsAnswer(
            region, False, None, None, None, (parts.eu.rule, parts.intl.rule), (why,)
        )
    return answer


def promise_misses(
    *,
    rule: str,
    zone: dt.tzinfo,
    ships_on: dt.date | None,
    delivers_on: dt.date | None,
    shipped_at: dt.datetime | None,
    delivered_at: dt.datetime | None,
    delivery_zone: dt.tzinfo,
) -> tuple[str, ...]:
    """How a shipment missed its promise: shipped after the promised ship date (a date in the
    promise's zone), or delivered after the promised delivery date (a date at the delivery
    address, in `delivery_zone`). Empty when it kept it, or when nothing was promised (N3)."""
    misses = []
    if ships_on is not None and shipped_at is not None:
        shipped_on = require_aware(shipped_at, "shipped_at").astimezone(zone).date()
        if shipped_on > ships_on:
            misses.append(
                f"shipped {shipped_on:%a %d %b %Y}, after the promised {ships_on:%a %d %b %Y} "
                f"(rule {rule})"
            )
    if delivers_on is not None and delivered_at is not None:
        delivered_on = require_aware(delivered_at, "delivered_at").astimezone(delivery_zone).date()
        if delivered_on > delivers_on:
            misses.append(
                f"delivered {delivered_on:%a %d %b %Y}, after the promised "
                f"{delivers_on:%a %d %b %Y} (rule {rule})"
            )
    return tuple(misses)
