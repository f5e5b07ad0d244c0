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

from rmadesk.policy.calendars import Calendar, IntArray, IntervalCalendar
from rmadesk.policy.document import PlanDoc, TargetDoc
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import US_PER_HOUR, require_aware
from rmadesk.policy.loader import Policy


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
) -> DueAnswer:
    """The response due time for a plan and severity, from the instant the clock starts."""
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
            explain=(f"{head}: no service level, {target.note} (rule L3).",),
        )
    calendar = target_calendar(policy, target, country, zone)
    clock_starts = calendar.clock_start(start)
    if target.hours is not None:
        due = calendar.add(start, dt.timedelta(seconds=int(target.hours * 3600)))
        how = "T5"
    else:
        assert target.business_days is not None
        due = calendar.business_days(start, target.business_days)
        how = "T6"
    shown = policy.vendor_zone
    text = target_text(target, around_the_clock=not isinstance(calendar, IntervalCalendar))
    explain = [f"{head}: first response within {text} (rule L3), on {calendar.description}."]
    if calendar.key != target.calendar:
        explain.append(
            f"The customer is outside the US ({country}): {severity} counts whenever Pacific "
            f"business hours or the customer's own business hours are open (rules L3, T7)."
        )
    if clock_starts != start and target.hours is not None:
        explain.append(
            f"Started {local_text(start, shown)}, outside open hours: the clock starts at the next "
            f"opening, {local_text(clock_starts, shown)} (rules T5, L4)."
        )
    if target.business_days is not None:
        explain.append(
            f"Counted as {text}: the closing time of the "
            + ("first business day" if target.business_days == 1 else f"{text} after the first")
            + f" opening strictly after {local_text(start, shown)} (rule T6)."
        )
    for day in calendar.skipped_between(start, due):
        explain.append(f"{day.sentence()} (rule T2).")
    explain.append(f"Due {local_text(due, shown)} (rule T8).")
    rules = ("L3", *calendar.rules(), how, "T8")
    return DueAnswer(
        plan=plan,
        severity=severity,
        started=start,
        clock_starts=clock_starts,
        due=due,
        calendar=calendar.title,
        target=text,
        rules=tuple(dict.fromkeys(rules)),
        explain=tuple(explain),
    )


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
