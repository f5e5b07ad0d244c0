"""Who may do what with satisfaction ratings: decided here, called by the app's services and
selectors (ARCHITECTURE rule 4).

A ticket is rated by its customer: on the portal by their signed-in contact, or through the
mail's one-time link (the token is the authority there, `rmadesk.satisfaction.tokens`). Staff
never rate. The results (per plan, agent and period, with the comments) are for the people who
run the desk, managers and admins, like the other reports; other staff are refused (403) and a
customer's contact is told they do not exist (404). Any staff member sees a ticket's own rating
beside the ticket.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from rmadesk.core.choices import Role
from rmadesk.core.errors import NotFound, PermissionDenied
from rmadesk.core.permissions import Actor, is_staff, require_role, role_of
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.permissions import require_ticket_actor

RESULTS_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def may_read_results(actor: Actor) -> bool:
    return role_of(actor) in RESULTS_ROLES


def require_results_reader(actor: Actor) -> None:
    """Managers and admins; other staff are refused; anyone else finds nothing (404)."""
    if not is_staff(actor):
        raise NotFound("no such report", field=None)
    require_role(actor, RESULTS_ROLES, "reading the satisfaction results")


def require_portal_rater(actor: Actor, ticket: Ticket) -> None:
    """The ticket's own customer (another customer's ticket is NotFound); staff are refused."""
    if is_staff(actor):
        raise PermissionDenied(_("a ticket is rated by its customer"), field="rating")
    require_ticket_actor(actor, "rating a ticket", ticket)
