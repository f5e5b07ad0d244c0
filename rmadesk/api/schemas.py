"""Schema building blocks: strict input (unknown fields refused), aware instants, money strings."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError


def _not_a_number(kind: str, form: str) -> Any:
    """A validator refusing a JSON number where the document says a string: pydantic would read
    0 as 1970-01-01 (a Unix time), which no client means."""

    def check(value: Any) -> Any:
        if isinstance(value, int | float):
            raise PydanticCustomError(kind, f"expected {form} as a string, not a number")
        return value

    return BeforeValidator(check)


# T1: an instant must carry its offset; pydantic refuses a naive one ("timezone_aware").
Instant = Annotated[
    AwareDatetime, _not_a_number("datetime_type", "an ISO 8601 instant with an offset")
]
# A calendar day, YYYY-MM-DD.
Day = Annotated[dt.date, _not_a_number("date_type", "a date YYYY-MM-DD")]
# F4: amounts travel as decimal strings, never floats: up to ten digits, then up to two decimals.
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN)
# pydantic error types that are rule F4 (rmadesk.api.errors).
AMOUNT_ERRORS = frozenset({"amount_type", "amount_format"})


def _amount_text(value: Any) -> Any:
    """Refuse a number (a float is not exact) or a string not written like "1250.00" (F4).

    A Decimal passes: JSON holds none, so it is an answer's own amount being checked.
    """
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "amount_type", 'an amount is a decimal string such as "1250.00", not a number'
        )
    if not _AMOUNT.match(value):
        raise PydanticCustomError(
            "amount_format",
            'an amount is written like "1250.00": digits, then at most two decimals',
        )
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount_text),
    Field(max_digits=12, decimal_places=2, ge=0),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["1250.00"]}),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str),
]
# An ISO 4217 code, as given (a quote's default is the asset's).
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]


class In(Schema):
    """Base of every request body: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(Schema):
    """Base of every response body."""
