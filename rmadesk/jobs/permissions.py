"""Who may operate the background work: decided here (ARCHITECTURE 4).

Managers and admins, the people who run the desk, put failed work back on the queue or discard
it; every staff role may look at the Background work page.
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.permissions import Actor, require_role, role_of

OPERATORS = frozenset({Role.MANAGER, Role.ADMIN})


def may_operate(actor: Actor) -> bool:
    return role_of(actor) in OPERATORS


def require_operator(actor: Actor, action: str) -> None:
    require_role(actor, OPERATORS, action)
