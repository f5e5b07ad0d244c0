"""Until when the customer who marked a ticket solved may reopen it (rmadesk's reading of L5).

`[tickets] reopen_within_days` of the policy file, in calendar days on the vendor's wall clock,
counted like R1's 30 days; after that the customer opens a new ticket naming the old one.
"""

from __future__ import annotations

import datetime as dt

from rmadesk.policy.loader import Policy
from rmadesk.policy.rma import add_calendar_days


def reopen_deadline(policy: Policy, closed_at: dt.datetime) -> dt.datetime:
    """The last instant a ticket the customer marked solved at `closed_at` may be reopened."""
    days = policy.document.tickets.reopen_within_days
    return add_calendar_days(closed_at, days, policy.vendor_zone)
