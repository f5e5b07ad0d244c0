"""The worker through a database outage: wait, reconnect with back-off, resume (issue 13).

When the database goes away (a restart, a failover, a network cut), the task loop's next query
fails. The worker does not exit: it logs the outage once, then tries the database again after
0.5 s, 1 s, 2 s ... up to RECONNECT_AT_MOST between attempts, and resumes its loop when a query
answers. Nothing is lost meanwhile: tasks and notifications are rows, and a row claimed when
the connection dropped is taken over by the usual lease and recovery rules.

While it waits, the database cannot hold the worker's state, so the worker writes it to a small
file on this machine (`RMADESK_DATA_DIR/workers/<worker id>.json`): `rmadesk worker --status`
and `/readyz` read it, database or not. The file says `reconnecting` (since when, the error,
the attempts) or `running` (with the last outage), and is removed when the worker stops.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections

from rmadesk.core import clock

logger = logging.getLogger("rmadesk.jobs")

UNAVAILABLE = (OperationalError, InterfaceError)
RECONNECT_FIRST = 0.5  # seconds
RECONNECT_AT_MOST = 30.0
MAX_ERROR_CHARS = 200


def describe(error: BaseException) -> str:
    """`OperationalError: connection refused`: the first line, bounded."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return (f"{type(error).__name__}: {first}" if first else type(error).__name__)[:MAX_ERROR_CHARS]


def state_folder() -> Path:
    return Path(settings.RMADESK_DATA_DIR) / "workers"


def reconnect_delay(attempt: int) -> float:
    """The wait before reconnect attempt `attempt + 1`: doubling from 0.5 s, at most 30 s."""
    delay: float = min(RECONNECT_FIRST * 2 ** max(attempt, 0), RECONNECT_AT_MOST)
    return delay


def database_answers() -> None:
    """One trivial query on a fresh connection; raises what the database raised."""
    connections.close_all()  # a connection broken by the outage is never reused
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@dataclass
class WorkerState:
    """What this machine's worker process reports about itself, outside the database."""

    worker_id: str
    folder: Path | None = None

    @property
    def path(self) -> Path:
        folder = self.folder if self.folder is not None else state_folder()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.worker_id)
        return folder / f"{safe}.json"

    def write(self, **state: Any) -> None:
        body = {"worker_id": self.worker_id, "pid": os.getpid(), **state}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".part")
            partial.write_text(json.dumps(body, default=str))
            partial.replace(self.path)  # a reader never sees half a file
        except OSError:
            logger.exception("could not write the worker state to %s", self.path)

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


def wait_for_database(
    state: WorkerState,
    error: BaseException,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Back off until the database answers again; False if told to stop first.

    Logged once when the outage starts and once when it ends (no traceback per attempt).
    """
    since = clock.now()
    attempt = 0
    logger.warning("database unavailable (%s): waiting and reconnecting", describe(error))
    while not should_stop():
        delay = reconnect_delay(attempt)
        state.write(
            state="reconnecting",
            since=since.isoformat(),
            error=describe(error),
            attempts=attempt,
            next_attempt_at=(clock.now() + dt.timedelta(seconds=delay)).isoformat(),
        )
        sleep(delay)
        if should_stop():
            break
        attempt += 1
        try:
            database_answers()
        except UNAVAILABLE as again:
            error = again
            logger.debug("database still unavailable (attempt %d): %s", attempt, describe(again))
            continue
        back = clock.now()
        state.write(
            state="running",
            last_outage={
                "from": since.isoformat(),
                "to": back.isoformat(),
                "error": describe(error),
            },
        )
        logger.warning(
            "database back after %.0f s (%d attempts): resuming",
            (back - since).total_seconds(),
            attempt,
        )
        return True
    return False


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_worker_states(folder: Path | None = None) -> list[dict[str, Any]]:
    """The states the live workers of this machine wrote (a killed worker's file is ignored)."""
    where = folder if folder is not None else state_folder()
    states: list[dict[str, Any]] = []
    for path in sorted(where.glob("*.json")) if where.is_dir() else []:
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(state, dict) and _alive(int(state.get("pid", 0) or 0)):
            states.append(state)
    return states


def summary(state: dict[str, Any]) -> str:
    """One line for `worker --status` and `/readyz`."""
    if state.get("state") == "reconnecting":
        return (
            f"reconnecting to the database since {state.get('since')} "
            f"({state.get('attempts', 0)} attempts, next at {state.get('next_attempt_at')}): "
            f"{state.get('error')}"
        )
    outage = state.get("last_outage")
    if isinstance(outage, dict):
        return (
            f"running; last database outage {outage.get('from')} to {outage.get('to')}: "
            f"{outage.get('error')}"
        )
    return "running"
