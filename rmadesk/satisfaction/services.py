"""Asking for a rating when a ticket closes, and recording the customer's one answer.

`ask_for_rating` runs once the close has committed (the `TicketClosed` subscriber): it creates
the ticket's one survey and publishes `RatingAsked`, whose mail carries the one-click links.
A ticket reopened and closed again already has its survey, so it is not asked twice.

`rate_by_link` (the mail's link, no sign-in: its token is the authority) and `rate_from_portal`
(the signed-in contact) record the rating, once: the survey row is locked, and a survey that
holds a rating refuses another (Conflict), whoever sends it and however often.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, PermissionDenied
from rmadesk.core.locking import lock, locked
from rmadesk.core.permissions import Actor, is_system
from rmadesk.core.services import record_event
from rmadesk.customers.models import Contact
from rmadesk.customers.selectors import contact_of
from rmadesk.satisfaction.choices import RatingChannel
from rmadesk.satisfaction.events import RatingAsked, TicketRated
from rmadesk.satisfaction.models import MAX_COMMENT, MAX_RATING, MIN_RATING, Survey
from rmadesk.satisfaction.permissions import require_portal_rater
from rmadesk.satisfaction.selectors import link_survey
from rmadesk.tickets.choices import CLOSED_STATUSES, TicketStatus
from rmadesk.tickets.events import TicketClosed, TicketFacts
from rmadesk.tickets.models import Ticket

# The closes that ask for a rating: every way a ticket closes today (resolved by staff or by
# the customer, out of scope, a denied warranty claim): each is an answer the customer can
# judge. A close that is not an answer to the customer (spam, a duplicate, a merge) would be
# left out here; rmadesk has none yet.
ASKED_AFTER = frozenset(
    {TicketStatus.RESOLVED, TicketStatus.OUT_OF_SCOPE, TicketStatus.WARRANTY_DENIED}
)


def ask_after_close(event: TicketClosed) -> None:
    """The `TicketClosed` subscriber: ask once, with the assignee at the close."""
    ask_for_rating(actor=None, ticket_number=event.ticket.number, agent_id=event.assignee_id)


@transaction.atomic
def ask_for_rating(*, actor: Actor, ticket_number: int, agent_id: int | None) -> Survey | None:
    """Create the closed ticket's survey and ask the customer (after the commit, by mail).

    None when nothing is asked: the ticket was asked before (a re-close, a retried event), is
    open again, or closed in a way that asks nothing. rmadesk asks, never a person.
    """
    if not is_system(actor):
        raise PermissionDenied(_("rmadesk asks for a rating itself when a ticket closes"))
    ticket = locked(Ticket.objects.select_related("customer")).filter(number=ticket_number).first()
    if ticket is None or ticket.status not in ASKED_AFTER:
        return None
    if Survey.objects.filter(ticket=ticket).exists():
        return None  # asked once: a ticket reopened and closed again is not asked again
    when = clock.now()
    survey = Survey.objects.create(
        ticket=ticket,
        asked_at=when,
        plan=ticket.plan,
        severity=ticket.severity,
        agent_id=agent_id,
    )
    record_event(
        actor=actor,
        verb="ticket.rating_asked",
        subject_type="ticket",
        subject_id=ticket.number,
        ticket_number=ticket.number,
        changes={"survey": survey.pk, "agent": agent_id},
        note="the customer is asked to rate the ticket, once",
        at=when,
        event=RatingAsked(ticket=TicketFacts.of(ticket), survey_id=survey.pk, asked_at=when),
    )
    return survey


def checked_rating(value: object) -> int:
    """A whole number from 1 to 5 (a form's "4" too)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 1:
        number = int(value.strip())
    if number is None or not MIN_RATING <= number <= MAX_RATING:
        raise InvalidInput(_("choose a rating from 1 to 5"), field="rating")
    return number


def checked_comment(value: object) -> str:
    """Optional text, at most `MAX_COMMENT` characters once trimmed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("the comment is text"), field="comment")
    text = value.strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            _("the comment is %(count)s characters at most") % {"count": MAX_COMMENT},
            field="comment",
        )
    return text


@transaction.atomic
def rate_by_link(*, actor: Actor, token: str, rating: object, comment: object = "") -> Survey:
    """Record the rating sent from the mail's link: its token names the survey (and so the
    ticket); a forged or another survey's token is NotFound, an expired or used one a Conflict."""
    survey = link_survey(token, queryset=locked(Survey.objects.all()))
    ticket = survey.ticket
    # Who rated: the ticket's requester, when they are one of the customer's contacts.
    contact = Contact.objects.filter(
        customer_id=ticket.customer_id, email__iexact=ticket.requester_email.strip()
    ).first()
    return _rate(
        actor=actor,
        survey=survey,
        rating=rating,
        comment=comment,
        channel=RatingChannel.MAIL,
        contact=contact,
    )


@transaction.atomic
def rate_from_portal(
    *, actor: Actor, ticket: Ticket, rating: object, comment: object = ""
) -> Survey:
    """The signed-in contact rates their closed ticket on the portal (once, as by the link).

    A ticket closed before the asking began has no survey yet: it gets one now, with the
    ticket's plan, severity and assignee as they stand.
    """
    require_portal_rater(actor, ticket)
    current = lock(Ticket.objects.select_related("customer"), ticket.pk)
    if current.status not in CLOSED_STATUSES:
        raise Conflict(
            _("ticket %(number)s is open: you can rate it once it is closed")
            % {"number": current.number},
            field="rating",
        )
    survey, _created = Survey.objects.get_or_create(
        ticket=current,
        defaults={
            "plan": current.plan,
            "severity": current.severity,
            "agent_id": current.assignee_id,
        },
    )
    survey = lock(Survey.objects.select_related("ticket", "ticket__customer"), survey.pk)
    return _rate(
        actor=actor,
        survey=survey,
        rating=rating,
        comment=comment,
        channel=RatingChannel.PORTAL,
        contact=contact_of(actor),
    )


def _rate(
    *,
    actor: Actor,
    survey: Survey,
    rating: object,
    comment: object,
    channel: RatingChannel,
    contact: Contact | None,
) -> Survey:
    """Record the rating on the locked survey; a rated survey refuses, nothing changes."""
    ticket = survey.ticket
    if survey.is_rated:
        raise Conflict(
            _("ticket %(number)s is already rated: thank you, the rating stays as given")
            % {"number": ticket.number},
            field="rating",
        )
    value = checked_rating(rating)
    text = checked_comment(comment)
    when = clock.now()
    survey.rating = value
    survey.comment = text
    survey.rated_at = when
    survey.channel = channel
    survey.contact = contact
    survey.save(update_fields=["rating", "comment", "rated_at", "channel", "contact"])
    record_event(
        actor=actor,
        verb="ticket.rated",
        subject_type="ticket",
        subject_id=ticket.number,
        ticket_number=ticket.number,
        changes={
            "rating": [None, value],
            "channel": channel.value,
            "contact": contact.pk if contact is not None else None,
            "comment": text,
        },
        note=f"the customer rated the ticket {value}/{MAX_RATING} ({channel.label})",
        at=when,
        event=TicketRated(
            ticket=TicketFacts.of(ticket),
            survey_id=survey.pk,
            rating=value,
            channel=channel.value,
        ),
    )
    return survey
