"""Agent console: "Sign-in security", where a staff user enrols a new authenticator.

Linked from the user menu. Enrolling again takes the password and a current code (from the old
authenticator, or a recovery code); the new authenticator replaces the old one only once it
has given a right code, and new recovery codes are shown once. A wrong password or code counts
as a failed sign-in for the lockout (django-axes), like on the login page.
"""

from __future__ import annotations

from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from rmadesk.core.errors import DomainError
from rmadesk.core.signin import (
    confirm_reenrollment,
    has_authenticator,
    recovery_codes_left,
    secret_of,
    start_reenrollment,
    verify_code,
)
from rmadesk.web.decorators import staff_page
from rmadesk.web.signin import locked_out

# The new, unconfirmed authenticator waiting for its first code (its id).
NEW_DEVICE = "rmadesk_new_authenticator"


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data URI for an <img> (no script, no request)."""
    data_uri: str = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return data_uri


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = request.user
    context = {
        "enrolled": has_authenticator(user),
        "codes_left": recovery_codes_left(user),
        **context,
    }
    return render(request, "console/security.html", context, status=status)


def _new_device_context(device: TOTPDevice) -> dict[str, Any]:
    uri: str = device.config_url
    return {"new_uri": uri, "new_qr": qr_data_uri(uri), "new_secret": secret_of(device)}


@staff_page
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponseBase:
    """GET: the page; POST: password and current code → a new authenticator to confirm."""
    if request.method == "GET":
        return _page(request)
    user = request.user
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return locked_out(request, None, credentials)
    password_ok = user.check_password(str(request.POST.get("password", "")))
    device = verify_code(user, str(request.POST.get("code", ""))) if password_ok else None
    if device is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return locked_out(request, None, credentials)
        return _page(
            request, 400, error="The password or the code is not right: nothing was changed."
        )
    new = start_reenrollment(user=user)
    request.session[NEW_DEVICE] = new.pk
    return _page(request, **_new_device_context(new))


@staff_page
@require_POST
def security_confirm(request: HttpRequest) -> HttpResponseBase:
    """The new authenticator's first code: it replaces the old one; new recovery codes."""
    device_id = request.session.get(NEW_DEVICE)
    if not isinstance(device_id, int):
        return redirect("console:security")
    try:
        enrollment = confirm_reenrollment(
            user=request.user,
            device_id=device_id,
            code=str(request.POST.get("code", "")),
            actor=request.user,
        )
    except DomainError as refused:
        pending = TOTPDevice.objects.filter(pk=device_id, user=request.user).first()
        extra = _new_device_context(pending) if pending is not None else {}
        return _page(request, 400, confirm_error=refused.message, **extra)
    del request.session[NEW_DEVICE]
    return _page(request, recovery_codes=enrollment.recovery_codes)
