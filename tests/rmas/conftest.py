"""RMA tests run at a fixed "now" (between the RMAs' issue and expiry), never the real date."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rmadesk.core import clock
from tests.rmas.factories import pacific

NOW = pacific(2026, 10, 21, 12, 0)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield
