"""Checks of plain input every service shares: required text, yes/no answers, instants (T1)."""

from __future__ import annotations

import datetime as dt

from rmadesk.core.errors import InvalidInput
from rmadesk.policy.instants import require_aware


def required_text(
    value: object,
    field: str,
    *,
    max_length: int | None = None,
    rule: str | None = None,
    what: str | None = None,
) -> str:
    """The text without surrounding blanks; refused when missing, blank or too long.

    `what` names the value in the refusal ("a reason for accepting a flagged package"), by
    default the field's name.
    """
    name = what or field
    if not isinstance(value, str) or not value.strip():
        suffix = f" (rule {rule})" if rule and what else ""
        raise InvalidInput(f"{name} is required{suffix}", rule=rule, field=field)
    text = value.strip()
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(f"{name} is at most {max_length} characters", rule=rule, field=field)
    return text


def yes_or_no(value: object, field: str) -> bool:
    """A yes/no answer given as a boolean (never "yes", 1 or a blank: those are refused)."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false", field=field)
    return value


def aware_instant(value: object, field: str) -> dt.datetime:
    """An instant with an offset, in UTC; anything else is refused (T1: never a guess)."""
    if not isinstance(value, dt.datetime):
        raise InvalidInput(
            f"{field} must be an ISO 8601 instant with an offset, e.g. 2026-11-25T16:00-08:00",
            rule="T1",
            field=field,
        )
    return require_aware(value, field).astimezone(dt.UTC)
