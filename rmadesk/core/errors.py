"""Errors services raise for refusals that are not policy calculations (state, conflicts)."""

from __future__ import annotations


class ServiceError(Exception):
    """A change refused by a service: wrong state, missing prerequisite, duplicate.

    `status` is the HTTP status adapters answer with (409 for a conflict with the record's
    state, 400 for bad input); `rule` names the POLICY.md rule where one applies.
    """

    def __init__(
        self, message: str, *, rule: str | None = None, field: str | None = None, status: int = 409
    ) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field
        self.status = status

    def as_dict(self) -> dict[str, str | None]:
        return {"error": self.message, "field": self.field, "rule": self.rule}
