"""Who may change the catalogue and the installed base: decided here (ARCHITECTURE 4).

Agents and managers add product models and register assets (admins may do everything); a
customer's contact sees its own assets only (`selectors.visible_assets`).
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.permissions import Actor, require_role

CATALOGUE_ROLES = frozenset({Role.AGENT, Role.MANAGER})


def require_catalogue(actor: Actor, action: str) -> None:
    require_role(actor, CATALOGUE_ROLES, action)
