"""Agent console: the queue, a thin view over the selectors of the API (a ticket's page and its
actions are in `ticket_views`).

Every page is `staff_page` (a customer's contact gets 404, an anonymous visitor the login);
which staff role may do what is checked by the services, and a refusal is shown on the page with
its rule (pages.act). Nothing here computes a due time: clocks come from the ticket services.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rmadesk.console.pages import is_htmx, paginate, query_without_page
from rmadesk.console.selectors import (
    PAGE_SIZE,
    QUEUE_STATUSES,
    UNASSIGNED,
    QueueFilters,
    assignable_staff,
    customers_for_filter,
    queue,
    queue_badge,
)
from rmadesk.core import clock
from rmadesk.core.policies import active_policy
from rmadesk.tickets.choices import Channel, Severity
from rmadesk.web.decorators import staff_page

# ------------------------------------------------------------------------------- the queue


def _filters(request: HttpRequest) -> QueueFilters:
    return QueueFilters(
        **{
            name: request.GET.get(name, "").strip()[:200]
            for name in QueueFilters.__dataclass_fields__
        }
    )


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    """The queue: open tickets by next due time, filtered and searched, one page at a time."""
    filters = _filters(request)
    page = paginate(request, queue(request.user, filters), PAGE_SIZE)
    now = clock.now()
    rows = [(ticket, queue_badge(ticket, now)) for ticket in page.object_list]
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "pager_query": query_without_page(request),
    }
    if is_htmx(request):
        return render(request, "console/_queue_table.html", context)
    policy = active_policy()
    context |= {
        "plans": [(key, plan.title) for key, plan in policy.document.plans.items()],
        "severities": Severity.choices,
        "statuses": [(s.value, s.label) for s in QUEUE_STATUSES],
        "channels": Channel.choices,
        "assignees": [(u.pk, u.email or u.username) for u in assignable_staff()],
        "unassigned": UNASSIGNED,
        "customers": customers_for_filter(),
    }
    return render(request, "console/queue.html", context)
