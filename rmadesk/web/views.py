"""`/`: the door every user comes in by."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from rmadesk.core.permissions import is_staff, role_of
from rmadesk.web.landing import landing_url


def home(request: HttpRequest) -> HttpResponse:
    """`/`: staff to their role's page of the console (`web.landing`), customers to the portal,
    everyone else to the login."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    if is_staff(request.user):
        return redirect(landing_url(request.user))
    if role_of(request.user) == "customer":
        return redirect("portal:home")
    raise Http404("no rmadesk role")
