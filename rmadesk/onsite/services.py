"""Writes for on-site service: booking an appointment (W3, W5)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.assets.models import OnsiteOption
from rmadesk.core.errors import Conflict
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import aware_instant
from rmadesk.onsite.models import Appointment
from rmadesk.onsite.permissions import require_booking
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.warranty import appointment_notice
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket


@transaction.atomic
def book_appointment(
    *,
    actor: Actor,
    ticket: Ticket,
    starts_at: dt.datetime,
    requested_at: dt.datetime | None = None,
) -> Appointment:
    """Book an on-site visit for a ticket's asset (W3) at least 48 hours ahead (W5).

    A customer's contact may book on its own customer's tickets; staff need the agent or
    manager role. The asset must carry an on-site option other than `none` (W3), and the start
    must be at least the policy's notice after the request, in elapsed hours (W5).
    """
    require_booking(actor, ticket)
    # Stored and answered in UTC (T1); the explanation shows the vendor's wall clock.
    starts_at = aware_instant(starts_at, "starts_at")
    # W5 counts the notice from the request: only staff may say it was asked for earlier.
    requested_at = instant_for(actor, requested_at, field="requested_at")
    if ticket.status in CLOSED_STATUSES:
        raise Conflict(
            _("ticket %(number)s is closed: on-site visits are booked on open tickets")
            % {"number": ticket.number},
            field="ticket",
        )
    asset = ticket.asset
    if asset is None or asset.onsite == OnsiteOption.NONE:
        if asset is None:
            why = _(
                "on-site service is not part of the standard warranty and ticket %(number)s "
                "has no asset: an on-site option (nbd or 4h) must be bought first"
            ) % {"number": ticket.number}
        else:
            why = _(
                "on-site service is not part of the standard warranty and ticket %(number)s "
                "asset %(serial)s has no on-site option: an on-site option (nbd or 4h) must be "
                "bought first"
            ) % {"number": ticket.number, "serial": asset.serial}
        raise PolicyError(
            why,
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
        booked_by=user_or_none(actor),
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
