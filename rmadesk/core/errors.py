"""Domain errors: what a service or selector refuses, and why, in the business's terms.

Each carries a message for the person who sees it, the `rule` of POLICY.md that applies (where
one does) and the `field` of the input it is about. None carries an HTTP status: the kind of
refusal is the class, and each adapter maps the classes once (the API in
`rmadesk.api.errors`, the web pages in `rmadesk.web.errors`, the command line by exit status).
The policy core's own `PolicyError` (a rule says no) stays in `rmadesk.policy.errors`; adapters
treat it like `InvalidInput`.
"""

from __future__ import annotations


class DomainError(Exception):
    """A change or a read refused by the domain; subclasses say what kind of refusal."""

    def __init__(self, message: str, *, rule: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        why = f" (rule {self.rule})" if self.rule else ""
        return f"{where}{self.message}{why}"

    def as_dict(self) -> dict[str, str | None]:
        return {"error": self.message, "field": self.field, "rule": self.rule}


class InvalidInput(DomainError):
    """The input itself is wrong: blank, malformed, out of range, an unknown choice."""


class Conflict(DomainError):
    """The input is well formed but the record's state refuses it (closed, expired, done)."""


class NotFound(DomainError):
    """No such record, or one the actor may not see: both answer the same (ARCHITECTURE 4)."""


class PermissionDenied(DomainError):
    """The actor's role may not do this to a record they can see."""
