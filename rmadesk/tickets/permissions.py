"""Who may do what to a ticket: decided here, called by the ticket services (ARCHITECTURE 4).

Staff who work tickets are agents and managers (the clerk receives parcels, finance bills:
neither answers customers); admins may do everything. A customer's contact may open tickets on
its own serials, by portal or mail, and reply on its own tickets; a ticket of another customer
answers like a missing one. When a write happens is decided by `core.permissions.instant_for`.
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.errors import InvalidInput, NotFound, PermissionDenied
from rmadesk.core.permissions import Actor, customer_scope, is_staff, require_role, role_of
from rmadesk.tickets.choices import Channel
from rmadesk.tickets.models import Ticket

TICKET_ROLES = frozenset({Role.AGENT, Role.MANAGER})
ASSIGNABLE_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})
# Channels a customer's contact may open on; phone calls and voicemails are logged by staff.
CUSTOMER_CHANNELS = frozenset({Channel.PORTAL, Channel.EMAIL})


def require_ticket_actor(actor: Actor, action: str, ticket: Ticket | None = None) -> bool:
    """True for staff who work tickets, False for the ticket's customer; else a refusal.

    A customer acting on another customer's ticket gets NotFound, the same as a missing ticket.
    """
    if is_staff(actor):
        require_role(actor, TICKET_ROLES, action)
        return True
    scope = customer_scope(actor)  # PermissionDenied for a user with no role
    if ticket is not None and ticket.customer_id != scope:
        raise NotFound(f"no ticket {ticket.number}", field="number")
    return False


def require_ticket_staff(actor: Actor, action: str, ticket: Ticket) -> None:
    """Staff who work tickets only; the ticket's own customer is told it is the vendor's to do."""
    if not require_ticket_actor(actor, action, ticket):
        raise PermissionDenied(f"{action} is done by the vendor's staff")


def require_channel(actor_is_staff: bool, channel: str) -> None:
    """A known channel; a customer's contact opens by portal or email only (L4: calls are
    logged by staff)."""
    if channel not in Channel.values:
        raise InvalidInput(
            f"unknown channel {channel!r}; the channels are {', '.join(Channel.values)}",
            field="channel",
        )
    if not actor_is_staff and channel not in CUSTOMER_CHANNELS:
        raise InvalidInput(
            f"a customer opens tickets by {' or '.join(sorted(CUSTOMER_CHANNELS))}; "
            f"{channel} tickets are logged by the vendor's staff",
            field="channel",
        )


def may_be_assigned(user: Actor) -> bool:
    return role_of(user) in ASSIGNABLE_ROLES


# Shared canned replies are kept by managers (and admins, who may do everything); each staff
# user who works tickets keeps its own.
SHARED_CANNED_ROLES = frozenset({Role.MANAGER})


def require_canned_reply_keeper(actor: Actor, *, owner_id: int | None, action: str) -> None:
    """Who may create, change or delete a canned reply: a shared one (`owner_id` None) the
    managers and admins, a personal one its owner; another user's personal reply answers like
    a missing one."""
    if not is_staff(actor):
        raise PermissionDenied(f"{action} is done by the vendor's staff")
    require_role(actor, TICKET_ROLES, action)
    if owner_id is None:
        require_role(actor, SHARED_CANNED_ROLES, f"{action} (a shared reply)")
    elif owner_id != getattr(actor, "pk", None):
        raise NotFound("no such canned reply", field="canned_reply")
