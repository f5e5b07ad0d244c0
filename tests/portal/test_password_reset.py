"""Password reset by email with Django's views at /accounts/ (locmem mail backend in tests)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from rmadesk.jobs.password_reset import send_password_reset
from tests.portal.conftest import PASSWORD
from tests.signin import signed_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-portal-pass-77"
RESET_TASK = "rmadesk.jobs.password_reset.send_password_reset"
LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


def send_queued_resets() -> int:
    """What the worker does: run each queued password-reset task; returns the mails sent."""
    sent = 0
    for row in DBTaskResult.objects.filter(task_path=RESET_TASK, status="READY"):
        sent += send_password_reset.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
    return sent


def _reset_link(client: Client, email: str) -> str:
    sent = client.post("/accounts/password_reset/", {"email": email})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []  # the page only queues the mail: the worker sends it
    assert send_queued_resets() == 1
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

    assert signed_in(Client(), "alice@acme.example", NEW_PASSWORD)
    assert not signed_in(Client(), "alice@acme.example", PASSWORD)
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
    assert send_queued_resets() == 0
    assert mail.outbox == []


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_queued_work(acme):
    """Issue 13: the reset page's answer and its work do not depend on the address existing;
    the account is looked up by the worker, which mails only a known address."""
    answers = []
    for email in ("alice@acme.example", "nobody@acme.example"):
        response = Client().post("/accounts/password_reset/", {"email": email})
        answers.append((response.status_code, response["Location"], response.content))
    assert answers[0] == answers[1] == (302, "/accounts/password_reset/done/", b"")
    queued = DBTaskResult.objects.filter(task_path=RESET_TASK).order_by("enqueued_at")
    assert [row.args_kwargs["kwargs"]["email"] for row in queued] == [
        "alice@acme.example",
        "nobody@acme.example",
    ]
    assert mail.outbox == []  # nothing sent while answering
    assert send_queued_resets() == 1
    assert [message.to for message in mail.outbox] == [["alice@acme.example"]]


def test_password_reset_is_rate_limited_per_address_with_retry_after(db, settings):
    settings.RMADESK_PASSWORD_RESET_LIMIT = 3
    client = Client()
    for n in range(3):
        answer = client.post("/accounts/password_reset/", {"email": f"x{n}@acme.example"})
        assert answer.status_code == 302
    refused = client.post("/accounts/password_reset/", {"email": "x9@acme.example"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many password-reset requests." in refused.content.decode()
    assert DBTaskResult.objects.filter(task_path=RESET_TASK).count() == 3


def test_password_reset_is_rate_limited_per_email_address(db, settings):
    settings.RMADESK_PASSWORD_RESET_LIMIT = 2
    for n in range(2):
        assert (
            Client(REMOTE_ADDR=f"10.0.0.{n}")
            .post("/accounts/password_reset/", {"email": "alice@acme.example"})
            .status_code
            == 302
        )
    third = Client(REMOTE_ADDR="10.0.0.9").post(
        "/accounts/password_reset/", {"email": "ALICE@acme.example"}
    )
    assert third.status_code == 429
