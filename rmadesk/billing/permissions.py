"""Who may do what to an invoice: decided here, called by the billing services (ARCHITECTURE 4).

Finance issues invoices, records payments and credits them; admins may do everything. The
day-14 invoice (R4), its credit note and late fees (F2) are the system's own. A customer's
contact only reads its own invoices (`selectors.visible_invoices`).
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.permissions import Actor, require_role

FINANCE_ROLES = frozenset({Role.FINANCE})


def require_finance(actor: Actor, action: str) -> None:
    require_role(actor, FINANCE_ROLES, action)
