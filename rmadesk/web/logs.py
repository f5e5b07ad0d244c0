"""Logs that say which request they belong to: a request id and a user on every record.

`RequestIdMiddleware` (first in MIDDLEWARE) takes the caller's `X-Request-ID` (a proxy's, a
client's) when it is a sane token, or makes one, keeps it for the request's thread and echoes it
in the response. `RequestContextFilter`, on the handler the settings install (`LOGGING`), stamps
every record with `request_id` and `user_id` ("-" outside a request, or before sign-in), so a
traceback in the log can be found from the id a customer reads off an error answer.

Two formats (RMADESK_LOG_FORMAT): `json`, one JSON object a line for a log collector (the
default of `rmadesk serve` and `rmadesk worker`), and `text`, for a person at a terminal (the
demo, development). Both go to stderr.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What is accepted from outside: a bounded token that cannot break a log line or a header.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
NO_VALUE = "-"
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id", "user_id")

_current: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "rmadesk_request", default=None
)


def request_id_of(request: HttpRequest | None) -> str:
    return str(getattr(request, "request_id", "") or NO_VALUE)


def current_request_id() -> str:
    return request_id_of(_current.get())


def _user_id(request: HttpRequest | None) -> str:
    """The signed-in user's id, if the request already knows it (never a query from a log call)."""
    if request is None:
        return NO_VALUE
    user = getattr(request, "auth", None)  # the API's bearer token's user
    if user is None:
        user = request.__dict__.get("_cached_user")  # the session's, once something read it
    if user is None:
        lazy = request.__dict__.get("user")
        wrapped = getattr(lazy, "_wrapped", None) if lazy is not None else None
        user = wrapped if wrapped is not None and wrapped is not empty else None
    pk = getattr(user, "pk", None)
    return str(pk) if pk is not None else NO_VALUE


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record (a handler's filter: it never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current.get()
        if not hasattr(record, "request_id"):
            record.request_id = request_id_of(request)
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request)
        return True


class JsonLinesFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, request id, user, traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(list(JSON_FIELDS), *args, **kwargs)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The caller's id when it is a sane token; otherwise a new one."""
    if value and _SANE_REQUEST_ID.match(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    """Gives each request an id (the caller's X-Request-ID, or a new one) and echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = accepted_request_id(  # type: ignore[attr-defined]
            request.headers.get(REQUEST_ID_HEADER)
        )
        token = _current.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
        return response
