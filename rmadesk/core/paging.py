"""Lists that stay fast at a million rows: keyset pages and capped counts (issue 15).

An OFFSET page reads and throws away every row before it, and an exact COUNT reads every row
that matches: both grow with the table. A keyset page starts after the last row of the page
before (`WHERE key < last ORDER BY key DESC LIMIT n`), read from the key's index at the same
cost on page 1 and page 20,000; a capped count stops counting at `COUNT_LIMIT`, so a list
says "10,000+" instead of reading a million rows to print a number nobody reads exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Where a count stops: beyond it a list says "10,000+".
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class CappedCount:
    """How many rows match, counted up to `limit`: `exact` is False when there are more."""

    value: int
    exact: bool

    def __str__(self) -> str:
        return f"{self.value:,}" if self.exact else f"{self.value:,}+"


def capped_count(rows: QuerySet[Any], limit: int | None = None) -> CappedCount:
    """Count `rows` up to `limit` (default COUNT_LIMIT): one COUNT over at most `limit + 1` rows."""
    limit = COUNT_LIMIT if limit is None else limit
    found = rows.order_by()[: limit + 1].count()
    return CappedCount(value=min(found, limit), exact=found <= limit)


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    """One page of rows and the key to pass back for the next (None: this is the last)."""

    items: list[M]
    next_key: int | None


def keyset_page(
    rows: QuerySet[M], *, key: str, after: int | None, offset: int, limit: int
) -> KeysetPage[M]:
    """The `limit` rows after `after` (and after `offset` more) in descending order of the
    unique integer field `key`; one query (it reads one row more to know if there is a next).

    The key is unique, so no two rows tie: every row appears on exactly one page, and a row
    added meanwhile never shifts the pages after the one it lands on.
    """
    if after is not None:
        rows = rows.filter(**{f"{key}__lt": after})
    found = list(rows.order_by(f"-{key}")[offset : offset + limit + 1])
    items = found[:limit]
    has_next = len(found) > limit
    return KeysetPage(items=items, next_key=getattr(items[-1], key) if has_next else None)
