"""Who may read the reports: managers (and admins, who may do everything)."""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.permissions import Actor, require_role, role_of

REPORT_ROLES = frozenset({Role.MANAGER})


def may_read_reports(actor: Actor) -> bool:
    return role_of(actor) in {Role.MANAGER, Role.ADMIN}


def require_reports(actor: Actor) -> None:
    """Refuse (PermissionDenied, 403) anyone but a manager or an admin."""
    require_role(actor, REPORT_ROLES, "reading the reports")
