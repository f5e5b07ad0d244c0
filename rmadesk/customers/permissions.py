"""Who may add customers and contracts: decided here (ARCHITECTURE 4).

Agents, managers and finance keep the customer records (admins may do everything); a
customer's contact sees its own customer only (`selectors.visible_customers`).
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.permissions import Actor, require_role

ACCOUNT_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.FINANCE})


def require_accounts(actor: Actor, action: str) -> None:
    require_role(actor, ACCOUNT_ROLES, action)
