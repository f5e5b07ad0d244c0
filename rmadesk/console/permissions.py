"""Who may do what to the console's own records (saved queue views), called by its services.

Any staff user saves views for themselves, and only the owner renames or deletes one. Sharing a
view with everyone is a manager's (or an admin's) decision, so the team's views stay few.
"""

from __future__ import annotations

from rmadesk.console.models import SavedView
from rmadesk.core.choices import Role
from rmadesk.core.errors import NotFound, PermissionDenied
from rmadesk.core.permissions import ANY_STAFF, Actor, require_role, role_of

SHARING_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def require_staff(actor: Actor, action: str) -> None:
    require_role(actor, ANY_STAFF, action)


def may_share_views(actor: Actor) -> bool:
    return role_of(actor) in SHARING_ROLES


def require_may_share(actor: Actor) -> None:
    if not may_share_views(actor):
        raise PermissionDenied(
            "only a manager shares a view with everyone; save it for yourself", field="shared"
        )


def require_owner(actor: Actor, view: SavedView, action: str) -> None:
    """The owner only; a view the actor cannot see answers like a missing one."""
    owner_id = getattr(actor, "pk", None)
    if view.owner_id == owner_id:
        return
    if view.is_shared:
        raise PermissionDenied(f"{action} is for the view's owner; save a copy of your own")
    raise NotFound(f"no saved view {view.pk}", field="view")
