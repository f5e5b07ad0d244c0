"""What every web page shares: who may open it, and the viewer's time zone (T1).

A page for the other audience answers 404, like a page that does not exist: a customer gets no
console page, and nothing about the console leaks to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from rmadesk.core.permissions import is_staff, role_of
from rmadesk.core.viewers import viewer_zone

View = Callable[..., HttpResponseBase]  # a page, or a streamed download (FileResponse)


def staff_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff(request.user):
            raise Http404("no such page")
        return view(request, *args, **kwargs)

    return wrapper


def customer_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if role_of(request.user) != "customer":
            raise Http404("no such page")
        return view(request, *args, **kwargs)

    return wrapper


def home(request: HttpRequest) -> HttpResponse:
    """`/`: staff to the console, customers to the portal, everyone else to the login."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    if is_staff(request.user):
        return redirect("console:home")
    if role_of(request.user) == "customer":
        return redirect("portal:home")
    raise Http404("no rmadesk role")


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
