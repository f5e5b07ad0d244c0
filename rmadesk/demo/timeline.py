"""When to start a demo clock so that it falls due at a chosen time around the demo's now.

The demo wants a queue that looks like a working day whenever it is loaded: one ticket due in
20 minutes, one in 3 hours, one tomorrow, a few breached. The due times themselves come from the
policy core, as for any ticket; this module only searches for the instant to open (or reply
to) a ticket so that the policy's answer lands where the story wants it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rmadesk.policy.instants import require_aware

DueOf = Callable[[dt.datetime], "dt.datetime | None"]
STEP = dt.timedelta(minutes=1)


def start_for_due(
    due_of: DueOf, target: dt.datetime, *, now: dt.datetime, earliest: dt.datetime
) -> dt.datetime:
    """A start in [earliest, now] whose due time is as near `target` as the calendar allows.

    `due_of` gives the due time of a clock started at an instant; it never decreases as the
    start moves later (a clock started later is never due sooner). The answer is the latest
    start due at or before `target`, to the minute, so a 24x7 clock lands on it exactly. Two
    things are kept whatever the calendar: the start is never after `now` (nothing is opened in
    the future) and the due time falls on the same side of `now` as `target` whenever some
    start allows it. A target in a closed stretch (a Saturday, for business hours) would
    otherwise give a clock due on Friday evening, breached; the next start after it is due at
    the next opening instead, still ahead, as a real Saturday queue is.
    """
    for name, instant in (("target", target), ("now", now), ("earliest", earliest)):
        require_aware(instant, name)
    if earliest > now:
        raise ValueError("earliest is after now")

    def due(start: dt.datetime) -> dt.datetime:
        found = due_of(start)
        if found is None:
            raise ValueError("a clock without a due time cannot be placed")
        return found

    if due(now) <= target:
        return now  # even a clock started now is due by the target: start it now
    if due(earliest) > target:
        return earliest  # even the earliest start is due after the target
    # Starts are whole minutes after `earliest`, and `now` itself last: bisect on the minute.
    last = -(-(now - earliest) // STEP)  # minutes, rounded up

    def start(minute: int) -> dt.datetime:
        return now if minute >= last else earliest + minute * STEP

    low, high = 0, last  # due(start(low)) <= target < due(start(high))
    while high - low > 1:
        middle = (low + high) // 2
        if due(start(middle)) <= target:
            low = middle
        else:
            high = middle
    early, late = start(low), start(high)
    if (due(early) > now) != (target > now):
        return late  # the target lies in a closed stretch: keep the story's side of now
    return early
