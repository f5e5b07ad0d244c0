"""Password reset by email with Django's views at /accounts/ (locmem mail backend in tests)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.portal.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-portal-pass-77"
LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


def _reset_link(client: Client, email: str) -> str:
    sent = client.post("/accounts/password_reset/", {"email": email})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    found = LINK.search(mail.outbox[0].body)
    assert found is not None, mail.outbox[0].body
    return found.group(1)


def test_reset_by_email_sends_a_working_link(acme):
    client = Client()
    assert client.get("/accounts/password_reset/").status_code == 200
    link = _reset_link(client, "alice@acme.example")
    # Django swaps the token for a session marker and redirects to the set-password page.
    opened = client.get(link)
    assert opened.status_code == 302
    assert client.get(opened["Location"]).status_code == 200
    done = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    assert client.get(done["Location"]).status_code == 200

    assert Client().login(username="alice@acme.example", password=NEW_PASSWORD)
    assert not Client().login(username="alice@acme.example", password=PASSWORD)
    # The link works once.
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False


def test_reset_pages_and_mail_are_rmadesks(acme):
    client = Client()
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    form = client.get("/accounts/password_reset/").content.decode()
    assert "<title>Reset your password · rmadesk</title>" in form
    assert '<label for="id_email">Email</label>' in form
    assert "Check your email" in client.get("/accounts/password_reset/done/").content.decode()
    link = _reset_link(client, "alice@acme.example")
    message = mail.outbox[0]
    assert message.subject == "Reset your rmadesk password"
    assert "the password of the rmadesk account alice@acme.example" in message.body
    set_password = client.get(link)["Location"]
    confirm = client.get(set_password).content.decode()
    assert "Choose a new password" in confirm
    assert '<label for="id_new_password1">New password</label>' in confirm
    done = client.post(
        set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Password changed" in done.content.decode()
    used = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in used


def test_unknown_email_sends_nothing_and_says_the_same(db):
    response = Client().post("/accounts/password_reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []
