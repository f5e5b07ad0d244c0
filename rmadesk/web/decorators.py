"""Who may open a page: staff pages and customer pages.

A page for the other audience answers 404, like a page that does not exist: a customer gets no
console page, and nothing about the console leaks to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from rmadesk.core.permissions import is_staff, role_of

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
