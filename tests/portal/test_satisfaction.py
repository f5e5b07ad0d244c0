"""Issue 16 on the pages: the mail's one-click rating link (no sign-in, one ticket, once) and
the rating form of a closed ticket's portal page.

A GET of the link records nothing (mail scanners fetch every link); only the page's POST does.
The clock is frozen on Wednesday 25 November 2026, 16:00 Pacific (tests.portal.conftest).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.tokens import rating_token
from rmadesk.tickets.services import close_ticket
from tests.portal.conftest import NOW, text
from tests.signin import sign_in
from tests.tickets.factories import ticket_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(acme, agent):
    ticket = ticket_on(acme.asset, actor=agent)
    close_ticket(actor=agent, ticket=ticket, reason="Replaced the disk.")
    return ticket


def link(survey: Survey) -> str:
    assert survey.asked_at is not None
    token = rating_token(
        survey_id=survey.pk, ticket_number=survey.ticket.number, asked_at=survey.asked_at
    )
    return f"/portal/rate/{token}/"


def unrated(ticket) -> bool:
    return (
        Survey.objects.get(ticket=ticket).rating is None
        and not AuditEvent.objects.filter(verb="ticket.rated").exists()
    )


def test_the_link_get_records_nothing_and_the_post_records_once(closed):
    url = link(Survey.objects.get(ticket=closed))
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(f"{url}?rating=4")
    assert page.status_code == 200
    assert 'value="4" id="id_rating_3" required checked' in text(page)
    assert unrated(closed)  # a scanner's GET rates nothing
    token = visitor.cookies["csrftoken"].value
    forged = Client(enforce_csrf_checks=True).post(url, {"rating": "1"})
    assert forged.status_code == 403 and unrated(closed)  # no CSRF token: refused
    sent = visitor.post(url, {"rating": "4", "comment": "Fast.", "csrfmiddlewaretoken": token})
    assert sent.status_code == 200
    assert "recorded: 4 out of 5" in text(sent)
    survey = Survey.objects.get(ticket=closed)
    assert (survey.rating, survey.comment, survey.channel) == (4, "Fast.", "mail")
    again = visitor.post(url, {"rating": "1", "csrfmiddlewaretoken": token})
    assert again.status_code == 409
    assert "already rated 4 out of 5" in text(again)
    assert visitor.get(f"{url}?rating=2").status_code == 409
    assert Survey.objects.get(ticket=closed).rating == 4


def test_a_forged_mistyped_or_another_tickets_link_is_refused_and_changes_nothing(
    closed, acme, agent
):
    other = ticket_on(acme.asset, actor=agent)
    close_ticket(actor=agent, ticket=other, reason="Done.")
    mine, theirs = Survey.objects.get(ticket=closed), Survey.objects.get(ticket=other)
    url = link(mine)
    digest = url.rstrip("/").rsplit("-", 1)[1]
    refused = [
        f"/portal/rate/{theirs.pk}-{digest}/",  # my signature on another ticket's survey
        url[:-2] + ("0" if url[-2] != "0" else "1") + "/",  # one digit changed
        "/portal/rate/not-a-token/",
        f"/portal/rate/{'9' * 40}-{digest}/",
    ]
    for bad in refused:
        answer = Client().post(bad, {"rating": "5"})
        assert answer.status_code == 404, bad
        assert "This rating link cannot be used" in text(answer)
    assert Survey.objects.filter(rating__isnull=False).count() == 0


def test_an_expired_link_says_so_and_points_to_the_portal(closed):
    url = link(Survey.objects.get(ticket=closed))
    with clock.frozen_at(NOW + dt.timedelta(days=61)):
        answer = Client().post(url, {"rating": "5"})
    assert answer.status_code == 409
    assert "has expired" in text(answer)
    assert unrated(closed)


def test_the_closed_ticket_page_takes_one_rating_from_its_customer(closed, alice, bob):
    page = text(alice.get(f"/portal/tickets/{closed.number}/"))
    assert 'id="rating-form"' in page
    assert bob.post(f"/portal/tickets/{closed.number}/rating", {"rating": "5"}).status_code == 404
    missing = alice.post(f"/portal/tickets/{closed.number}/rating", {"comment": "x"})
    assert missing.status_code == 400 and "Choose a rating from 1 to 5." in text(missing)
    assert unrated(closed)
    done = alice.post(f"/portal/tickets/{closed.number}/rating", {"rating": "3", "comment": "OK"})
    assert done.status_code == 302
    page = text(alice.get(f"/portal/tickets/{closed.number}/"))
    assert "You rated this ticket 3 out of 5." in page
    assert 'id="rating-form"' not in page
    again = alice.post(f"/portal/tickets/{closed.number}/rating", {"rating": "5"})
    assert again.status_code == 409
    survey = Survey.objects.get(ticket=closed)
    assert (survey.rating, survey.comment, survey.channel) == (3, "OK", "portal")


def test_the_console_ticket_page_shows_the_customers_rating(closed, alice, agent):
    console = sign_in(Client(), agent)
    assert 'id="customer-rating"' not in text(console.get(f"/console/tickets/{closed.number}/"))
    alice.post(f"/portal/tickets/{closed.number}/rating", {"rating": "4", "comment": "Quick"})
    page = text(console.get(f"/console/tickets/{closed.number}/"))
    assert "Customer rating: 4/5 — “Quick”" in page
