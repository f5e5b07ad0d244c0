"""Where each staff role lands: after logging in, at `/` and at `/console/`.

A role lands on the page it works from: the clerk on the receiving desk, finance on the invoices,
managers on their page of figures (the reports' dashboard: breaches today, attainment this week
against last, unassigned S1/S2, RMAs and money past their deadlines), agents and admins on the
queue. URL names, not imports: the web layer sits below the console and names its pages only.
"""

from __future__ import annotations

from django.urls import reverse

from rmadesk.core.choices import Role
from rmadesk.core.permissions import Actor, role_of

QUEUE = "console:home"
LANDING: dict[str, str] = {
    Role.CLERK: "console:receiving",
    Role.FINANCE: "console:invoices",
    Role.MANAGER: "console:dashboard",  # the manager's page (issue 16)
    Role.AGENT: QUEUE,
    Role.ADMIN: QUEUE,
}


def landing_url(user: Actor) -> str:
    """The page a staff user starts from (the queue for a role without one of its own)."""
    return reverse(LANDING.get(role_of(user) or "", QUEUE))


def lands_on_queue(user: Actor) -> bool:
    return LANDING.get(role_of(user) or "", QUEUE) == QUEUE
