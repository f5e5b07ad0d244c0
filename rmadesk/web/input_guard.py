"""Text no field may hold, refused at the edge: NUL, other control characters, lone surrogates.

PostgreSQL cannot store a NUL in text (it answered 500) and SQLite stored it; a lone surrogate
(`"\\ud800"` in JSON) is no Unicode character at all and failed on both (issue 13). Rather than
guard each of the many fields, every request is checked once, before any view: the URL path,
the query string, form fields and JSON bodies. A request holding such a character in any of
them answers 400 naming the field — JSON `{"error", "field", "rule"}` under /api/ (as every API
error), a plain page elsewhere — and reaches no view, so nothing is written. Tab, carriage
return and line feed are ordinary text and pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

# C0 controls but tab, line feed and carriage return; and the surrogate code points.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _why(text: str) -> str:
    found = FORBIDDEN.search(text)
    assert found is not None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return "holds a lone surrogate, which is not a Unicode character"
    if char == "\x00":
        return "holds a NUL character"
    return f"holds the control character U+{ord(char):04X}"


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every (field path, text) in a parsed JSON value, keys included: `lines.0.description`."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            yield path, str(key)
            yield from _strings(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}.{index}" if where else str(index))


def _json_body(request: HttpRequest) -> Any:
    if not request.content_type or "json" not in request.content_type:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None  # too big: the view answers that (413)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None  # not JSON: the view answers that (400)


def _form_fields_are_read(request: HttpRequest) -> bool:
    """Form fields are checked on the pages. Not on the API: reading a multipart body there would
    leave nothing for an operation that reads the raw body (its answer is a 4xx on its own), and
    the API's one multipart operation (attachments) has no text field."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.content_type not in FORM_TYPES:
        return False
    return request.content_type != "multipart/form-data" or not request.path_info.startswith(
        API_PREFIX
    )


def refused_field(request: HttpRequest) -> tuple[str, str] | None:
    """The first field of the request holding text no field may hold, and why; or None."""
    candidates: list[tuple[str, str]] = [("path", request.path_info)]
    for key, values in request.GET.lists():
        candidates.append((key, key))
        candidates.extend((key, value) for value in values)
    if _form_fields_are_read(request):
        try:
            for key, values in request.POST.lists():
                candidates.append((key, key))
                candidates.extend((key, value) for value in values)
        except RequestDataTooBig:
            pass  # the view answers that (413)
    candidates.extend(_strings(_json_body(request), ""))
    for field, text in candidates:
        if FORBIDDEN.search(text):
            # The name itself may hold the character: shown with U+FFFD in its place.
            return FORBIDDEN.sub("\ufffd", field) or "body", _why(text)
    return None


class InputGuardMiddleware:
    """Refuse, before any view, a request whose text holds NUL, a control or a lone surrogate."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = refused_field(request)
        if refused is None:
            return self.get_response(request)
        field, why = refused
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse(
                {"error": f"{field} {why}", "field": field, "rule": None}, status=400
            )
        return HttpResponseBadRequest(
            format_html(
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{}</title>'
                "</head><body><main><h1>{}</h1><p>{}</p></main></body></html>",
                _("Bad request"),
                _("Bad request"),
                _("The field “%(field)s” holds a character that is not text. Remove it.")
                % {"field": field},
            )
        )
