"""Issue 16: a closed ticket asks its customer once for a rating, and takes one rating.

Now is Wednesday 25 November 2026, 16:00 Pacific.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, PermissionDenied
from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Contact
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.services import ask_for_rating, rate_by_link, rate_from_portal
from rmadesk.satisfaction.tokens import rating_token
from rmadesk.tickets.services import (
    assign_ticket,
    close_ticket,
    deny_warranty_claim,
    mark_solved,
    reopen_ticket,
)
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 25, 16, 0)


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def desk() -> SimpleNamespace:
    asset = asset_on_plan("silver", serial="M50-016001")
    contact = user("customer", asset.customer)
    Contact.objects.create(customer=asset.customer, name="Eva", email=contact.email)
    agent = user("agent")
    ticket = ticket_on(asset, actor=contact)
    assign_ticket(actor=agent, ticket=ticket, assignee=agent)
    return SimpleNamespace(ticket=ticket, contact=contact, agent=agent)


def asks(ticket) -> int:
    return OutboxMessage.objects.filter(kind="rating_asked", ticket_number=ticket.number).count()


def token_of(survey: Survey) -> str:
    assert survey.asked_at is not None
    return rating_token(
        survey_id=survey.pk, ticket_number=survey.ticket.number, asked_at=survey.asked_at
    )


def test_a_ticket_closed_asks_once_and_not_again_when_reopened_and_closed(desk):
    mark_solved(actor=desk.contact, ticket=desk.ticket)
    survey = Survey.objects.get(ticket=desk.ticket)
    assert (survey.asked_at, survey.plan, survey.severity) == (NOW, "silver", "S2")
    assert survey.agent == desk.agent  # the assignee at the close
    assert survey.rating is None
    assert asks(desk.ticket) == 1
    reopen_ticket(actor=desk.contact, ticket=desk.ticket)
    assign_ticket(actor=desk.agent, ticket=desk.ticket, assignee=user("agent"))
    close_ticket(actor=desk.agent, ticket=desk.ticket, reason="Replaced the disk.")
    assert Survey.objects.filter(ticket=desk.ticket).count() == 1
    assert Survey.objects.get(ticket=desk.ticket).agent == desk.agent  # the first close's
    assert asks(desk.ticket) == 1
    assert AuditEvent.objects.filter(verb="ticket.rating_asked").count() == 1


def test_a_denied_warranty_claim_asks_too_and_only_rmadesk_asks(desk):
    deny_warranty_claim(
        actor=desk.agent, ticket=desk.ticket, cause="war_or_terrorism", explanation="War zone."
    )
    assert asks(desk.ticket) == 1
    with pytest.raises(PermissionDenied):
        ask_for_rating(actor=desk.agent, ticket_number=desk.ticket.number, agent_id=None)


def test_a_rating_is_recorded_once_and_a_second_is_refused_whatever_the_door(desk):
    close_ticket(actor=desk.agent, ticket=desk.ticket, reason="Done.")
    survey = Survey.objects.get(ticket=desk.ticket)
    rated = rate_by_link(actor=None, token=token_of(survey), rating="4", comment="  Quick. ")
    assert (rated.rating, rated.comment, rated.channel, rated.rated_at) == (
        4,
        "Quick.",
        "mail",
        NOW,
    )
    assert rated.contact is not None and rated.contact.email == desk.contact.email
    with pytest.raises(Conflict) as refused:
        rate_by_link(actor=None, token=token_of(survey), rating=1)
    assert refused.value.field == "rating"
    with pytest.raises(Conflict):
        rate_from_portal(actor=desk.contact, ticket=desk.ticket, rating=2)
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick.")
    assert AuditEvent.objects.filter(verb="ticket.rated").count() == 1


@pytest.mark.parametrize(
    ("rating", "comment", "field"),
    [
        (0, "", "rating"),
        (6, "", "rating"),
        ("4.5", "", "rating"),
        (True, "", "rating"),
        (3, "x" * 2001, "comment"),
    ],
)
def test_a_rating_outside_1_to_5_or_a_long_comment_is_refused(desk, rating, comment, field):
    close_ticket(actor=desk.agent, ticket=desk.ticket, reason="Done.")
    with pytest.raises(InvalidInput) as refused:
        rate_from_portal(actor=desk.contact, ticket=desk.ticket, rating=rating, comment=comment)
    assert refused.value.field == field
    assert Survey.objects.get(ticket=desk.ticket).rating is None


def test_staff_do_not_rate_and_an_open_ticket_is_not_rated(desk):
    with pytest.raises(Conflict):
        rate_from_portal(actor=desk.contact, ticket=desk.ticket, rating=5)
    close_ticket(actor=desk.agent, ticket=desk.ticket, reason="Done.")
    with pytest.raises(PermissionDenied):
        rate_from_portal(actor=desk.agent, ticket=desk.ticket, rating=5)
    assert Survey.objects.get(ticket=desk.ticket).rating is None
