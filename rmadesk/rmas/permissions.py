"""Who may do what to an RMA: decided here, called by the RMA services (ARCHITECTURE 4).

Agents and managers run RMAs; clerks receive packages and decide flagged ones; the customer's
own contacts (and staff for them) record the R6 confirmations; admins may do everything. An RMA
of another customer answers like a missing one. When a write happens is decided by
`core.permissions.instant_for`.
"""

from __future__ import annotations

from rmadesk.core.choices import Role
from rmadesk.core.errors import NotFound, PermissionDenied
from rmadesk.core.permissions import Actor, customer_scope, require_role, role_of
from rmadesk.rmas.models import Rma

RMA_ROLES = frozenset({Role.AGENT, Role.MANAGER})
RECEIVING_ROLES = frozenset({Role.CLERK})


def require_rma_staff(actor: Actor, action: str) -> None:
    require_role(actor, RMA_ROLES, action)


def require_receiving(actor: Actor, action: str) -> None:
    require_role(actor, RECEIVING_ROLES, action)


def require_staff_or_own_customer(actor: Actor, rma: Rma, action: str) -> None:
    """Agents and managers (and admins), or a contact of the RMA's own customer."""
    if role_of(actor) == Role.CUSTOMER:
        if customer_scope(actor) != rma.ticket.customer_id:
            raise NotFound(f"no RMA {rma.number}", field="number")
        return
    if role_of(actor) in RMA_ROLES | {Role.ADMIN}:
        return
    raise PermissionDenied(f"{action} needs the customer, or the role agent or manager")
