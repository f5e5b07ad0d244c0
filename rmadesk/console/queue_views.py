"""The queue pages: views, sorting, the table and its live rows, bulk actions, saved views.

Thin like every console view: the query string is parsed into `QueueFilters`, the selectors of
`queue_selectors` read the page, and every write is one service call (`tickets.services` per
ticket for bulk actions, `console.services` for saved views) whose refusal is shown in the
service's words. `/console/` is where staff land: a role with a page of its own (the clerk's
receiving desk, finance's invoices) is sent there (`web.landing`), others see the queue.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rmadesk.console import services
from rmadesk.console.pages import REFUSALS, is_htmx, paginate, refusal_of
from rmadesk.console.permissions import may_share_views
from rmadesk.console.queue_selectors import (
    BUILT_IN_VIEWS,
    DUE_WITHIN_HOUR,
    MINE,
    SORT_LABELS,
    STATUS_CHOICES,
    QueueFilters,
    View,
    current_view,
    queue,
    saved_views,
)
from rmadesk.console.selectors import (
    PAGE_SIZE,
    UNASSIGNED,
    assignable_staff,
    customers_for_filter,
    queue_badge,
)
from rmadesk.core import clock
from rmadesk.core.bounds import read_record_id
from rmadesk.core.permissions import user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.tickets import services as ticket_services
from rmadesk.tickets.choices import Channel, Severity
from rmadesk.tickets.services import BulkOutcome
from rmadesk.web.decorators import staff_page
from rmadesk.web.landing import landing_url, lands_on_queue

FILTERS_COOKIE = "rmadesk_queue_filters"  # "open" or "closed", set by the page's script
ROWS_TARGET = "queue-rows"  # the table body the page refreshes every 30 s
MAX_NUMBER_DIGITS = 18


# ------------------------------------------------------------------------------ the page


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    """`/console/`: the queue, or the page of a role that works elsewhere."""
    if not lands_on_queue(request.user):
        return redirect(landing_url(request.user))
    return _queue_page(request)


@staff_page
def queue_page(request: HttpRequest) -> HttpResponse:
    """`/console/queue/`: the queue for every staff role."""
    return _queue_page(request)


def _columns(filters: QueueFilters) -> list[dict[str, Any]]:
    """The sortable columns: each header's link (ascending first, then the reverse)."""
    current = filters.sort_key or "due"
    columns = []
    for key, label in SORT_LABELS.items():
        ascending = current == key
        descending = current == f"-{key}"
        following = f"-{key}" if ascending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "query": filters.query_string(sort="" if following == "due" else following),
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
            }
        )
    return columns


def _queue_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = QueueFilters.from_query(request.GET)
    now = clock.now()
    rows_only = is_htmx(request) and request.headers.get("HX-Target") == ROWS_TARGET
    # The live refresh of the rows needs no views: they are outside the table body.
    views: list[View] = [] if rows_only else [*BUILT_IN_VIEWS, *saved_views(user)]
    chosen = current_view(filters, views)
    page = paginate(request, queue(user, filters, now=now), PAGE_SIZE)
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "rows": [(ticket, queue_badge(ticket, now)) for ticket in page.object_list],
        "pager_query": filters.query_string(),
        "query": filters.query_string(),
        "path": request.path,
        "columns": _columns(filters),
        "views": views,
        "chosen": chosen,
        "user_id": user.pk,
    }
    if rows_only:
        return render(request, "console/_queue_rows.html", context)
    policy = active_policy()
    context |= {  # the bulk bar above the table
        "assignees": [(u.pk, u.email or u.username) for u in assignable_staff()],
        "unassigned": UNASSIGNED,
        "mine": MINE,
        "out_of_scope_reasons": policy.document.scope.out_of_scope_reasons,
    }
    if is_htmx(request):
        return render(request, "console/_queue_table.html", context | {"oob": True})
    remembered = request.COOKIES.get(FILTERS_COOKIE)
    context |= {
        # Folded unless filters are in use outside a view; then as the user last left them.
        "filters_open": remembered == "open" if remembered else chosen is None and filters.active,
        "plans": [(key, plan.title) for key, plan in policy.document.plans.items()],
        "severities": Severity.choices,
        "statuses": STATUS_CHOICES,
        "channels": Channel.choices,
        "due_within_hour": DUE_WITHIN_HOUR,
        "customers": customers_for_filter(),
        "may_share": may_share_views(user),
    }
    return render(request, "console/queue.html", context)


def _back(request: HttpRequest, query: str | None = None) -> HttpResponse:
    """Back to the queue as it was (the filters and sort the form came from)."""
    text = request.POST.get("back", "") if query is None else query
    canonical = QueueFilters.from_string(text).query_string()
    return redirect(reverse("console:queue") + (f"?{canonical}" if canonical else ""))


# ------------------------------------------------------------------------- bulk actions


def _numbers(request: HttpRequest) -> list[int]:
    return [
        number
        for value in request.POST.getlist("ticket")
        if len(value) <= MAX_NUMBER_DIGITS and (number := read_record_id(value)) is not None
    ]


def _report(request: HttpRequest, outcome: BulkOutcome, done: str) -> None:
    """One message for the tickets that changed, one per ticket that did not, in plain words."""
    if outcome.done:
        listed = ", ".join(f"#{n}" for n in outcome.done)
        messages.success(request, f"{done} ({listed}).")
    for number, why in outcome.refused:
        messages.error(
            request,
            _("#%(number)s was not changed: %(why)s") % {"number": number, "why": why.rstrip(".")}
            + ".",
        )


def _count(outcome: BulkOutcome) -> int:
    return len(outcome.done)


@staff_page
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """One action on the checked tickets, one service call per ticket (tickets.services.bulk)."""
    numbers = _numbers(request)
    action = request.POST.get("action", "")
    if not numbers:
        messages.error(request, _("Check at least one ticket first."))
        return _back(request)
    actor = request.user
    try:
        if action == "assign":
            chosen = request.POST.get("assignee", "")
            if chosen == UNASSIGNED:
                assignee = None
            elif chosen == MINE:
                assignee = user_or_none(actor)
            else:
                chosen_id = read_record_id(chosen)
                assignee = (
                    None if chosen_id is None else assignable_staff().filter(pk=chosen_id).first()
                )
                if assignee is None:
                    messages.error(request, _("Choose whom to assign the tickets to."))
                    return _back(request)
            outcome = ticket_services.assign_tickets(
                actor=actor, numbers=numbers, assignee=assignee
            )
            who = "nobody" if assignee is None else str(assignee.email or assignee.username)
            n = _count(outcome)
            _report(
                request,
                outcome,
                ngettext("%(n)d ticket assigned to %(who)s", "%(n)d tickets assigned to %(who)s", n)
                % {"n": n, "who": who},
            )
        elif action == "wait":
            outcome = ticket_services.wait_on_customer_for(actor=actor, numbers=numbers)
            n = _count(outcome)
            _report(
                request,
                outcome,
                ngettext(
                    "%(n)d ticket now waits on the customer (rule L5)",
                    "%(n)d tickets now wait on the customer (rule L5)",
                    n,
                )
                % {"n": n},
            )
        elif action == "resume":
            outcome = ticket_services.resume_tickets(actor=actor, numbers=numbers)
            n = _count(outcome)
            _report(
                request,
                outcome,
                ngettext(
                    "%(n)d ticket waits on us again (rule L5)",
                    "%(n)d tickets wait on us again (rule L5)",
                    n,
                )
                % {"n": n},
            )
        elif action == "close":
            reason = request.POST.get("reason", "").strip()
            if not reason:
                messages.error(
                    request, _("Give a reason for closing: the customers see it with the ticket.")
                )
                return _back(request)
            scope = request.POST.get("out_of_scope", "").strip() or None
            outcome = ticket_services.close_tickets(
                actor=actor, numbers=numbers, reason=reason, out_of_scope=scope
            )
            n = _count(outcome)
            _report(
                request,
                outcome,
                ngettext("%(n)d ticket closed", "%(n)d tickets closed", n) % {"n": n},
            )
        else:
            messages.error(request, _("Choose an action for the checked tickets."))
    except REFUSALS as error:  # the role may not do it at all: said once, not per ticket
        messages.error(request, refusal_of(error).text.rstrip(".") + ".")
    return _back(request)


# -------------------------------------------------------------------------- saved views


def _refused(request: HttpRequest, error: Exception, query: str) -> HttpResponse:
    messages.error(request, refusal_of(error).text)  # type: ignore[arg-type]
    return _back(request, query)


@staff_page
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        view = services.save_view(
            actor=request.user,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except REFUSALS as error:
        return _refused(request, error, query)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return _back(request, view.query)


@staff_page
@require_POST
def rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    query = request.POST.get("back", "")
    try:
        view = services.rename_view(
            actor=request.user, view_id=pk, name=request.POST.get("name", "")
        )
    except REFUSALS as error:
        return _refused(request, error, query)
    messages.success(request, _("View renamed “%(name)s”.") % {"name": view.name})
    return _back(request, view.query)


@staff_page
@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    query = request.POST.get("back", "")
    try:
        name = services.delete_view(actor=request.user, view_id=pk)
    except REFUSALS as error:
        return _refused(request, error, query)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return _back(request, "")
