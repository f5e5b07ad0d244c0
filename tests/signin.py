"""Signing test clients in, past django-axes and the staff's second factor (issue 13).

`client.login()` is no longer enough: django-axes needs the request to count failures, and a
staff session without the second factor is nobody. Tests sign in one of two ways:

- `sign_in(client, user)`: `force_login` plus the session's second-factor mark (what the second
  step leaves), for tests about what a signed-in user sees;
- `sign_in_with_password(client, email, password)`: the real pages, the password and, for
  staff, the current code of their authenticator (enrolled here if they have none).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rmadesk.core.signin import enroll_authenticator, needs_second_factor
from rmadesk.web.signin import VERIFIED


def sign_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    if needs_second_factor(user):
        session = client.session
        session[VERIFIED] = user.pk
        session.save()
    return client


def current_code(user: Any) -> str:
    """The user's authenticator's code now (enrolling one if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        enroll_authenticator(user=user)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
    return code_of(device)


def code_of(device: TOTPDevice) -> str:
    """A device's code now, or the next step's if now's was used (no replay)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:  # accepted within the tolerance of one step
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client: Client, email: str, password: str) -> Any:
    """Through the login page (and the second step for staff); returns the last response.

    The pages are posted from a client without CSRF checks (a browser has the token from the
    form); `client` gets its session cookie.
    """
    browser = Client(REMOTE_ADDR=client.defaults.get("REMOTE_ADDR", "127.0.0.1"))
    response = browser.post("/accounts/login/", {"username": email, "password": password})
    user = get_user_model().objects.filter(username=email).first()
    if response.status_code == 302 and user is not None and needs_second_factor(user):
        response = browser.post("/accounts/second-factor/", {"code": current_code(user)})
    client.cookies.update(browser.cookies)
    return response


def signed_in(client: Client, email: str, password: str) -> bool:
    """Like `client.login()`: whether the password (and code) signed the client in."""
    response = sign_in_with_password(client, email, password)
    return response.status_code == 302 and "_auth_user_id" in client.session
