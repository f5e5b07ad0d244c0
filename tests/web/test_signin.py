"""Sign-in can't be guessed at (issue 13): the lockout per account and address (django-axes), its
page and its lifting, the staff's authenticator from `rmadesk user add`, rate limits on opening
tickets, and signed-in pages that no browser or proxy keeps."""

from __future__ import annotations

import base64
import json
import time
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django_otp.oath import TOTP

from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user, issue_token
from rmadesk.web.signin import client_address
from tests.factories import AssetFactory, ContractFactory, CustomerFactory
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "Right-pass-2026!"
LOGIN = "/accounts/login/"


@pytest.fixture
def contact(db):
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="gold")
    AssetFactory(customer=customer, serial="M50-SIGNIN-1")
    return add_user(
        email="it@guessed.example", role="customer", customer_id=customer.pk, password=PASSWORD
    )


def attempt(client: Client, password: str, email: str = "it@guessed.example"):
    return client.post(LOGIN, {"username": email, "password": password})


def test_75th_wrong_password_is_refused_even_with_the_right_one(contact):
    """The reported attack: 74 wrong passwords in 90 s, then the right one signed in."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    answers = [attempt(client, f"guess-{n}").status_code for n in range(74)]
    assert answers[:4] == [200] * 4  # "didn't match", on the login page
    assert set(answers[5:]) == {429}  # the 5th failure (RMADESK_SIGNIN_FAILURE_LIMIT) locks
    right = attempt(client, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/portal/").status_code == 302
    # The page says what happened and when to try again.
    text = right.content.decode()
    assert "Sign-in locked for now" in text
    assert "Try again in 15 minutes" in text
    assert right["Retry-After"] == "900"


def test_the_lockout_is_per_account_and_address(contact):
    for n in range(5):
        attempt(Client(REMOTE_ADDR="203.0.113.7"), f"guess-{n}")
    assert attempt(Client(REMOTE_ADDR="203.0.113.7"), PASSWORD).status_code == 429
    # The account from another address, and another account from this one, are not locked.
    assert attempt(Client(REMOTE_ADDR="198.51.100.2"), PASSWORD).status_code == 302
    customer_id = contact.account.customer_id
    add_user(email="other@guessed.example", role="customer", customer_id=customer_id,
             password=PASSWORD)  # fmt: skip
    other = attempt(Client(REMOTE_ADDR="203.0.113.7"), PASSWORD, "other@guessed.example")
    assert other.status_code == 302


def test_a_json_client_gets_the_lockout_as_json(contact, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(headers={"Accept": "application/json"})
    attempt(client, "wrong-1")
    locked = attempt(client, "wrong-2")
    assert locked.status_code == 429
    body = json.loads(locked.content)
    assert body["retry_after"] == 900 and body["field"] == "username"
    assert "Too many failed sign-ins" in body["error"]
    assert locked["Retry-After"] == "900"


def test_the_limits_come_from_the_environment(contact, settings):
    settings.AXES_FAILURE_LIMIT = 8
    settings.AXES_COOLOFF_TIME = 30 / 60
    client = Client()
    answers = [attempt(client, f"guess-{n}").status_code for n in range(8)]
    assert answers == [200] * 7 + [429]
    assert attempt(client, PASSWORD)["Retry-After"] == "1800"


def test_staff_unlock_an_account_from_the_command_line(contact):
    client = Client()
    for n in range(5):
        attempt(client, f"guess-{n}")
    assert attempt(client, PASSWORD).status_code == 429
    out = StringIO()
    call_command("user", "unlock", "it@guessed.example", stdout=out)
    assert out.getvalue().startswith("unlocked it@guessed.example")
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.filter(verb="user.unlocked").count() == 1
    assert attempt(client, PASSWORD).status_code == 302


def test_a_right_password_clears_the_failures_before_it(contact):
    client = Client()
    for n in range(4):
        attempt(client, f"typo-{n}")
    assert attempt(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_one_address_is_limited_in_sign_ins_over_every_account(contact, settings):
    settings.RMADESK_SIGNIN_ADDRESS_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        attempt(client, "x", f"someone{n}@guessed.example")
    refused = attempt(client, PASSWORD)
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 900


def test_the_address_is_the_one_the_trusted_proxies_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert client_address(request) == "10.0.0.1"  # no proxy trusted: the connection's
    settings.RMADESK_TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.7"  # not the client-invented 6.6.6.6
    settings.RMADESK_TRUSTED_PROXIES = 3
    assert client_address(request) == "10.0.0.1"  # fewer hops than proxies: not trusted


# ------------------------------------------------------------------ `rmadesk user add --staff`


def test_cli_prints_otpauth_uri_and_recovery_codes_a_script_can_sign_in_with(db):
    out = StringIO()
    call_command(
        "user", "add", "ops@vendor.example", "--staff", "manager", "--password", PASSWORD,
        stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[0] == "added ops@vendor.example (manager)"
    [uri] = [line for line in lines if line.startswith("otpauth://totp/")]
    assert uri.startswith("otpauth://totp/rmadesk%3Aops%40vendor.example?")
    query = parse_qs(urlsplit(uri).query)
    assert query["issuer"] == ["rmadesk"]
    codes = lines[lines.index("recovery codes (each works once; keep them safe):") + 1].split()
    assert len(codes) == 10

    # A scripted check signs in from the printed URI alone.
    secret = query["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    client = Client()
    client.post(LOGIN, {"username": "ops@vendor.example", "password": PASSWORD})
    done = client.post("/accounts/second-factor/", {"code": f"{totp.token():06d}"})
    assert (done.status_code, done["Location"]) == (302, "/")
    # A manager lands on the manager's page (issue 16), signed in.
    assert client.get("/console/")["Location"] == "/console/dashboard/"
    assert client.get("/console/dashboard/").status_code == 200


def test_cli_enroll_replaces_the_authenticator(db):
    call_command("user", "add", "re@vendor.example", "--staff", "agent", stdout=StringIO())
    first = StringIO()
    call_command("user", "enroll", "re@vendor.example", stdout=first)
    second = StringIO()
    call_command("user", "enroll", "re@vendor.example", stdout=second)
    uri = [line for line in second.getvalue().splitlines() if line.startswith("otpauth://")]
    assert uri and uri[0] not in first.getvalue()


# ------------------------------------------------------------------------------ rate limits


def test_opening_tickets_is_rate_limited_per_user_in_the_portal_and_the_api(contact, settings):
    settings.RMADESK_TICKET_CREATE_LIMIT = 2
    portal = Client()
    portal.post(LOGIN, {"username": contact.username, "password": PASSWORD})
    form = {"serial": "M50-SIGNIN-1", "severity": "S3", "subject": "Fan", "body": "Loud fan."}
    assert portal.post("/portal/tickets/new", form).status_code == 302
    api = Client(headers={"Authorization": f"Bearer {issue_token(user=contact)}"})
    body = json.dumps({k: v for k, v in form.items()})
    assert api.post("/api/v1/tickets", body, content_type="application/json").status_code == 201
    # The third, through either door, waits.
    refused = api.post("/api/v1/tickets", body, content_type="application/json")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert json.loads(refused.content)["retry_after"] == int(refused["Retry-After"])
    page = portal.post("/portal/tickets/new", form)
    assert page.status_code == 429
    assert "Please wait before opening another" in page.content.decode()


def test_the_api_documents_the_429(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/tickets"]["post"]["responses"]


# ------------------------------------------------------------------------ Cache-Control


def test_signed_in_pages_are_private_and_not_stored(contact):
    portal = Client()
    portal.post(LOGIN, {"username": contact.username, "password": PASSWORD})
    assert portal.get("/portal/")["Cache-Control"] == "private, no-store"
    agent = add_user(email="cc-agent@vendor.example", role="agent")
    console = sign_in(Client(), agent)
    response = console.get("/console/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
