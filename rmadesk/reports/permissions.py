"""Who may read the reports: managers (and admins, who may do everything)."""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, is_staff, require_role, role_of

REPORT_ROLES = frozenset({Role.MANAGER})


def may_read_reports(actor: Actor) -> bool:
    return role_of(actor) in {Role.MANAGER, Role.ADMIN}


def require_reports(actor: Actor) -> None:
    """Managers and admins; other staff are refused (403, naming the roles that may); to anyone
    else (a customer's contact) the reports do not exist (404), like any staff-only list."""
    if not is_staff(actor):
        raise NotFound("no such report", field="report")
    require_role(actor, REPORT_ROLES, "reading the reports")
