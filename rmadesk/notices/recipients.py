"""Who on the vendor's staff hears of a ticket: its assignee, else the team serving its plan.

- the ticket's assignee, when it has an active staff assignee;
- else the members of every team serving the ticket's plan (`rmadesk.core.teams`);
- else, when no team serves the plan, the active managers: the support leads, who assign the
  ticket or give the plan a team (as breach alerts go to them), rather than nobody or every
  agent.

The person who did the thing is never told of it (`except_user`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from rmadesk.core.choices import Role
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import is_staff
from rmadesk.core.teams import members_serving
from rmadesk.tickets.models import Ticket


def actor_id_of(audit_id: int | None) -> int | None:
    """The user who made the change an event reports (None: the system, or unknown)."""
    if audit_id is None:
        return None
    found: int | None = (
        AuditEvent.objects.filter(pk=audit_id).values_list("actor_id", flat=True).first()
    )
    return found


def ticket_staff(number: int) -> list[Any]:
    """The staff users who hear of ticket `number`: its assignee, else its plan's team, else
    the managers."""
    ticket = (
        Ticket.objects.select_related("assignee", "assignee__account").filter(number=number).first()
    )
    if ticket is None:
        return []
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and is_staff(assignee):
        return [assignee]
    team = members_serving(ticket.plan)
    if team:
        return team
    return list(
        get_user_model()
        .objects.filter(account__role=Role.MANAGER, is_active=True)
        .select_related("account")
        .order_by("email", "pk")
    )


def without(users: list[Any], user_id: int | None) -> list[Any]:
    """`users` less the one who did the thing."""
    return [user for user in users if user.pk != user_id]


def without_actor(users: list[Any], audit_id: int | None) -> list[Any]:
    """`users` less the one who made the change the audit row records (read only if needed)."""
    return without(users, actor_id_of(audit_id)) if users else []
