"""Issue 16 in a real browser: the customer opens the rating link of their closed ticket's mail
(no sign-in), finds their choice preselected, adds a comment and sends it once. The page passes
axe at phone width. `RMADESK_SCREENSHOTS=1` refreshes docs/screenshots/portal-satisfaction.png."""

from __future__ import annotations

import pytest

from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.tokens import rating_token
from rmadesk.tickets.services import close_ticket, open_ticket
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import shoot

pytestmark = pytest.mark.django_db(transaction=True)


def test_rating_from_the_mail_link_without_signing_in(acme, open_page, tmp_path):
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.get(username="agent@vendor.example")
    ticket = open_ticket(
        actor=agent, serial="M50-000042", severity="S2", subject="Pool degraded",
        body="Drive 3 failed.", channel="phone",
    )  # fmt: skip
    close_ticket(actor=agent, ticket=ticket, reason="Replaced drive 3.")
    survey = Survey.objects.get(ticket=ticket)
    assert survey.asked_at is not None
    token = rating_token(survey_id=survey.pk, ticket_number=ticket.number, asked_at=survey.asked_at)

    page = open_page(390, 844)
    page.goto(f"/portal/rate/{token}/?rating=4")
    assert page.get_by_label("4 – Satisfied").is_checked()
    page.get_by_label("Comment (optional)").fill("Quick and clear, thank you.")
    assert_accessible(page, where="the rating link's page at 390px")
    shoot(page, "portal-satisfaction", tmp_path)
    assert Survey.objects.get(pk=survey.pk).rating is None  # opening the link recorded nothing
    page.get_by_role("button", name="Send rating").click()
    page.wait_for_load_state()
    assert "is recorded: 4 out of 5" in page.content()
    rated = Survey.objects.get(pk=survey.pk)
    assert (rated.rating, rated.comment, rated.channel) == (
        4,
        "Quick and clear, thank you.",
        "mail",
    )
