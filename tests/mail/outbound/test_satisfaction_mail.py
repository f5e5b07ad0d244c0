"""Issue 16: the rating mail of a closed ticket, in its contact's language (here German), with
five one-click links to the rating page of that ticket's survey (in German too), and no code in
its words."""

from __future__ import annotations

import pytest
from django.test import Client

from rmadesk.core import clock
from rmadesk.customers.models import Contact
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.tokens import rating_token
from rmadesk.tickets.services import mark_solved, open_ticket
from tests.portal.plain_words import codes_in, visible_text
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db


def test_a_german_contact_is_asked_in_german_with_five_links(settings):
    settings.RMADESK_SITE_URL = "https://support.vendor.example"
    with clock.frozen_at(pacific(2026, 11, 2, 9, 0)):
        asset = asset_on_plan("gold", serial="M50-016301", country="DE", zone="Europe/Berlin")
        person = user("customer", asset.customer)
        Contact.objects.create(
            customer=asset.customer, name="Eva", email=person.email, language="de"
        )
        ticket = open_ticket(
            actor=person,
            serial=asset.serial,
            severity="S3",
            subject="Lüfter laut",
            body="Sehr laut.",
            channel="portal",
        )
        mark_solved(actor=person, ticket=ticket)
    [mail] = OutboxMessage.objects.filter(kind="rating_asked")
    survey = Survey.objects.get(ticket=ticket)
    assert survey.asked_at is not None
    token = rating_token(survey_id=survey.pk, ticket_number=ticket.number, asked_at=survey.asked_at)
    assert mail.to == [person.email]
    assert mail.subject == f"[#{ticket.number}] Wie zufrieden waren Sie? Lüfter laut"
    text = mail.text_body
    assert (
        f"Ticket #{ticket.number} ist geschlossen. Wie zufrieden sind Sie mit unserer Hilfe?"
        in (text)
    )
    for rating, words in ((1, "Sehr unzufrieden"), (4, "Zufrieden"), (5, "Sehr zufrieden")):
        assert (
            f"{rating} – {words}:\nhttps://support.vendor.example/portal/rate/{token}/"
            f"?rating={rating}\n" in text
        )
    assert "Die Links gelten bis 1. Jan 2027;" in text  # 60 days after the ask, in Berlin
    assert '<html lang="de">' in mail.html_body
    assert f'href="https://support.vendor.example/portal/rate/{token}/?rating=5"' in mail.html_body
    for part in (mail.subject, text, visible_text(mail.html_body)):
        assert codes_in(part, (asset.serial,)) == []
    # The link's page speaks the contact's language too, whatever the browser's.
    page = Client().get(f"/portal/rate/{token}/?rating=5", HTTP_ACCEPT_LANGUAGE="en")
    assert f"Ticket {ticket.number} bewerten" in page.content.decode()
