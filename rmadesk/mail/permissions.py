"""Who may read and resolve held mail: decided here, called by `rmadesk.mail.held` (ARCHITECTURE 4).

Held mail is the vendor's inbox, not any customer's record: an email from an unknown sender may
come from anyone, so a customer's contact (and anyone without a staff role) is told it does not
exist, through every door. Agents and managers link it to a customer or discard it, since linking
opens or answers a ticket (the ticket services' own roles); admins may do everything. The clerk
(receiving) and finance answer no customer mail: their role is refused, naming the roles that may.
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, is_staff, require_role, role_of

HELD_MAIL_ROLES = frozenset({Role.AGENT, Role.MANAGER})


def may_handle_held_mail(user: Actor) -> bool:
    """True for the roles that see and resolve held mail (for showing the console's link)."""
    role = role_of(user)
    return role == Role.ADMIN or role in HELD_MAIL_ROLES


def require_held_mail_staff(user: Actor, action: str) -> None:
    """Agents, managers and admins; other staff are refused; anyone else finds nothing (404)."""
    if not is_staff(user):
        raise NotFound("no such held email", field="inbound")
    require_role(user, HELD_MAIL_ROLES, action)
