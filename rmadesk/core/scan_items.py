"""One bad row does not stop a scan: each item runs in its own savepoint.

A periodic scan (`rmadesk.jobs.scans`) walks many rows; one of them may be bad (legacy data a
bound now refuses, a bug). `each_item` runs one row's work in a savepoint: an error there is
undone alone, logged with its traceback, and reported to whoever is collecting
(`collecting_item_failures`, the scan runner); the scan goes on with the next row, and the
failed row, left as it was, is tried again on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger("rmadesk.scans")


@dataclass(frozen=True)
class ItemFailure:
    """One row a scan could not process: which (`rma R-2026-0001`) and the error."""

    item: str
    error: str

    def __str__(self) -> str:
        return f"{self.item}: {self.error}"


_collected: ContextVar[list[ItemFailure] | None] = ContextVar("scan_item_failures", default=None)


@contextmanager
def collecting_item_failures() -> Iterator[list[ItemFailure]]:
    """Collect the failures `each_item` reports inside the block, in the list it yields."""
    failures: list[ItemFailure] = []
    token = _collected.set(failures)
    try:
        yield failures
    finally:
        _collected.reset(token)


@contextmanager
def each_item(kind: str, key: object) -> Iterator[None]:
    """Run one item of a scan in a savepoint; an error is undone, logged, reported, swallowed."""
    try:
        with transaction.atomic():
            yield
    except Exception as error:  # one bad row: logged with its traceback, the scan goes on
        report_item_failure(kind, key, error)


def report_item_failure(kind: str, key: object, error: Exception) -> None:
    """Log and report one row a scan skipped (a set-based scan leaves it out of its batch)."""
    logger.error(
        "scan skipped %s %s after an error; it is retried on the next run",
        kind,
        key,
        exc_info=error,
    )
    failures = _collected.get()
    if failures is not None:
        failures.append(ItemFailure(f"{kind} {key}", f"{type(error).__name__}: {error}"))
