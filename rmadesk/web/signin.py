"""Signing in: the password, then (for staff) the second factor; lockouts; private pages.

- **Password** (`SignInView`, Django's login page): django-axes counts failures per account and
  address and, past RMADESK_SIGNIN_FAILURE_LIMIT, refuses that pair for
  RMADESK_SIGNIN_COOLOFF_MINUTES even with the right password (`locked_out`: a 429 page saying
  when to try again). One address is also limited in how many sign-ins it tries at all.
- **Second factor** (`second_factor`): a staff user's right password signs nobody in yet; the
  session only remembers who is halfway for a few minutes. A code from the authenticator (or a
  recovery code) completes the sign-in; a wrong code counts as a failed sign-in for the lockout.
- `SecondFactorMiddleware`: a session signed in as staff without the second factor (the Django
  admin's own login form, a session from before this release) is treated as nobody, so it
  reaches no console page, no admin page and nothing else.
- `NoStoreMiddleware`: signed-in pages and documents are never kept by a browser or a proxy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from rmadesk.core import clock
from rmadesk.core.signin import (
    has_authenticator,
    needs_second_factor,
    recovery_codes_left,
    verify_code,
)
from rmadesk.web import limits

# Session keys: who gave the right password and still owes the second factor (user id, auth
# backend, where to go next, when), and which user gave it.
PENDING = "rmadesk_signin_pending"
VERIFIED = "rmadesk_second_factor"
PENDING_SECONDS = 5 * 60


# ------------------------------------------------------------------------- who is asking


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one the trusted proxies saw.

    With RMADESK_TRUSTED_PROXIES = n, the n-th address from the right of X-Forwarded-For (each
    proxy appends the address it was reached from); addresses further left are the client's
    to invent, and are never used.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "RMADESK_TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    ]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in is for, as the lockout counts it (case and spaces ignored)."""
    name = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(name).strip().lower()


# ------------------------------------------------------------------------------ lockout


def cool_off() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer to a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE): 429, and when.

    Every attempt during the lockout starts the wait again (django-axes), so the time given is
    the cool-off from now.
    """
    wait = cool_off()
    seconds = int(wait.total_seconds())
    until = clock.now() + wait
    message = (
        "Too many failed sign-ins for this account from your address. "
        f"Try again in {limits.in_words(seconds)}, or ask an administrator to unlock it."
    )
    answer: HttpResponse
    if request.accepts("application/json") and not request.accepts("text/html"):
        answer = JsonResponse(
            {"error": message, "field": "username", "rule": None, "retry_after": seconds},
            status=429,
        )
    else:
        answer = render(
            request,
            "registration/locked_out.html",
            {"retry_in": limits.in_words(seconds), "until": until},
            status=429,
        )
    answer["Retry-After"] = str(seconds)
    return answer


# ---------------------------------------------------------------------------- the pages


class SignInView(LoginView):
    """Django's login page, with the address limit and the second step for staff."""

    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            limits.check(
                limits.signin_address_limit(),
                client_address(request),
                "Too many sign-in attempts from your address.",
            )
        except limits.TooManyRequests as refused:
            return limits.too_many_page(request, refused)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not needs_second_factor(user):
            return super().form_valid(form)
        session = self.request.session
        session.cycle_key()  # a new session id for the one who knows the password
        session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "next": self.get_success_url(),
            "at": clock.now().timestamp(),
        }
        return redirect("second_factor")


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if clock.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        del request.session[PENDING]
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return None if user is None else (user, pending)


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponseBase:
    """The second step: a code from the authenticator app, or a recovery code."""
    found = _pending_user(request)
    if found is None:
        return redirect("login")
    user, pending = found
    enrolled = has_authenticator(user) or recovery_codes_left(user) > 0
    error = ""
    status = 200
    if request.method == "POST" and enrolled:
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return locked_out(request, None, credentials)
        device = verify_code(user, str(request.POST.get("code", "")))
        if device is None:
            # Counted like a wrong password: the lockout covers guessing codes too.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return locked_out(request, None, credentials)
            error = (
                "That code did not work. Enter the current code from your app, or a recovery code."
            )
            status = 400
        else:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            request.session[VERIFIED] = user.pk
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    f"You signed in with a recovery code: {recovery_codes_left(user)} left. "
                    "Enrol your authenticator again from your sign-in security page.",
                )
            return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "registration/second_factor.html",
        {"enrolled": enrolled, "error": error, "email": user.get_username()},
        status=status,
    )


# --------------------------------------------------------------------------- middleware


def signed_in_user(request: HttpRequest) -> Any:
    """The session's user, or nobody when staff have not given the second factor."""
    user = get_user(request)
    if needs_second_factor(user) and request.session.get(VERIFIED) != user.pk:
        return AnonymousUser()
    return user


class SecondFactorMiddleware:
    """After AuthenticationMiddleware: staff without the second factor are nobody (lazily)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.user = SimpleLazyObject(lambda: signed_in_user(request))  # type: ignore[assignment]

        async def auser() -> Any:  # an async view asks the same question the same way
            return await sync_to_async(signed_in_user)(request)

        request.auser = auser
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on whatever a signed-in person (or token) is shown.

    Decided without a query: a request with a session cookie or an Authorization header, and any
    document sent as a file (Content-Disposition). Static files never get here (WhiteNoise
    answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or "HTTP_AUTHORIZATION" in request.META
            or response.has_header("Content-Disposition")
            or _signed_in_now(request)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in_now(request: HttpRequest) -> bool:
    """Signed in by this very request (the login's redirect): the session names a user."""
    session = getattr(request, "session", None)
    return session is not None and bool(session.get(SESSION_KEY) or session.get(PENDING))


__all__ = [
    "NoStoreMiddleware",
    "SecondFactorMiddleware",
    "SignInView",
    "client_address",
    "locked_out",
    "second_factor",
    "signed_in_user",
    "username_of",
]
