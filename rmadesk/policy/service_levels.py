"""Response service levels: when a first response (and each next update) is due (L3–L5, T5–T8).

`response_due` is the one function that turns a plan, a severity and the instant a clock starts
into a due time with its explanation. The first response counts from the ticket's opening; the
next-update clock (L5) calls the same function from the last public agent reply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from rmadesk.policy import sentences as S
from rmadesk.policy.calendars import Calendar, IntArray, IntervalCalendar
from rmadesk.policy.document import PlanDoc, TargetDoc
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import US_PER_HOUR, require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.sentences import cited, ordinal


@dataclass(frozen=True, slots=True)
class DueAnswer:
    """A computed due time and why (T8). `due` is None where no service level applies."""

    plan: str
    severity: str
    started: dt.datetime
    clock_starts: dt.datetime | None
    due: dt.datetime | None
    calendar: str | None
    target: str
    rules: tuple[str, ...]
    explain: tuple[str, ...]


def local_text(at: dt.datetime, zone: dt.tzinfo) -> str:
    """`Fri 27 Nov 2026 08:00 PST`: how an instant reads to a person in `zone`."""
    local = at.astimezone(zone)
    seconds = f":{local:%S}" if local.second or local.microsecond else ""
    return f"{local:%a %d %b %Y %H:%M}{seconds} {local.tzname()}"


def target_text(target: TargetDoc, around_the_clock: bool = False) -> str:
    """`4 business hours`, `2 hours, 24x7`, `next business day`, `2 business days`."""
    if target.hours is not None:
        plural = "" if target.hours == 1 else "s"
        if around_the_clock:
            return f"{_hours_text(target.hours)} hour{plural}, 24x7"
        return f"{_hours_text(target.hours)} business hour{plural}"
    if target.business_days is not None:
        if target.business_days == 1:
            return "next business day"
        return f"{target.business_days} business days"
    if not target.offered:
        return "not offered"
    return "no service level"


def _hours_text(hours: Decimal) -> str:
    return format(hours.normalize(), "f")


def find_plan(policy: Policy, plan: str) -> PlanDoc:
    found = policy.document.plans.get(plan)
    if found is None:
        known = ", ".join(policy.document.plans)
        raise PolicyError(f"unknown plan {plan!r}; the plans are {known}", rule="L1", field="plan")
    return found


def find_target(policy: Policy, plan: str, severity: str) -> TargetDoc:
    found = find_plan(policy, plan).response.get(severity)
    if found is None:
        known = ", ".join(policy.document.severities)
        raise PolicyError(
            f"unknown severity {severity!r}; the severities are {known}",
            rule="L2",
            field="severity",
        )
    return found


def is_international(policy: Policy, country: str | None) -> bool:
    if not country:
        return False
    return country.strip().upper() != policy.document.customer_hours.home_country


def target_calendar(
    policy: Policy, target: TargetDoc, country: str | None = None, zone: str | None = None
) -> Calendar:
    """The calendar a target counts on: its own, or for L3's Silver S1 abroad, the union (T7)."""
    assert target.calendar is not None
    if target.international_union and is_international(policy, country):
        if not zone:
            raise PolicyError(
                "a customer outside the US needs its IANA time zone for the S1 calendar",
                rule="L3",
                field="zone",
            )
        assert country is not None
        return policy.union_calendar(target.calendar, zone, country.strip().upper())
    return policy.calendar(target.calendar)


def response_due(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    start: dt.datetime,
    country: str | None = None,
    zone: str | None = None,
    field: str = "opened",
    shown_zone: dt.tzinfo | None = None,
) -> DueAnswer:
    """The response due time for a plan and severity, from the instant the clock starts.

    The explanation's times read in `shown_zone`: the vendor's by default (the console's), the
    customer's own where a customer reads it (the portal's promise, rule T1).
    """
    require_aware(start, field)
    target = find_target(policy, plan, severity)
    plan_doc = policy.document.plans[plan]
    head = f"{plan_doc.title} {severity}"
    if not target.offered:
        raise PolicyError(f"{head} cannot be opened: {target.reason}", rule="L3", field="severity")
    if not target.sla:
        return DueAnswer(
            plan=plan,
            severity=severity,
            started=start,
            clock_starts=None,
            due=None,
            calendar=None,
            target="no service level",
            rules=("L3",),
            explain=(cited(S.NO_SERVICE_LEVEL(head=head, note=target.note), "rule L3"),),
        )
    calendar = target_calendar(policy, target, country, zone)
    clock_starts = calendar.clock_start(start)
    if target.hours is not None:
        due = calendar.add(start, dt.timedelta(seconds=int(target.hours * 3600)))
    else:
        assert target.business_days is not None
        due = calendar.business_days(start, target.business_days)
    text, opening, rules = _fixed_parts(
        policy, plan=plan, severity=severity, target=target, calendar=calendar, country=country
    )
    shown = shown_zone or policy.vendor_zone
    explain = list(opening)
    if target.hours is not None and clock_starts != start:
        started = S.STARTED_OUTSIDE_HOURS(
            start=local_text(start, shown), opening=local_text(clock_starts, shown)
        )
        explain.append(cited(started, "rules T5, L4"))
    if target.business_days is not None:
        counted = S.COUNTED_IN_DAYS(
            target=text, ordinal=ordinal(target.business_days), start=local_text(start, shown)
        )
        explain.append(cited(counted, "rule T6"))
    for day in calendar.skipped_between(start, due):
        explain.append(cited(day.sentence(), "rule T2"))
    explain.append(cited(S.DUE(due=local_text(due, shown)), "rule T8"))
    return DueAnswer(
        plan=plan,
        severity=severity,
        started=start,
        clock_starts=clock_starts,
        due=due,
        calendar=calendar.title,
        target=text,
        rules=rules,
        explain=tuple(explain),
    )


_FIXED: dict[tuple[str, ...], tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


def _fixed_parts(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    target: TargetDoc,
    calendar: Calendar,
    country: str | None,
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The target text, opening sentences and rule IDs, which depend only on what is counted.

    Made once per (policy version, plan, severity, calendar): a batch of 100,000 due times
    would otherwise spend a third of its time writing the same sentences.
    """
    key = (policy.version, plan, severity, calendar.key)
    found = _FIXED.get(key)
    if found is not None:
        return found
    head = f"{policy.document.plans[plan].title} {severity}"
    text = target_text(target, around_the_clock=not isinstance(calendar, IntervalCalendar))
    opening = [S.FIRST_RESPONSE(head=head, target=text, calendar=calendar.description)]
    if calendar.key != target.calendar:
        base = policy.calendar(str(target.calendar)).title
        outside = S.OUTSIDE_HOME_COUNTRY(
            home=policy.document.customer_hours.home_country,
            country=country,
            severity=severity,
            calendar=base,
        )
        opening.append(cited(outside, "rules L3, T7"))
    how = "T5" if target.hours is not None else "T6"
    rules = tuple(dict.fromkeys(("L3", *calendar.rules(), how, "T8")))
    found = (text, tuple(opening), rules)
    if len(_FIXED) > 4096:
        _FIXED.clear()
    _FIXED[key] = found
    return found


def response_due_many(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    starts_us: IntArray,
    country: str | None = None,
    zone: str | None = None,
) -> IntArray | None:
    """Due instants (epoch µs) for many clock starts at once; None where no service level applies.

    This is how a whole installed base is re-targeted after a policy change: one vectorised pass
    per (plan, severity), the same table lookups as `response_due`.
    """
    target = find_target(policy, plan, severity)
    if not target.offered:
        raise PolicyError(f"{plan} {severity}: {target.reason}", rule="L3", field="severity")
    if not target.sla:
        return None
    calendar = target_calendar(policy, target, country, zone)
    starts = np.asarray(starts_us, dtype=np.int64)
    if target.hours is not None:
        return calendar.add_many_us(starts, int(target.hours * US_PER_HOUR))
    assert target.business_days is not None
    return calendar.business_days_many_us(starts, target.business_days)


@dataclass(frozen=True, slots=True)
class ResponseTime:
    """How long a response took in open time of its target's calendar, and where it fell due.

    `business` is the open time between the clock's start and the answer (plus any part of the
    target kept used across pauses, L5); `is_due_in_hours` says whether the due instant fell
    inside business hours: the target's own calendar, or for a 24x7 target (T4) the calendar of
    business hours `fallback` (T2), where "out of hours" still means something to a manager.
    """

    business: dt.timedelta | None
    target: dt.timedelta  # open time from the start to the due instant (pauses included)
    is_due_in_hours: bool


def response_time(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    started: dt.datetime,
    due: dt.datetime,
    answered: dt.datetime | None,
    used: dt.timedelta = dt.timedelta(0),
    country: str | None = None,
    zone: str | None = None,
    fallback: str = "pacific",
) -> ResponseTime:
    """The business-hours response time of a clock run, counted on its own calendar (L3, T5).

    A due instant exactly at a closing counts as in hours (the target ended with the day, T5):
    what is checked is the open time just before it.
    """
    for name, value in (("started", started), ("due", due)):
        require_aware(value, name)
    target = find_target(policy, plan, severity)
    if not target.sla or target.calendar is None:
        raise PolicyError(f"{plan} {severity}: no service level", rule="L3", field="severity")
    calendar = target_calendar(policy, target, country, zone)
    target_time = used + max(calendar.elapsed(started, due), dt.timedelta(0))
    business = None
    if answered is not None:
        require_aware(answered, "answered")
        business = used + max(calendar.elapsed(started, answered), dt.timedelta(0))
    hours_calendar = calendar
    if not isinstance(calendar, IntervalCalendar) and fallback in policy.calendars:
        hours_calendar = policy.calendar(fallback)
    just_before = due - dt.timedelta(microseconds=1)
    return ResponseTime(
        business=business, target=target_time, is_due_in_hours=hours_calendar.is_open(just_before)
    )
