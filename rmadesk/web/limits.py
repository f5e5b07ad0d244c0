"""Rate limits: how many times one address or one user may do a thing in a window (429 past it).

A fixed-window counter in Django's cache, one key per (what, who, window): small and explicit,
and shared by every web process when the cache is (files on one machine, Redis on several:
settings.CACHES, docs/security.md). A counter lost with the cache only forgets, never refuses.
Windows follow the wall clock (`rmadesk.core.clock`), so a frozen clock keeps a test in one window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import ngettext

from rmadesk.core import clock


@dataclass(frozen=True)
class Limit:
    """At most `count` times per `seconds` for one `scope` and one key (an address, a user)."""

    scope: str
    count: int
    seconds: int


class TooManyRequests(Exception):
    """A limit was reached: try again in `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


HOUR = 3600


def password_reset_limits() -> tuple[Limit, Limit]:
    """Per address and per email address asked about: RMADESK_PASSWORD_RESET_LIMIT an hour."""
    count = int(getattr(settings, "RMADESK_PASSWORD_RESET_LIMIT", 5))
    return Limit("reset-address", count, HOUR), Limit("reset-email", count, HOUR)


def ticket_create_limit() -> Limit:
    """Per user (portal and API alike): RMADESK_TICKET_CREATE_LIMIT tickets an hour."""
    return Limit("ticket-create", int(getattr(settings, "RMADESK_TICKET_CREATE_LIMIT", 60)), HOUR)


def signin_address_limit() -> Limit:
    """Sign-in attempts from one address, whatever the account (stuffing many accounts)."""
    count = int(getattr(settings, "RMADESK_SIGNIN_ADDRESS_LIMIT", 100))
    return Limit("signin-address", count, 15 * 60)


def hit(limit: Limit, key: str) -> int | None:
    """Count one use of `key`; None while within the limit, else the seconds until it resets."""
    now = clock.now().timestamp()
    window = int(now // limit.seconds)
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    name = f"rmadesk:limit:{limit.scope}:{window}:{digest}"
    cache.add(name, 0, timeout=limit.seconds + 1)
    try:
        used = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=limit.seconds + 1)
        used = 1
    if used <= limit.count:
        return None
    return max(1, int((window + 1) * limit.seconds - now))


def check(limit: Limit, key: str, message: str) -> None:
    """Raise TooManyRequests when `key` is past `limit` (counting this use)."""
    retry_after = hit(limit, key)
    if retry_after is not None:
        raise TooManyRequests(message, retry_after)


def in_words(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def too_many_page(request: HttpRequest, refused: TooManyRequests) -> HttpResponse:
    """The 429 page: what was refused, and when to try again (also in Retry-After)."""
    body = render_to_string(
        "rmadesk/too_many.html",
        {"message": refused.message, "retry_in": in_words(refused.retry_after)},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(refused.retry_after)
    return response
