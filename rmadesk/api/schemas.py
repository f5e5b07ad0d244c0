"""Schema building blocks: strict input (unknown fields refused), aware instants, money strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, PlainSerializer

# T1: an instant must carry its offset; pydantic refuses a naive one ("timezone_aware").
Instant = AwareDatetime
# F4: amounts travel as decimal strings, never floats.
Amount = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2, ge=0),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str),
]


class In(Schema):
    """Base of every request body: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(Schema):
    """Base of every response body."""
