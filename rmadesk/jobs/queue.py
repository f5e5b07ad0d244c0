"""Putting tasks on the configured queue, and trying a failed one again later (with back-off).

Every task rmadesk enqueues goes through `enqueue` here, so the queue name comes from settings
(`RMADESK_TASKS_QUEUE`) and one settings change moves all of them (database or RQ backend).

Retries: a task decorated with `@retried` that raises is enqueued again after a growing delay
(30 s, 1 min, 2 min, ... by default) until `RMADESK_TASK_MAX_ATTEMPTS`; after the last attempt it
becomes a `DeadLetter`, listed in the console, from where a person can queue it again.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResult

from rmadesk.core import clock
from rmadesk.jobs.models import DeadLetter

logger = logging.getLogger("rmadesk.jobs")

R = TypeVar("R")

MAX_BACKOFF = dt.timedelta(hours=1)


# The queue tasks are defined on: read once, at import, because the backend checks a task's
# queue when the task is defined (`@task(queue_name=TASK_QUEUE)`).
TASK_QUEUE = str(getattr(settings, "RMADESK_TASKS_QUEUE", "default"))


def queue_name() -> str:
    return str(getattr(settings, "RMADESK_TASKS_QUEUE", "default"))


# Periodic jobs go ahead of single notifications where the backend orders by priority (the
# database backend): a backlog of thousands of mails must not hold up the day-14 scan.
PERIODIC_PRIORITY = 10


def enqueue(
    task: Task[..., Any],
    *args: Any,
    run_after: dt.datetime | None = None,
    periodic: bool = False,
    **kwargs: Any,
) -> TaskResult[Any]:
    """Queue `task(*args, **kwargs)` on rmadesk's queue, now or not before `run_after`."""
    options: dict[str, Any] = {"queue_name": queue_name()}
    if run_after is not None:
        options["run_after"] = run_after
    if periodic and task.get_backend().supports_priority:
        options["priority"] = PERIODIC_PRIORITY
    return task.using(**options).enqueue(*args, **kwargs)


def enqueue_on_commit(task: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Queue the task once the current transaction commits (at once outside one).

    `robust`: the change is committed whatever happens to the queue, so a broker that is down
    must not turn a saved change into an error page; it is logged, and the periodic sweep that
    backs every such task (the outbox sweep, the scans) does the work a minute later.
    """

    def enqueue_now() -> None:
        enqueue(task, *args, **kwargs)

    # A named function, not a partial: Django logs a robust callback's failure by its name.
    enqueue_now.__qualname__ = f"enqueue({getattr(task, 'name', task)})"
    transaction.on_commit(enqueue_now, robust=True)


def backoff(attempt: int) -> dt.timedelta:
    """The wait before attempt `attempt + 1`: doubling from the first back-off, capped at 1 h."""
    first = dt.timedelta(seconds=int(getattr(settings, "RMADESK_TASK_FIRST_BACKOFF_SECONDS", 30)))
    wait: dt.timedelta = min(first * 2 ** max(attempt - 1, 0), MAX_BACKOFF)
    return wait


def max_attempts() -> int:
    return max(1, int(getattr(settings, "RMADESK_TASK_MAX_ATTEMPTS", 5)))


def retried(function: Callable[..., R]) -> Callable[..., R]:
    """Make a task function try again with back-off when it raises, then dead-letter it.

    The wrapped function takes one more keyword, `attempt` (1 for the first run). Apply it under
    `@task`, so the task's path names the wrapper, which re-enqueues itself by that path.
    """

    @functools.wraps(function)
    def run(*args: Any, attempt: int = 1, **kwargs: Any) -> R:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            path = f"{function.__module__}.{function.__qualname__}"
            _after_failure(path, list(args), dict(kwargs), attempt, error)
            raise  # the backend records this attempt as failed, too

    return run


def _after_failure(
    path: str, args: list[Any], kwargs: dict[str, Any], attempt: int, error: BaseException
) -> None:
    if attempt < max_attempts():
        # The queue compares run_after with the real time, so that is what sets it (a frozen
        # test clock must not push a retry into the past or the far future).
        run_after = dt.datetime.now(dt.UTC) + backoff(attempt)
        try:
            again = import_string(path)
            enqueue(again, *args, run_after=run_after, attempt=attempt + 1, **kwargs)
            logger.warning(
                "task %s failed (attempt %d of %d), retrying at %s: %s",
                path,
                attempt,
                max_attempts(),
                run_after.isoformat(),
                error,
            )
            return
        except Exception:  # the queue itself is failing: keep the task where a person sees it
            logger.exception("task %s failed and could not be queued again", path)
    DeadLetter.objects.create(
        task_path=path,
        args=args,
        kwargs=kwargs,
        attempts=attempt,
        error=f"{type(error).__name__}: {error}"[:4000],
        traceback="".join(traceback.format_exception(error))[-20000:],
        failed_at=clock.now(),
    )
    logger.error("task %s failed on attempt %d: dead-lettered: %s", path, attempt, error)
