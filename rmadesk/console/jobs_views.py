"""Agent console: the background work — worker status, failed tasks, undelivered notifications.

Every staff role may read the page (it says whether scans and mail are running). Putting failed
work back on the queue, or discarding it, is for managers and admins: `rmadesk.jobs.services`
checks the role, and the page answers a refusal with 403 and the service's message. A record
that is not waiting any more (retried in another tab) is not an error: the page says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rmadesk.console.pages import Refusal, act
from rmadesk.jobs import services
from rmadesk.jobs.models import DeadLetter
from rmadesk.jobs.permissions import may_operate
from rmadesk.jobs.selectors import failed_notifications, open_dead_letters, worker_status
from rmadesk.web.decorators import staff_page

PAGE_SIZE = 25
# The page's two lists page separately; each keeps the other's page in its links.
PAGE_PARAMETERS = ("tasks_page", "mail_page")


def _page(request: HttpRequest, rows: QuerySet[Any], parameter: str) -> Page[Any]:
    """One page of rows: a COUNT and one SELECT, whatever the number of rows."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(parameter))


def _pages_query(request: HttpRequest, *, without: str = "") -> str:
    """The page numbers the viewer is on (digits only), for links and the redirect back."""
    pairs = [
        (name, request.GET[name])
        for name in PAGE_PARAMETERS
        if name != without and request.GET.get(name, "").isdigit()
    ]
    return urlencode(pairs)


def _back(request: HttpRequest) -> str:
    query = _pages_query(request)
    return reverse("console:jobs") + (f"?{query}" if query else "")


def _arguments(letter: DeadLetter) -> str:
    """The task's arguments as the call it was: `"expire_rmas", run_pk=7`."""
    shown = [json.dumps(value) for value in letter.args]
    shown += [f"{key}={json.dumps(value)}" for key, value in letter.kwargs.items()]
    return ", ".join(shown)


def jobs_page(request: HttpRequest, *, refusal: Refusal | None = None) -> dict[str, Any]:
    status = worker_status()
    tasks = _page(request, open_dead_letters(), "tasks_page")
    mail = _page(request, failed_notifications(), "mail_page")
    return {
        "status": status,
        "outbox": list(status.outbox.items()),  # queued, sending, sent, failed
        "tasks": tasks,
        "letters": [(letter, _arguments(letter)) for letter in tasks.object_list],
        "mail": mail,
        "tasks_query": _pages_query(request, without="tasks_page"),
        "mail_query": _pages_query(request, without="mail_page"),
        "pages_query": _pages_query(request),
        "may_operate": may_operate(request.user),
        "refusal": refusal,
    }


@staff_page
def jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "console/jobs.html", jobs_page(request))


class _NothingToDo(Exception):
    """The record is no longer waiting for a person (handled in another tab): not an error."""


def _operate(request: HttpRequest, name: str, perform: Callable[[], str]) -> HttpResponse:
    """Run one service call; 404 for a record that does not exist, a note if it is not waiting."""

    def perform_if_waiting() -> str:
        try:
            return perform()
        except services.NotRetryable as error:
            raise _NothingToDo(error.message) from error

    try:
        return act(
            request,
            perform_if_waiting,
            done=_back(request),
            page=lambda refusal: jobs_page(request, refusal=refusal),
            template="console/jobs.html",
            name=name,
        )
    except _NothingToDo as note:
        messages.warning(request, f"Nothing done: {note}.")
        return redirect(_back(request))


@staff_page
@require_POST
def retry_task(request: HttpRequest, pk: int) -> HttpResponse:
    def perform() -> str:
        letter = services.retry_dead_letter(dead_letter_id=pk, actor=request.user)
        return f"Queued again: {letter.task_path}({_arguments(letter)}), from its first attempt."

    return _operate(request, "retry", perform)


@staff_page
@require_POST
def discard_task(request: HttpRequest, pk: int) -> HttpResponse:
    def perform() -> str:
        letter = services.discard_dead_letter(dead_letter_id=pk, actor=request.user)
        return f"Discarded: {letter.task_path}({_arguments(letter)}) will not run (kept on record)."

    return _operate(request, "discard", perform)


@staff_page
@require_POST
def retry_notification(request: HttpRequest, pk: int) -> HttpResponse:
    def perform() -> str:
        message = services.retry_failed_notification(message_pk=pk, actor=request.user)
        return f"Queued again: “{message.subject}” to {', '.join(message.to)}."

    return _operate(request, "retry notification", perform)
