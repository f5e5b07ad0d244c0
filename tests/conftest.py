"""Fixtures shared by the whole test suite. Per-app fixtures live next to their tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rmadesk.core import clock


@pytest.fixture(autouse=True)
def _real_clock_after_each_test() -> Iterator[None]:
    """Undo a process-wide `clock.set_now` a test forgot, so it cannot leak into the next test."""
    yield
    clock.set_now(None)
