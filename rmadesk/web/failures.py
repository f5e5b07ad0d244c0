"""What a request that failed answers: the truth, in the form its caller reads (issue 13).

- The API (`/api/...`) answers every error as its documented JSON `{"error", "field", "rule"}`:
  an unknown path (404), a method the path does not take (405), a body over the upload limit
  (413), and a server error (500, with the request id to quote, never a traceback).
- While the database is away (connection refused, a restart, a failover) every request answers
  503 with `Retry-After`, not 500: the client and the proxy know to try again, and nothing was
  half-written (each service runs in one transaction).

The three views are the URLconf's `handler400`, `handler404` and `handler500`;
`ApiJsonErrorsMiddleware` turns the few non-JSON error answers left (a 405 from the router, a
403 from CSRF) into JSON on API paths. None of them touches the database.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from rmadesk.web.logs import request_id_of

logger = logging.getLogger("rmadesk.web")

API_PREFIX = "/api/"
# Headers an error answer keeps when it is rewritten as JSON.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
# Database errors that mean "not now", not "never": the database is unreachable, restarting,
# locked or timed out. The request is answered 503 and may be sent again.
UNAVAILABLE = (OperationalError, InterfaceError)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def is_database_unavailable(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, UNAVAILABLE):
            return True
        error = error.__cause__
    return False


def retry_after() -> int:
    return int(getattr(settings, "RMADESK_RETRY_AFTER_SECONDS", 30))


def error_body(
    error: str, field: str | None = None, rule: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The API's error shape (rmadesk.api.errors), for answers made outside the API's views."""
    return {"error": error, "field": field, "rule": rule, **extra}


def json_error(
    request: HttpRequest, status: int, error: str, field: str | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse(error_body(error, field, **extra), status=status)


# ------------------------------------------------------------------------------- handlers


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a malformed request; 413 when its body is over the upload limit."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"the request body is too large: at most {limit} bytes"
        if is_api(request):
            return json_error(request, 413, message)
        return HttpResponse(_page("Request too large", message), status=413)
    if is_api(request):
        return json_error(request, 400, "bad request")
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API's JSON for an unknown path; the ordinary page elsewhere."""
    if is_api(request):
        return json_error(request, 404, "not found")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 with Retry-After while the database is away; else a plain 500.

    Django has logged the exception with its traceback (the `django.request` logger) before
    calling this; the answer carries only the request id that finds it in the log.
    """
    error = sys.exc_info()[1]
    request_id = request_id_of(request)
    if is_database_unavailable(error):
        return unavailable(request)
    if is_api(request):
        return json_error(
            request,
            500,
            f"server error; quote request id {request_id} when reporting it",
            request_id=request_id,
        )
    return defaults.server_error(request)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database is away; try again after Retry-After seconds."""
    seconds = retry_after()
    message = f"the service is unavailable for a moment (database); try again in {seconds} s"
    if is_api(request):
        response: HttpResponse = json_error(
            request, 503, message, request_id=request_id_of(request)
        )
    else:
        response = HttpResponse(_page("Back in a moment", message), status=503)
    response["Retry-After"] = str(seconds)
    return response


def _page(title: str, message: str) -> str:
    """A page that needs nothing (no template, no database): the database may be the trouble."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1><p>{message}.</p></main></body></html>"
    )


# ----------------------------------------------------------------------------- middleware


class ApiJsonErrorsMiddleware:
    """On API paths, an error answer that is not JSON (a 405, a CSRF 403) becomes JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400 or _is_json(response):
            return response
        status = response.status_code
        message = (
            HTTPStatus(status).phrase.lower() if status in HTTPStatus._value2member_map_ else ""
        )
        if status == 405 and response.has_header("Allow"):
            message = f"method not allowed: this path takes {response['Allow']}"
        replaced = json_error(request, status, message or "error")
        for header in KEPT_HEADERS:
            if response.has_header(header):
                replaced[header] = response[header]
        return replaced


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    if "json" not in content_type:
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        json.loads(response.content or b"null")
    except ValueError:
        return False
    return True
