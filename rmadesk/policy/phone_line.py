"""T3: the warranty-event phone line, 09:00-17:00 Pacific Mon-Fri (T2's holidays).

The policy file names the line as the calendar whose rule is T3 (`[calendars.phone]` in the
default policy). A warranty-event call (a hardware failure, a part to replace) that reaches the
line while it is closed is a voicemail (L4), and the voicemail is answered when the line opens:
its clock starts at the line's next opening, then counts on the target's own calendar (T5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rmadesk.policy import sentences as S
from rmadesk.policy.calendars import Calendar, WeeklyCalendar
from rmadesk.policy.instants import require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import local_text

LINE_RULE = "T3"


def warranty_line(policy: Policy) -> Calendar | None:
    """The warranty phone line's calendar (the one whose rule is T3), or None if none is named."""
    for key, doc in policy.document.calendars.items():
        if doc.rule == LINE_RULE:
            return policy.calendar(key)
    return None


def warranty_line_hours(policy: Policy) -> str:
    """`Warranty phone line: Mon–Fri 09:00-17:00 America/Los_Angeles, closed on ...` (T3)."""
    line = warranty_line(policy)
    if line is None:
        return ""
    if isinstance(line, WeeklyCalendar):
        return line.hours_sentence()
    return line.description


@dataclass(frozen=True, slots=True)
class LineAnswer:
    """Whether a warranty-event call at an instant reached the line, and when it is heard."""

    is_open: bool
    heard_at: dt.datetime
    explain: str


def warranty_call(policy: Policy, at: dt.datetime) -> LineAnswer | None:
    """A warranty-event call at `at`: answered live, or a voicemail heard at the next opening."""
    require_aware(at, "called_at")
    line = warranty_line(policy)
    if line is None:
        return None
    if line.is_open(at):
        return LineAnswer(True, at, "")
    heard = line.next_opening(at)
    shown = policy.vendor_zone
    return LineAnswer(
        False,
        heard,
        cited(
            S.WARRANTY_CALL_TO_VOICEMAIL(
                at=local_text(at, shown),
                line=line.title,
                hours=warranty_line_hours(policy),
                opens=local_text(heard, shown),
            ),
            "rules T3, L4, T5",
        ),
    )
