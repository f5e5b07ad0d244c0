"""Reads for on-site appointments, limited to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from rmadesk.core.permissions import Actor, customer_scope
from rmadesk.onsite.models import Appointment


def visible_appointments(user: Actor) -> QuerySet[Appointment]:
    """Every appointment for staff; those on its own customer's tickets for a contact."""
    scope = customer_scope(user)
    appointments = Appointment.objects.select_related("ticket", "ticket__asset")
    return appointments if scope is None else appointments.filter(ticket__customer_id=scope)
