"""Every page in the viewer's time zone (rule T1) and language (issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from rmadesk.core.permissions import account_of, is_staff
from rmadesk.core.viewers import viewer_zone
from rmadesk.customers.models import Contact
from rmadesk.customers.selectors import contact_of


class ViewerTimeZoneMiddleware:
    """Pages show times in the viewer's zone (T1): the customer's own, or the vendor's for staff."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(viewer_zone(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ViewerLanguageMiddleware:
    """Pages in the viewer's language (issue 14), after Django's LocaleMiddleware.

    A signed-in contact who chose a language (Contact.language) reads that one; one who did
    not, and an anonymous visitor, the browser's (Accept-Language, as LocaleMiddleware chose).
    Staff read the site's language (LANGUAGE_CODE): the console is not translated, and half a
    console in another language helps no one. The language stays active until LocaleMiddleware
    has named it in the response's Content-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = viewer_language(request)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def viewer_language(request: HttpRequest) -> str:
    """The language a signed-in user's pages are in; "" for the browser's."""
    user = request.user
    if is_staff(user) or account_of(user) is None:
        return str(settings.LANGUAGE_CODE)
    contact = request_contact(request)
    return contact.language if contact is not None else ""


_NO_CONTACT = object()


def request_contact(request: HttpRequest) -> Contact | None:
    """The signed-in user's contact record, read once per request (the language selector too)."""
    found: Any = getattr(request, "_rmadesk_contact", _NO_CONTACT)
    if found is _NO_CONTACT:
        found = contact_of(getattr(request, "user", None))
        request._rmadesk_contact = found  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]
