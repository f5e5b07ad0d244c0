"""Writes for on-site service: booking an appointment (W3, W5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rmadesk.assets.models import OnsiteOption
from rmadesk.core import clock
from rmadesk.core.errors import ServiceError
from rmadesk.core.permissions import PermissionDenied, customer_scope, require_role
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.onsite.models import Appointment
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.policy.warranty import appointment_notice
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket

BOOKING_ROLES = frozenset({"agent", "manager"})


@transaction.atomic
def book_appointment(
    *,
    actor: Any,
    ticket: Ticket,
    starts_at: dt.datetime,
    requested_at: dt.datetime | None = None,
) -> Appointment:
    """Book an on-site visit for a ticket's asset (W3) at least 48 hours ahead (W5).

    A customer's contact may book on its own customer's tickets; staff need the agent or
    manager role. The asset must carry an on-site option other than `none` (W3), and the start
    must be at least the policy's notice after the request, in elapsed hours (W5).
    """
    scope = customer_scope(actor)
    if scope is None:
        require_role(actor, BOOKING_ROLES, "booking an on-site appointment")
    elif scope != ticket.customer_id:
        raise PermissionDenied("this ticket belongs to another customer")
    # Stored and answered in UTC (T1); the explanation shows the vendor's wall clock.
    starts_at = require_aware(starts_at, "starts_at").astimezone(dt.UTC)
    requested_at = (
        require_aware(requested_at, "requested_at").astimezone(dt.UTC)
        if requested_at
        else clock.now()
    )
    if ticket.status in CLOSED_STATUSES:
        raise ServiceError(
            f"ticket {ticket.number} is closed: on-site visits are booked on open tickets",
            field="ticket",
        )
    asset = ticket.asset
    if asset is None or asset.onsite == OnsiteOption.NONE:
        what = "has no asset" if asset is None else f"asset {asset.serial} has no on-site option"
        raise PolicyError(
            f"on-site service is not part of the standard warranty and ticket {ticket.number} "
            f"{what}: an on-site option (nbd or 4h) must be bought first",
            rule="W3",
            field="ticket",
        )
    answer = appointment_notice(active_policy(), requested=requested_at, starts=starts_at)
    if not answer.ok:
        raise PolicyError(
            answer.explain.removesuffix(" (rule W5)."),  # names the earliest allowed start
            rule="W5",
            field="starts_at",
        )
    appointment = Appointment.objects.create(
        ticket=ticket,
        requested_at=requested_at,
        starts_at=starts_at,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        actor=actor,
        verb="appointment.booked",
        subject_type="appointment",
        subject_id=appointment.pk,
        ticket_number=ticket.number,
        changes={
            "starts_at": starts_at,
            "requested_at": requested_at,
            "onsite": asset.onsite,
            "serial": asset.serial,
        },
        rules=("W3", "W5"),
        note=answer.explain,
        at=requested_at,
    )
    return appointment
