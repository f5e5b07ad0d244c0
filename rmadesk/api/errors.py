"""Every API error is JSON `{"error", "field", "rule"}` with a 4xx status, never a 500 page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from rmadesk.api.schemas import AMOUNT_ERRORS
from rmadesk.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from rmadesk.policy.errors import PolicyError

# pydantic error types that are rule T1 (an instant without an offset, or not an instant).
_T1_TYPES = {"timezone_aware", "datetime_parsing", "datetime_from_date_parsing", "datetime_type"}


def _body(error: str, field: str | None = None, rule: str | None = None) -> dict[str, Any]:
    return {"error": error, "field": field, "rule": rule}


def _field_of(location: Any) -> str | None:
    """`body.payload.severity` → `severity`: strip where ninja put the value, keep the path."""
    parts = [str(part) for part in location or ()]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


def _validation_body(exc: ValidationError) -> dict[str, Any]:
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first.get("loc"))
    kind = first.get("type", "")
    message = first.get("msg", "invalid input")
    rule = "T1" if kind in _T1_TYPES else "F4" if kind in AMOUNT_ERRORS else None
    if kind == "timezone_aware":
        message = (
            "naive datetime: give an ISO 8601 instant with an offset, e.g. 2026-11-25T16:00-08:00"
        )
    elif kind == "extra_forbidden":
        message = f"unknown field {field!r}"
    elif kind == "missing":
        message = f"{field} is required"
    body = _body(message, field, rule)
    if len(exc.errors) > 1:
        body["errors"] = [
            {"field": _field_of(e.get("loc")), "error": e.get("msg")} for e in exc.errors
        ]
    return body


# The one place the API answers a domain refusal with a status (ARCHITECTURE rule 4).
STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 400),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
)


def status_of(error: DomainError) -> int:
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 400


def install_error_handlers(api: NinjaAPI) -> None:
    def reply(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(PolicyError)
    def policy_error(request: HttpRequest, exc: PolicyError) -> HttpResponse:
        return reply(request, exc.as_dict(), 400)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        if isinstance(exc, NotFound):
            return reply(request, _body("not found"), 404)  # a forbidden record answers the same
        return reply(request, exc.as_dict(), status_of(exc))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return reply(request, _validation_body(exc), 422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return reply(request, _body("authentication required: Authorization: Bearer <token>"), 401)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, _body("not found"), 404)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return reply(request, _body("not found"), 404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return reply(request, _body(str(exc)), exc.status_code)
