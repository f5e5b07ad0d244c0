"""Unexpected errors in an API view go to Django's handler, never to ninja's debug page.

ninja answers an exception it has no handler for with a plain-text traceback when DEBUG is on.
Raised on instead, Django logs it with its traceback and `rmadesk.web.failures.server_error`
answers: 503 with Retry-After while the database is away, else a JSON 500 with the request id.
A body over the upload limit reaches `bad_request` the same way and answers 413.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI


def _raise_on(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    raise exc


def install_failure_handlers(api: NinjaAPI) -> None:
    """The last resort of `api`: every exception no other handler answers is raised on."""
    api.add_exception_handler(Exception, _raise_on)
