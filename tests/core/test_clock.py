"""The injectable clock: overrides, their scope and precedence, and rule T1 (naive refused)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from rmadesk.core import clock
from rmadesk.policy.errors import PolicyError

UTC = dt.UTC
INSTANT = dt.datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
LATER = dt.datetime(2027, 3, 8, 9, 30, tzinfo=UTC)


def test_now_is_the_real_time_in_utc_without_an_override() -> None:
    before = dt.datetime.now(UTC)
    now = clock.now()
    after = dt.datetime.now(UTC)
    assert before <= now <= after
    assert now.tzinfo is UTC


def test_frozen_at_fixes_now_and_restores_it_on_exit() -> None:
    with clock.frozen_at(INSTANT) as frozen:
        assert frozen == INSTANT
        assert clock.now() == INSTANT
        assert clock.now() == INSTANT  # time does not advance inside the block
    assert clock.now() != INSTANT


def test_frozen_at_converts_to_utc() -> None:
    pacific = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    with clock.frozen_at(pacific):
        now = clock.now()
    assert now == INSTANT
    assert now.tzinfo is UTC
    assert now.hour == 18


def test_frozen_at_nests_and_restores_the_outer_instant() -> None:
    with clock.frozen_at(INSTANT):
        with clock.frozen_at(LATER):
            assert clock.now() == LATER
        assert clock.now() == INSTANT


def test_frozen_at_restores_on_error() -> None:
    with pytest.raises(RuntimeError), clock.frozen_at(INSTANT):
        raise RuntimeError("boom")
    assert clock.now() != INSTANT


def test_set_now_overrides_process_wide_until_cleared() -> None:
    clock.set_now(INSTANT)
    assert clock.now() == INSTANT
    seen: list[dt.datetime] = []
    # A thread started afterwards sees it too: this is why `--now` is not a ContextVar.
    worker = threading.Thread(target=lambda: seen.append(clock.now()))
    worker.start()
    worker.join()
    assert seen == [INSTANT]
    clock.set_now(None)
    assert clock.now() != INSTANT


def test_set_now_converts_to_utc() -> None:
    clock.set_now(dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    assert clock.now() == INSTANT
    assert clock.now().tzinfo is UTC


def test_frozen_at_takes_precedence_over_set_now() -> None:
    clock.set_now(INSTANT)
    with clock.frozen_at(LATER):
        assert clock.now() == LATER
    assert clock.now() == INSTANT


def test_frozen_at_is_scoped_to_its_thread() -> None:
    seen: list[dt.datetime] = []
    with clock.frozen_at(INSTANT):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
    assert seen[0] != INSTANT


def test_frozen_at_is_scoped_to_its_asyncio_task() -> None:
    async def at(instant: dt.datetime) -> dt.datetime:
        with clock.frozen_at(instant):
            await asyncio.sleep(0)  # let the other task run while frozen
            return clock.now()

    async def both() -> list[dt.datetime]:
        return list(await asyncio.gather(at(INSTANT), at(LATER)))

    assert asyncio.run(both()) == [INSTANT, LATER]


@pytest.mark.parametrize(
    "override",
    [
        pytest.param(lambda at: clock.frozen_at(at).__enter__(), id="frozen_at"),
        pytest.param(clock.set_now, id="set_now"),
    ],
)
def test_T1_naive_instant_is_refused(override: object) -> None:
    naive = dt.datetime(2026, 11, 25, 10, 0)
    with pytest.raises(PolicyError) as refused:
        override(naive)  # type: ignore[operator]
    assert refused.value.rule == "T1"
    assert "no offset" in str(refused.value)
    assert clock.now() != naive.replace(tzinfo=UTC)


def test_a_date_is_not_an_instant() -> None:
    with pytest.raises(TypeError), clock.frozen_at(dt.date(2026, 11, 25)):  # type: ignore[arg-type]
        pass
