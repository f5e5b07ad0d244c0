"""Reads only the agent console needs: the queue, its search and badges, work lists.

Every list starts from the records' own authorization selectors (`visible_tickets`,
`visible_rmas`, `visible_invoices`), so the console shows exactly what the API would. Each list
is one page of rows read in one query (related rows joined or prefetched), so a page costs the
same number of queries at 5 or 100,000 records. Nothing here computes a due date, a fee or an
expiry: those are stored by the services from the policy core, and only compared with "now".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from rmadesk.billing.choices import InvoiceKind, InvoiceStatus
from rmadesk.billing.models import Invoice
from rmadesk.billing.selectors import visible_invoices, with_totals
from rmadesk.customers.models import Customer
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import visible_rmas
from rmadesk.tickets.choices import TicketStatus
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.permissions import ASSIGNABLE_ROLES

# The queue holds tickets someone still has to act on: waiting on the vendor or the customer.
QUEUE_STATUSES = (TicketStatus.OPEN, TicketStatus.WAITING_ON_CUSTOMER)
PAGE_SIZE = 25
SOON = dt.timedelta(hours=1)
# A ticket or RMA number as quoted on the phone or read off a label: "100042", "#100042",
# "RMA 100042" (the RMA number is the ticket number, P3).
NUMBER = re.compile(r"^\s*(?:RMA|ticket)?\s*[#:-]?\s*(\d{1,18})\s*$", re.IGNORECASE)
MAX_NUMBER = 2**63 - 1
UNASSIGNED = "none"


def read_number(text: str) -> int | None:
    """The ticket/RMA number in a search or a scan, or None if the text is not one."""
    match = NUMBER.match(text or "")
    if match is None:
        return None
    number = int(match.group(1))
    return number if 0 < number <= MAX_NUMBER else None


# ------------------------------------------------------------------------------- the queue
# The queue's filters, views, sorts and search are in `queue_selectors`.


@dataclass(frozen=True)
class Badge:
    css: str  # a class of app.css: breached, soon, on-track, paused, none
    text: str


def queue_badge(ticket: Ticket, now: dt.datetime) -> Badge:
    """Where the ticket stands against its next due time (stored by the services)."""
    due = ticket.next_due_at
    if due is None:
        if ticket.status == TicketStatus.WAITING_ON_CUSTOMER:
            return Badge("paused", "paused: waiting on the customer")
        return Badge("none", "no due time")
    if due < now:
        return Badge("breached", "breached")
    if due - now <= SOON:
        return Badge("soon", "due within the hour")
    return Badge("on-track", "on track")


def assignable_staff() -> QuerySet[Any]:
    """Users a ticket can be assigned to (agents, managers, admins), by email."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(account__role__in=ASSIGNABLE_ROLES) | Q(is_superuser=True))
        .order_by("username")
    )


def customers_for_filter() -> list[tuple[int, str]]:
    """(id, name) of every customer, by name, for the queue's customer filter."""
    return list(Customer.objects.order_by("name", "id").values_list("pk", "name"))


# ------------------------------------------------------------------------------------ RMAs


def rma_list(
    user: Any, *, status: str = "", kind: str = "", q: str = "", missed: bool = False
) -> QuerySet[Rma]:
    """RMAs the user may see, newest first, by status, kind and number or customer name, or
    only those whose shipment missed its promise (N1-N3)."""
    rmas = visible_rmas(user)
    if missed:
        rmas = rmas.filter(shipment__is_promise_missed=True)
    if status in RmaStatus.values:
        rmas = rmas.filter(status=status)
    if kind in RmaKind.values:
        rmas = rmas.filter(kind=kind)
    if q.strip():
        number = read_number(q)
        condition = Q(ticket__customer__name__icontains=q.strip())
        if number is not None:
            condition |= Q(number=number)
        rmas = rmas.filter(condition)
    return rmas.order_by("-number")


def flagged_returns(user: Any) -> QuerySet[Rma]:
    """Packages flagged at receiving, waiting for a clerk to accept or reject them (R3)."""
    return visible_rmas(user).filter(status=RmaStatus.FLAGGED).order_by("received_at", "number")


def awaiting_return(user: Any) -> QuerySet[Rma]:
    """Advance exchanges whose replacement shipped and whose part has not come back (R4),
    the soonest invoice first, each marked with whether its day-14 invoice exists."""
    invoiced = Invoice.objects.filter(rma=OuterRef("pk"), kind=InvoiceKind.UNRETURNED_PARTS)
    return (
        visible_rmas(user)
        .filter(
            kind=RmaKind.ADVANCE_EXCHANGE,
            replacement_shipped_at__isnull=False,
            received_at__isnull=True,
        )
        .annotate(is_invoiced=Exists(invoiced))
        .order_by("invoice_at", "number")
    )


def days_left(until: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole days from now until an instant (0 once it has passed); None without one."""
    if until is None:
        return None
    return max(0, (until - now).days)


# -------------------------------------------------------------------------------- invoices


def open_invoices(user: Any, *, today: dt.date, overdue_only: bool = True) -> QuerySet[Invoice]:
    """Open invoices with their totals, the longest overdue first (F2: late fees as lines)."""
    invoices = with_totals(visible_invoices(user)).filter(status=InvoiceStatus.OPEN)
    if overdue_only:
        invoices = invoices.filter(due_on__lt=today)
    return invoices.order_by("due_on", "number")


def days_overdue(invoice: Invoice, today: dt.date) -> int:
    """Calendar days past the invoice's due date (0 when not yet due)."""
    return max(0, (today - invoice.due_on).days)
