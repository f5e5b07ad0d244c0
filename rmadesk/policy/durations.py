"""Lengths of time written in the policy file: "1h", "30m", "1h30m" (elapsed time, not business).

Used by `[notifications] breach_warning`: how long before a clock's due instant staff are
warned. The length is elapsed time on the instant line (UTC), never business hours and never
wall-clock arithmetic, so a warning an hour before a due instant is exactly 3,600 seconds before
it, across a change of daylight saving time too.
"""

from __future__ import annotations

import datetime as dt
import re

from rmadesk.policy.errors import PolicyError

DURATION = re.compile(r"^(?:(?P<hours>[0-9]{1,4})h)?(?:(?P<minutes>[0-9]{1,5})m)?$")
LONGEST = dt.timedelta(days=7)
FORM = 'a length of time like "1h", "30m" or "1h30m" (hours and minutes)'


def parse_duration(text: str, field: str) -> dt.timedelta:
    """`text` as a positive length of at most 7 days; PolicyError naming `field` otherwise."""
    found = DURATION.match(text.strip().replace(" ", "").lower())
    if found is None or not (found["hours"] or found["minutes"]):
        raise PolicyError(f"{text!r} is not {FORM}", rule="", field=field)
    length = dt.timedelta(hours=int(found["hours"] or 0), minutes=int(found["minutes"] or 0))
    if length <= dt.timedelta(0) or length > LONGEST:
        raise PolicyError(
            f"{text!r} must be more than 0 and at most 7 days (168h)", rule="", field=field
        )
    return length


def duration_text(length: dt.timedelta) -> str:
    """The policy-file form of a length in whole minutes: 90 minutes is "1h30m"."""
    minutes = int(length.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")
