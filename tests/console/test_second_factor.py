"""Staff sign in with a second factor (issue 13): the password alone reaches no console page, no
admin page and nothing staff-only; the code from the authenticator (or a recovery code, once)
completes the sign-in; a staff user enrols a new authenticator from the console."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.core.signin import enroll_authenticator, recovery_codes_left
from tests.console import test_console_access as access
from tests.console.test_console_access import ACTIONS, PAGES, _fill, _state
from tests.signin import code_of, current_code, sign_in

world = access.world  # the console access matrix's records, every page filled in

pytestmark = pytest.mark.django_db

PASSWORD = "Staff-pass-2026!"


def _password_only(role: str) -> tuple[Client, object]:
    user = add_user(email=f"halfway-{role}@vendor.example", role=role, password=PASSWORD)
    enroll_authenticator(user=user)
    client = Client()
    step = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "/console/"}
    )
    assert (step.status_code, step["Location"]) == (302, "/accounts/second-factor/")
    return client, user


@pytest.mark.parametrize("role", ["agent", "manager", "admin"])
def test_staff_sign_in_without_second_factor_reaches_no_console_page(world, role):
    client, _ = _password_only(role)
    before = _state()
    for page in PAGES:  # every console route (test_console_access checks the list is whole)
        response = client.get(_fill(page, world))
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/login/?next="), page
    for path, data in ACTIONS:
        filled = {key: _fill(value, world) for key, value in data.items()}
        assert client.post(_fill(path, world), filled).status_code in (302, 403), path
    assert _state() == before
    # The admin: sent to the login, whose second step is the only way in.
    admin = client.get("/admin/", follow=True)
    assert admin.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert admin.status_code == 200  # the login page
    assert client.get("/admin/tickets/ticket/").status_code == 302
    # The start page sends them to the login too; the API knows no session at all.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/tickets").status_code == 401


def test_a_staff_session_made_without_the_second_step_is_nobody(world, desk):
    """A session signed in some other way (the admin's own form, a session from before this
    release) lacks the second factor's mark: it is treated as signed out."""
    client = Client()
    client.force_login(desk.agent)
    assert client.get("/console/").status_code == 302
    assert client.get("/admin/").status_code == 302
    sign_in(client, desk.agent)  # what the second step leaves in the session
    assert client.get("/console/").status_code == 200


def test_the_current_code_completes_the_sign_in_and_lands_on_the_console(db):
    client, user = _password_only("agent")
    page = client.get("/accounts/second-factor/")
    assert '<label for="id_code">Authentication code</label>' in page.content.decode()
    done = client.post("/accounts/second-factor/", {"code": current_code(user)})
    assert (done.status_code, done["Location"]) == (302, "/console/")
    assert client.get("/console/").status_code == 200


def test_a_wrong_code_is_refused_and_signs_nobody_in(db, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client, user = _password_only("agent")
    code = current_code(user)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post("/accounts/second-factor/", {"code": wrong})
    assert refused.status_code == 400
    assert "That code did not work" in refused.content.decode()
    assert client.get("/console/").status_code == 302


def test_wrong_codes_count_toward_the_lockout(db, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.AXES_FAILURE_LIMIT = 3
    client, user = _password_only("agent")
    for _ in range(2):
        assert client.post("/accounts/second-factor/", {"code": "000000x"}).status_code == 400
    locked = client.post("/accounts/second-factor/", {"code": "000000x"})
    assert locked.status_code == 429
    again = client.post("/accounts/second-factor/", {"code": current_code(user)})
    assert again.status_code == 429  # the right code too, until the cool-off ends
    assert client.get("/console/").status_code == 302


def test_a_recovery_code_works_once(db):
    user = add_user(email="lost-phone@vendor.example", role="agent", password=PASSWORD)
    codes = enroll_authenticator(user=user).recovery_codes
    assert len(codes) == 10 and len(set(codes)) == 10
    first = Client()
    first.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    used = first.post("/accounts/second-factor/", {"code": codes[0]}, follow=True)
    assert used.redirect_chain[-1][0] == "/console/"
    assert "You signed in with a recovery code: 9 left." in used.content.decode()
    assert recovery_codes_left(user) == 9

    second = Client()
    second.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    refused = second.post("/accounts/second-factor/", {"code": codes[0]})
    assert refused.status_code == 400
    assert second.get("/console/").status_code == 302


def test_a_staff_user_without_an_authenticator_is_told_how_to_get_one(db):
    user = add_user(email="new@vendor.example", role="clerk", password=PASSWORD)
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    page = client.get("/accounts/second-factor/").content.decode()
    assert "rmadesk user enroll new@vendor.example" in page
    assert client.post("/accounts/second-factor/", {"code": "123456"}).status_code == 200
    assert client.get("/console/").status_code == 302


def test_customers_sign_in_with_the_password_alone(db):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    add_user(email="it@c.example", role="customer", customer_id=customer.pk, password=PASSWORD)
    client = Client()
    answer = client.post("/accounts/login/", {"username": "it@c.example", "password": PASSWORD})
    assert (answer.status_code, answer["Location"]) == (302, "/")
    assert client.get("/portal/").status_code == 200


def test_staff_re_enrol_from_the_console_with_password_and_current_code(db):
    user = add_user(email="phone@vendor.example", role="agent", password=PASSWORD)
    enroll_authenticator(user=user)
    old = TOTPDevice.objects.get(user=user)
    client = sign_in(Client(), user)
    page = client.get("/console/").content.decode()
    assert 'href="/console/security/"' in page  # the user menu
    assert "Enrol a new authenticator" in client.get("/console/security/").content.decode()

    wrong = client.post("/console/security/", {"password": "nope", "code": current_code(user)})
    assert wrong.status_code == 400
    started = client.post("/console/security/", {"password": PASSWORD, "code": current_code(user)})
    text = started.content.decode()
    assert 'src="data:image/svg+xml' in text  # the QR code, inline, no script
    assert "otpauth://totp/rmadesk%3Aphone%40vendor.example" in text
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # not yet replaced

    done = client.post("/console/security/confirm", {"code": code_of(new)})
    shown = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert done.status_code == 200 and len(shown) == 10
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    assert AuditEvent.objects.filter(verb="user.second_factor_enrolled").count() == 2
