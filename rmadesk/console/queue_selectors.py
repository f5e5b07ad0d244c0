"""Reads of the agent queue: its filters, built-in and saved views, sort orders and search.

A queue page is described entirely by its query string (filters and sort), so any page can be
bookmarked, shared or saved as a view; a view is a name for such a query string. Every list
starts from `visible_tickets`, so the console shows exactly what the API would, and is one
page of rows read in one query with its customer, asset and assignee joined: a page costs the
same number of queries at 5 or 100,000 tickets, whatever the view or the sort.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import connection
from django.db.models import (
    BooleanField,
    F,
    Q,
    QuerySet,
)
from django.db.models.expressions import OrderBy, RawSQL
from django.utils.translation import gettext_lazy as _

from rmadesk.assets.models import Asset
from rmadesk.console.models import SavedView
from rmadesk.console.selectors import QUEUE_STATUSES, SOON, UNASSIGNED, read_number
from rmadesk.core.bounds import read_record_id
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.customers.models import Customer
from rmadesk.rmas.models import RmaItem
from rmadesk.tickets.choices import CLOSED_STATUSES, TicketStatus
from rmadesk.tickets.models import QUEUE_ORDER, STATUS_RANK, Message, Ticket
from rmadesk.tickets.selectors import visible_tickets

MINE = "me"  # the assignee filter's value for "assigned to whoever is looking"
# Status filter values beyond one status: the queue's default (open or waiting), every closed
# ticket, every ticket.
CLOSED = "closed"
ANY_STATUS = "any"
STATUS_CHOICES: tuple[tuple[str, Any], ...] = (
    (TicketStatus.OPEN.value, _("open, waiting on us")),
    (TicketStatus.WAITING_ON_CUSTOMER.value, _("waiting on the customer")),
    (CLOSED, _("closed (resolved, out of scope or warranty denied)")),
    (TicketStatus.RESOLVED.value, _("resolved")),
    (TicketStatus.OUT_OF_SCOPE.value, _("closed as out of scope")),
    (TicketStatus.WARRANTY_DENIED.value, _("closed, warranty claim denied")),
    (ANY_STATUS, _("any status, closed included")),
)
DUE_WITHIN_HOUR = "hour"
CLOSED_THIS_WEEK = "week"


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows and in which order: the page's query string, parsed."""

    plan: str = ""
    severity: str = ""
    status: str = ""  # "" open or waiting; a status; "closed"; "any"
    channel: str = ""
    assignee: str = ""  # a user id, "none" for unassigned tickets, "me" for the viewer's
    customer: str = ""  # a customer id
    due: str = ""  # "hour": next due time within the coming hour
    closed: str = ""  # "week": closed since Monday 00:00 in the vendor's zone
    q: str = ""
    sort: str = ""  # a key of SORTS, "-" first for descending; "" the queue's order

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        """From a QueryDict or a dict of strings; unknown keys are ignored, values trimmed."""
        return cls(**{f.name: str(query.get(f.name, "") or "").strip()[:200] for f in fields(cls)})

    @classmethod
    def from_string(cls, text: str) -> QueueFilters:
        return cls.from_query(dict(parse_qsl(text.lstrip("?"))))

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the sort does not)."""
        return any(getattr(self, f.name) for f in fields(self) if f.name != "sort")

    @property
    def active_count(self) -> int:
        return sum(1 for f in fields(self) if f.name != "sort" and getattr(self, f.name))

    @property
    def sort_key(self) -> str:
        """The sort in force: a known key with its direction, else the queue's order."""
        return self.sort if self.sort.lstrip("-") in SORTS else ""

    def query_string(self, **changes: str) -> str:
        """The canonical query string (fields in order, empty ones left out)."""
        chosen = replace(self, **changes) if changes else self
        pairs = [(f.name, getattr(chosen, f.name)) for f in fields(chosen)]
        return urlencode([(name, value) for name, value in pairs if value])

    def without_sort(self) -> QueueFilters:
        return replace(self, sort="")


# ------------------------------------------------------------------------------- the views


@dataclass(frozen=True)
class View:
    """A named queue: built in (`key` a word) or saved by a user (`key` its id)."""

    key: str
    name: str
    query: str  # the canonical query string
    is_built_in: bool = True
    is_shared: bool = False
    owner_id: int | None = None

    @property
    def filters(self) -> QueueFilters:
        return QueueFilters.from_string(self.query)


BUILT_IN_VIEWS: tuple[View, ...] = (
    View("mine", str(_("Mine")), "assignee=me"),
    View("unassigned", str(_("Unassigned")), "assignee=none"),
    View("breaching", str(_("Breaching within the hour")), "due=hour"),
    View("waiting", str(_("Waiting on customer")), "status=waiting_on_customer"),
    View("closed-week", str(_("Closed this week")), "closed=week&sort=-number"),
    View("all", str(_("All")), "status=any"),
)


def saved_views(user: Actor) -> list[View]:
    """The user's own saved views and those a manager shared, by name (one query)."""
    rows = (
        SavedView.objects.filter(Q(owner_id=getattr(user, "pk", None)) | Q(is_shared=True))
        .order_by("name", "id")
        .values_list("pk", "name", "query", "is_shared", "owner_id")
    )
    return [
        View(str(pk), name, query, is_built_in=False, is_shared=shared, owner_id=owner)
        for pk, name, query, shared, owner in rows
    ]


def current_view(filters: QueueFilters, views: list[View]) -> View | None:
    """The view this page shows: the one with the same filters and sort, else the same
    filters (the user re-sorted it), else none (the user filtered by hand)."""
    exact = filters.query_string()
    for view in views:
        if view.filters.query_string() == exact:
            return view
    loose = filters.without_sort().query_string()
    for view in views:
        if view.filters.without_sort().query_string() == loose:
            return view
    return None


# ------------------------------------------------------------------------------- the sorts


# Each sort key, then the queue's own order (soonest due, then number) as a stable tie-break:
# the ticket number is unique, so two requests list equal keys in the same order.
SORTS: dict[str, tuple[Any, ...]] = {
    "due": (),
    "number": (F("number"),),
    "severity": (F("severity"),),
    "status": (STATUS_RANK,),
    "customer": (F("customer__name"),),
    "assignee": (F("assignee__username"),),
    "updated": (F("updated_at"),),
}
SORT_LABELS: dict[str, Any] = {
    "number": _("Ticket"),
    "severity": _("Severity"),
    "due": _("Next due"),
    "customer": _("Customer"),
    "status": _("Status"),
    "assignee": _("Assignee"),
    "updated": _("Updated"),
}


def _ordering(sort: str) -> list[OrderBy]:
    key = sort.lstrip("-") or "due"
    descending = sort.startswith("-")

    def direction(term: Any) -> OrderBy:
        # Unassigned tickets last either way; no NULLS clause on the other columns, or the
        # database could not read them in the order of their index.
        nulls_last = True if key == "assignee" else None
        ordered: OrderBy = (
            term.desc(nulls_last=nulls_last) if descending else term.asc(nulls_last=nulls_last)
        )
        return ordered

    keys = [direction(term) for term in SORTS[key]]
    return [*keys, *(t.desc() if descending else t.asc() for t in QUEUE_ORDER)]


# ------------------------------------------------------------------------------- the queue


def start_of_week(now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Monday 00:00 of `now`'s week on the wall clock of `zone` (the vendor's week)."""
    local = now.astimezone(zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=zone)


def search_condition(text: str) -> Q:
    """Tickets whose subject or any message contains the text, whose serial (the asset's or an
    RMA item's) or customer name contains it, or whose number (= RMA number) it is.

    One code path for SQLite and PostgreSQL: `icontains`, which PostgreSQL answers from the
    trigram indexes of migration tickets 0005. The matching ticket ids are one UNION of a
    subquery per source, each using its own index (trigram, foreign key, unique number), so
    the database finds the few matches first and only then sorts them, instead of testing
    every ticket against every source.
    """
    term = text.strip()
    tickets = Ticket.objects.order_by()
    sources: list[QuerySet[Any]] = [
        tickets.filter(subject__icontains=term).values("pk"),
        Message.objects.order_by().filter(body__icontains=term).values("ticket_id"),
        tickets.filter(
            asset_id__in=Asset.objects.order_by().filter(serial__icontains=term).values("pk")
        ).values("pk"),
        tickets.filter(
            customer_id__in=Customer.objects.order_by().filter(name__icontains=term).values("pk")
        ).values("pk"),
        RmaItem.objects.order_by().filter(serial__icontains=term).values("rma__ticket_id"),
    ]
    number = read_number(term)
    if number is not None:
        sources.append(tickets.filter(number=number).values("pk"))
    return Q(pk__in=sources[0].union(*sources[1:]))


def _in_queue_index() -> RawSQL:
    """The queue index's own condition, `status IN ('open', 'waiting_on_customer')`, spelled
    with literal values: SQLite uses a partial index only when the query repeats its condition
    literally (a bound parameter does not count), and without it would sort every open ticket.
    The values are this module's constants, never user input."""
    quote = connection.ops.quote_name
    values = ", ".join(f"'{status}'" for status in QUEUE_STATUSES)
    return RawSQL(
        f"{quote(Ticket._meta.db_table)}.{quote('status')} IN ({values})",
        (),
        output_field=BooleanField(),
    )


def _by_status(tickets: QuerySet[Ticket], filters: QueueFilters) -> QuerySet[Ticket]:
    """The status filter. Left empty it means the queue (open or waiting), except for a search
    or a closed-since filter, which find closed tickets too."""
    status = filters.status
    if status == ANY_STATUS or (not status and (filters.q or filters.closed)):
        return tickets
    if status == CLOSED:
        return tickets.filter(status__in=CLOSED_STATUSES)
    if status in TicketStatus.values:
        tickets = tickets.filter(status=status)
        return tickets.filter(_in_queue_index()) if status in QUEUE_STATUSES else tickets
    return tickets.filter(status__in=QUEUE_STATUSES).filter(_in_queue_index())


def queue(user: Actor, filters: QueueFilters, *, now: dt.datetime) -> QuerySet[Ticket]:
    """Tickets the user may see, filtered, in the chosen order (by default soonest due first,
    no due time last, then by number).

    Ordered by the denormalised `next_due_at` the ticket services keep, through the partial
    index `ticket_queue_by_due` (`QUEUE_ORDER`): no clock is read or recomputed per row. The
    "updated" sort reads `updated_at` (its own index), kept by the ticket services.
    """
    tickets = _by_status(visible_tickets(user), filters)
    if filters.plan:
        tickets = tickets.filter(plan=filters.plan)
    if filters.severity:
        tickets = tickets.filter(severity=filters.severity)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.assignee == UNASSIGNED:
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee == MINE:
        tickets = tickets.filter(assignee_id=getattr(user, "pk", None))
    elif (assignee_id := read_record_id(filters.assignee)) is not None:
        tickets = tickets.filter(assignee_id=assignee_id)
    elif filters.assignee:
        tickets = tickets.none()  # no user has that id (or it is not one): no ticket is theirs
    if (customer_id := read_record_id(filters.customer)) is not None:
        tickets = tickets.filter(customer_id=customer_id)
    elif filters.customer:
        tickets = tickets.none()  # no customer has that id
    if filters.due == DUE_WITHIN_HOUR:
        tickets = tickets.filter(next_due_at__gte=now, next_due_at__lt=now + SOON)
    if filters.closed == CLOSED_THIS_WEEK:
        tickets = tickets.filter(closed_at__gte=start_of_week(now, active_policy().vendor_zone))
    if filters.q.strip():
        tickets = tickets.filter(search_condition(filters.q))
    # N1-N3: a ticket whose RMA's shipment missed its promise is flagged in its row.
    tickets = tickets.annotate(is_shipment_late=F("rma__shipment__is_promise_missed"))
    return tickets.order_by(*_ordering(filters.sort_key))
