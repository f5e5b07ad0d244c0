"""Errors of the policy core: each names the rule it enforces and, where known, the field."""

from __future__ import annotations


class PolicyError(ValueError):
    """A request the policy refuses or cannot answer (bad input, or a rule says no).

    Adapters turn it into a 4xx answer or an exit status 2; `rule` and `field` travel with it
    so the person who sees the refusal can look the rule up in POLICY.md.
    """

    def __init__(self, message: str, *, rule: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.message} (rule {self.rule})"

    def as_dict(self) -> dict[str, str | None]:
        return {"error": self.message, "field": self.field, "rule": self.rule}


class PolicyFileError(ValueError):
    """A policy file that cannot be used; the message names the key and what is wrong."""
