"""Bounded input types of the API: each range the server enforces is in the OpenAPI document.

A value outside answers 422 `{"error", "field", "rule"}` naming the field, before any service
runs (issue 13). Strings are bounded by their model field's max_length (`length_of`).

Some rules are the services' own, answered 400 naming the field and the rule (a reason R3
requires, a plan L1 knows): `non_blank` and `one_of` state them in the document without moving
them out of the service, so a client reads the rule and the service keeps its message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from django.db.models import Model
from ninja import Path
from pydantic import Field

from rmadesk.api.constraints import NON_BLANK_PATTERN
from rmadesk.core.bounds import MAX_DRIVES, MAX_RECORD_ID
from rmadesk.customers.models import MAX_PAYMENT_TERMS_DAYS

# F1: 0 (payment upfront) to a year.
PaymentTermsDays = Annotated[int, Field(ge=0, le=MAX_PAYMENT_TERMS_DAYS)]
# L8: a TrueCommand asset's drives.
Drives = Annotated[int, Field(ge=0, le=MAX_DRIVES)]
# The id of a record: a signed 64-bit integer on both databases.
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
# A text column (a message's body, a reason): longer text goes in an attachment.
LONG_TEXT = 100_000
# A list's page cursor (issue 15): digits only, short enough to stay inside a record id's range.
CURSOR_LENGTH = 18
CURSOR_PATTERN = rf"^[0-9]{{1,{CURSOR_LENGTH}}}$"
# The same, in a URL's path.
PathId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID)]


def length_of(model: type[Model], field: str) -> int:
    """The max_length of a model's text field: the longest text the API accepts for it."""
    length: Any = getattr(model._meta.get_field(field), "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{field} has no max_length")
    return length


def non_blank() -> Any:
    """Text a rule requires: at least one character that is not a space (the service says so)."""
    return Field(json_schema_extra={"minLength": 1, "pattern": NON_BLANK_PATTERN})


def one_of(values: Iterable[str]) -> Any:
    """Text that must be one of `values` (the service refuses another, naming its rule)."""
    return Field(json_schema_extra={"enum": list(values)})
