"""How the web pages answer a refusal: the one place a domain error becomes a status.

A page runs one service; a refusal comes back as the policy core's `PolicyError` or a domain
error (`rmadesk.core.errors`). `refusal_of` turns it into what the page shows — the message,
naming its rule once, the field it is about — and the status the page answers with, by the
same table as the API (`rmadesk.api.errors`). A `NotFound` that no page catches (a selector
refusing a record the user may not see) becomes the ordinary 404 page
(`DomainErrorMiddleware`), the same as a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from rmadesk.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from rmadesk.policy.errors import PolicyError

# What a page catches from a service: every refusal, and nothing else (a bug stays a 500).
REFUSALS = (DomainError, PolicyError)
STATUS_OF: tuple[tuple[type[Exception], int], ...] = (
    (PolicyError, 400),
    (InvalidInput, 400),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
)


@dataclass(frozen=True)
class Refusal:
    """A refused action as the page shows it: the message, and the rule and field if known."""

    message: str
    rule: str | None = None
    field: str | None = None
    action: str = ""  # which form on the page was refused (to show the message beside it)
    status: int = 400

    @property
    def text(self) -> str:
        """The message as a person reads it, naming its rule once."""
        message = self.message.rstrip()
        rule = self.rule
        if rule and f"rule {rule}" not in message and f"rules {rule}" not in message:
            message = _("%(message)s (rule %(rule)s).") % {
                "message": message.rstrip("."),
                "rule": rule,
            }
        return message


def status_of(error: Exception) -> int:
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 400


def refusal_of(error: DomainError | PolicyError, action: str = "") -> Refusal:
    return Refusal(
        error.message,
        rule=error.rule or None,
        field=error.field,
        action=action,
        status=status_of(error),
    )


class DomainErrorMiddleware:
    """A `NotFound` left uncaught by a page answers the ordinary 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(exception.message))
        return None
