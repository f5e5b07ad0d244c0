"""Row locks for services and scans: lock one record for a transition, claim many for a scan.

Every app locks the same way, so the database-feature checks live here once:

- `lock(queryset, pk)`: the row, locked until the transaction ends. Only that row: rows read
  along with it (`select_related`) are not locked (`FOR UPDATE OF self`), so two tickets of one
  customer never wait on each other.
- `claim(queryset)`: the rows a scan takes, skipping rows another scan or a service holds
  (`FOR UPDATE SKIP LOCKED`), so concurrent workers split the work instead of queueing on it.
- `copy_back(locked, instance)`: the caller's instance sees the locked row's new values.

SQLite has no row locks: a write transaction holds the whole database, which serializes the
same transitions, and these calls add nothing there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connections, transaction
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def _features(queryset: QuerySet[Any]) -> Any:
    return connections[queryset.db].features


def _require_transaction(queryset: QuerySet[Any]) -> None:
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("a row lock lasts for a transaction: call this inside one")


def locked(queryset: QuerySet[M], *, of: Iterable[str] = ("self",)) -> QuerySet[M]:
    """`queryset` locking its rows (and `of` the related ones named) until the commit."""
    options: dict[str, Any] = {}
    if _features(queryset).has_select_for_update_of:
        options["of"] = tuple(of)
    return queryset.select_for_update(**options)


def lock(queryset: QuerySet[M], pk: Any, *, of: Iterable[str] = ("self",)) -> M:
    """The row `pk` of `queryset`, locked for the rest of the transaction."""
    _require_transaction(queryset)
    return locked(queryset, of=of).get(pk=pk)


def claim(queryset: QuerySet[M], *, of: Iterable[str] = ("self",)) -> QuerySet[M]:
    """`queryset` locking its rows, skipping any a concurrent transaction holds."""
    options: dict[str, Any] = {}
    features = _features(queryset)
    if features.has_select_for_update_skip_locked:
        options["skip_locked"] = True
    if features.has_select_for_update_of:
        options["of"] = tuple(of)
    return queryset.select_for_update(**options)


def copy_back(locked_row: M, instance: M, *, forget: Iterable[str] = ()) -> M:
    """Copy the locked row's field values onto the caller's instance; returns the instance.

    A service locks a fresh copy of the row it was handed; the caller may keep using its own
    instance after the call, so it must not be left stale. `forget` names relations whose
    cached objects are now out of date (they are read again when next used).
    """
    if locked_row is instance:
        return instance
    for field in type(instance)._meta.concrete_fields:
        setattr(instance, field.attname, getattr(locked_row, field.attname))
    for name in forget:
        instance._state.fields_cache.pop(name, None)
    return instance
