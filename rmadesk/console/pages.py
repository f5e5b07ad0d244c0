"""What every console view shares: running one service call, showing its refusal, paging.

A console action parses its form, calls one service and redirects back with a success message
(POST-redirect-GET). A refusal is shown on the page it came from, with the service's message and
rule, and the status `rmadesk.web.errors` gives it (403 when the user's role may not do it, 409
when the record's state refuses it, 400 for bad input or a policy refusal). Roles are checked by
the services alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rmadesk.core.errors import NotFound
from rmadesk.web.errors import REFUSALS, Refusal, refusal_of

__all__ = ["REFUSALS", "Refusal", "act", "is_htmx", "paginate", "query_without_page", "refusal_of"]


def act(
    request: HttpRequest,
    action: Callable[[], str],
    *,
    done: str,
    page: Callable[[Refusal], dict[str, Any]],
    template: str,
    name: str = "",
) -> HttpResponse:
    """Run `action` (one service call, returning the success message) and redirect to `done`;
    on a refusal, render `template` with `page(refusal)` as context and the refusal's status."""
    try:
        message = action()
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise  # the record is not there for this user: the 404 page, like a missing one
        refusal = refusal_of(error, name)
        return render(request, template, page(refusal), status=refusal.status)
    messages.success(request, message)
    return redirect(done)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a boosted link wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and "HX-Boosted" not in request.headers


def paginate(request: HttpRequest, rows: QuerySet[Any], size: int) -> Page[Any]:
    """One page of rows: a COUNT and one SELECT, whatever the number of rows."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without `page`, for the pager's links."""
    pairs = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values if v]
    return urlencode(pairs)
