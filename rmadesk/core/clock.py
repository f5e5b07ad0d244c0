"""The one injectable "now": domain code calls `now()`, never `datetime.now()` or `timezone.now()`.

Tests and `--now` flags move time by overriding this clock, so every deadline, late fee and
service-level figure can be computed for a chosen instant (ARCHITECTURE "Time", rule T1).

Two overrides, because they are used differently:

- `frozen_at(instant)` is a context manager backed by a `ContextVar`. It is scoped: it applies to
  the current thread or asyncio task only and is undone on exit even if the block raises, and
  nested blocks restore the outer instant. Tests running side by side (threads, async tasks)
  therefore cannot see each other's time.
- `set_now(instant | None)` is a process-wide module global, for a command-line `--now` that
  must hold everywhere in the process. A ContextVar would not do: threads started later (the
  development server's request threads, a thread pool) begin with an empty context and would
  silently see the real time.

`now()` looks at the scoped override first, then the process-wide one, then the real clock.
Every instant is checked for an offset (naive is refused, T1) and returned in UTC.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from rmadesk.policy.errors import PolicyError

UTC = dt.UTC

_scoped: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "rmadesk_clock_now", default=None
)
_process_wide: dt.datetime | None = None


def now() -> dt.datetime:
    """The current instant as an aware UTC datetime, or the overriding instant if one is set."""
    override = _scoped.get()
    if override is None:
        override = _process_wide
    if override is not None:
        return override
    return dt.datetime.now(UTC)


@contextmanager
def frozen_at(instant: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, `now()` returns `instant` (in UTC) in this thread or task.

    The instant stays fixed: time does not advance inside the block.
    """
    fixed = _to_utc(instant)
    token = _scoped.set(fixed)
    try:
        yield fixed
    finally:
        _scoped.reset(token)


def set_now(instant: dt.datetime | None) -> None:
    """Make `now()` return `instant` process-wide (for `--now`); None restores the real clock.

    A `frozen_at` block still takes precedence inside it.
    """
    global _process_wide  # noqa: PLW0603 -- the process-wide override is this global by design
    _process_wide = None if instant is None else _to_utc(instant)


def _to_utc(instant: dt.datetime) -> dt.datetime:
    """`instant` in UTC; a naive datetime (or a date) is refused rather than guessed (T1)."""
    if not isinstance(instant, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(instant).__name__}: {instant!r}")
    if instant.tzinfo is None or instant.tzinfo.utcoffset(instant) is None:
        raise PolicyError(
            f"naive datetime {instant.isoformat()} has no offset; give one, e.g. "
            f"{instant.isoformat()}Z",
            rule="T1",
            field="now",
        )
    return instant.astimezone(UTC)
