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

from django.db.models import Model, Q, QuerySet

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
    """One page of rows and the key values to pass back for the next (None: the last page)."""

    items: list[M]
    next_key: tuple[Any, ...] | None


def keyset_page(
    rows: QuerySet[M],
    *,
    keys: tuple[str, ...],
    after: tuple[Any, ...] | None,
    offset: int = 0,
    limit: int,
) -> KeysetPage[M]:
    """The `limit` rows after `after` (and after `offset` more), in descending order of `keys`,
    whose last is unique (the id, the ticket number); one query, reading one row more to know
    whether there is a next page.

    Rows that tie on the first keys are told apart by the last, so every row appears on exactly
    one page, and a row added meanwhile never shifts the pages after the one it lands on.
    """
    rows = keyset_after(rows, keys=keys, after=after)
    found = list(rows.order_by(*(f"-{key}" for key in keys))[offset : offset + limit + 1])
    items = found[:limit]
    if len(found) <= limit:
        return KeysetPage(items=items, next_key=None)
    last = items[-1]
    return KeysetPage(items=items, next_key=tuple(getattr(last, key) for key in keys))


def keyset_after(
    rows: QuerySet[M], *, keys: tuple[str, ...], after: tuple[Any, ...] | None
) -> QuerySet[M]:
    """The rows after `after` in descending order of `keys`, in that order (all: None)."""
    if after is None:
        return rows
    return rows.filter(_after(keys, after)).order_by(*(f"-{key}" for key in keys))


def _after(keys: tuple[str, ...], values: tuple[Any, ...]) -> Q:
    """Rows strictly after `values` in descending order of `keys`: (a < x) or (a = x and b < y)."""
    condition = Q()
    for position, key in enumerate(keys):
        equal = dict(zip(keys[:position], values[:position], strict=True))
        condition |= Q(**equal, **{f"{key}__lt": values[position]})
    return condition
