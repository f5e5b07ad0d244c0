"""Pause means pause (L5): the part of a next-update target used before a pause stays used.

A next-update clock counts its target (L3's, from the last public agent reply) on the target's
calendar. When the ticket starts waiting on the customer, `split_at_pause` measures, in open
time of that calendar, how much of the target was used and how much remains; on resume,
`remainder_due` runs only the remainder from the resume instant. Several pauses accumulate: the
used part of each run is added to what was used before it.

Hours targets (`2 hours, 24x7`, `4 business hours`) are plain: used + remaining = the target's
hours. Next-business-day and business-days targets (T6) have no length of their own, so they are
read as the open time of the calendar between the clock's start and its due time (a reply on
Monday 10:00 under a Gold S4 NBD target owes an update by Tuesday 18:00: 20 business hours); a
pause keeps the used part of those 20 hours and the remainder runs from the resume, like an hours
target. A pause of zero length therefore changes no due time, whatever the target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rmadesk.policy import sentences as S
from rmadesk.policy.calendars import Calendar, IntervalCalendar
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import (
    DueAnswer,
    find_target,
    local_text,
    target_calendar,
    target_text,
)

ZERO = dt.timedelta(0)


@dataclass(frozen=True, slots=True)
class PauseSplit:
    """How much of a running target was used at a pause, and how much remains (L5)."""

    used: dt.timedelta
    remaining: dt.timedelta
    target: str
    explain: tuple[str, ...]


def length_text(length: dt.timedelta) -> str:
    """`2 hours`, `1 hour 30 minutes`, `45 minutes`, `0 minutes` (seconds only when present)."""
    total = max(int(length.total_seconds()), 0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if minutes or (not hours and not seconds):
        parts.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    if seconds:
        parts.append(f"{seconds} second{'' if seconds == 1 else 's'}")
    return " ".join(parts)


def _calendar(
    policy: Policy, plan: str, severity: str, country: str | None, zone: str | None
) -> tuple[Calendar, str]:
    target = find_target(policy, plan, severity)
    if not target.offered or not target.sla or target.calendar is None:
        raise PolicyError(
            f"{plan} {severity} has no service level: nothing to pause", rule="L5", field="severity"
        )
    calendar = target_calendar(policy, target, country, zone)
    text = target_text(target, around_the_clock=not isinstance(calendar, IntervalCalendar))
    return calendar, text


def split_at_pause(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    started: dt.datetime,
    paused: dt.datetime,
    due: dt.datetime,
    used_before: dt.timedelta = ZERO,
    country: str | None = None,
    zone: str | None = None,
) -> PauseSplit:
    """The target used and remaining when a clock running since `started` pauses at `paused`.

    `due` is the running clock's due time; `used_before` what earlier pauses of the same target
    kept used. Open time is measured on the target's calendar, so a business-hours target uses
    nothing while its calendar is closed. A pause at or after the due time leaves nothing.
    """
    for name, value in (("started", started), ("paused", paused), ("due", due)):
        require_aware(value, name)
    if used_before < ZERO:
        raise PolicyError("the time already used cannot be negative", rule="L5", field="used")
    calendar, text = _calendar(policy, plan, severity, country, zone)
    end = min(max(paused, started), due)
    used = used_before + max(calendar.elapsed(started, end), ZERO)
    remaining = max(calendar.elapsed(end, due), ZERO)
    shown = policy.vendor_zone
    split = S.PAUSED_SPLIT(
        paused=local_text(paused, shown),
        used=length_text(used),
        target=text,
        total=length_text(used + remaining),
        remaining=length_text(remaining),
    )
    explain = (cited(split, "rule L5"),)
    return PauseSplit(used=used, remaining=remaining, target=text, explain=explain)


def remainder_due(
    policy: Policy,
    *,
    plan: str,
    severity: str,
    resume: dt.datetime,
    used: dt.timedelta,
    remaining: dt.timedelta,
    country: str | None = None,
    zone: str | None = None,
    field: str = "at",
) -> DueAnswer:
    """The next update due after a resume: only the `remaining` open time runs, from `resume`.

    `used` is what the pauses kept used (for the explanation). Invariant: the open time from
    the resume (or the next opening, T5) to the due time is exactly `remaining`; with nothing
    remaining the update is due at the resume itself.
    """
    require_aware(resume, field)
    if used < ZERO or remaining < ZERO:
        raise PolicyError("used and remaining time cannot be negative", rule="L5", field=field)
    calendar, text = _calendar(policy, plan, severity, country, zone)
    clock_starts = calendar.clock_start(resume)
    # Nothing left (paused at its due time): owed at once, not at the next opening.
    due = calendar.add(resume, remaining) if remaining > ZERO else resume
    shown = policy.vendor_zone
    head = f"{policy.document.plans[plan].title} {severity}"
    kept = S.PAUSE_MEANS_PAUSE(
        used=length_text(used),
        total=length_text(used + remaining),
        remaining=length_text(remaining),
        resume=local_text(resume, shown),
    )
    explain = [
        S.NEXT_UPDATE_HEAD(head=head, target=text, calendar=calendar.description),
        cited(kept, "rule L5"),
    ]
    if clock_starts != resume and remaining > ZERO:
        resumed = S.RESUMED_OUTSIDE_HOURS(opening=local_text(clock_starts, shown))
        explain.append(cited(resumed, "rule T5"))
    for day in calendar.skipped_between(resume, due):
        explain.append(cited(day.sentence(), "rule T2"))
    explain.append(cited(S.DUE(due=local_text(due, shown)), "rule T8"))
    return DueAnswer(
        plan=plan,
        severity=severity,
        started=resume,
        clock_starts=clock_starts,
        due=due,
        calendar=calendar.title,
        target=text,
        rules=tuple(dict.fromkeys(("L5", "L3", *calendar.rules(), "T5", "T8"))),
        explain=tuple(explain),
    )
