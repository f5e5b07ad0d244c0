"""How a user sees times: in its own zone (rule T1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rmadesk.core.permissions import account_of, is_staff
from rmadesk.core.policies import active_policy
from rmadesk.policy.instants import zone_named


def viewer_zone(user: Any) -> dt.tzinfo:
    """A customer's contact reads times in its customer's zone; staff in the vendor's zone."""
    if not is_staff(user):
        account = account_of(user)
        if account is not None and account.customer is not None:
            return zone_named(account.customer.zone)
    return active_policy().vendor_zone
