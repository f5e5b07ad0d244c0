"""Who may book on-site visits: decided here, called by the on-site services (ARCHITECTURE 4).

Agents and managers book for any customer (admins may do everything); a customer's contact
books on its own customer's tickets, and another customer's ticket answers like a missing one.
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, customer_scope, require_role
from rmadesk.tickets.models import Ticket

BOOKING_ROLES = frozenset({Role.AGENT, Role.MANAGER})


def require_booking(actor: Actor, ticket: Ticket) -> None:
    scope = customer_scope(actor)
    if scope is None:
        require_role(actor, BOOKING_ROLES, "booking an on-site appointment")
    elif scope != ticket.customer_id:
        raise NotFound(f"no ticket {ticket.number}", field="ticket")
