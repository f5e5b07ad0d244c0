"""The ticket page's context panel: what an agent needs to know beside the thread.

The contract and plan in force, the serial's entitlement and warranty end (from the assets
app's entitlement selector, W6: nothing is computed here), the customer's other open and recent
tickets, the serial's RMA history and the customer's open invoices with what is still due.
Every list starts from its record's `visible_*` selector and is cut to a few rows, so the panel
costs the same number of queries whatever the customer's history holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rmadesk.assets.selectors import Entitlement, entitlement_for
from rmadesk.billing.choices import InvoiceStatus
from rmadesk.billing.models import Invoice
from rmadesk.billing.selectors import (
    invoice_status,
    invoice_totals,
    vendor_today,
    visible_invoices,
    with_totals,
)
from rmadesk.customers.models import Contract
from rmadesk.customers.selectors import contract_on
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import visible_rmas
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.selectors import visible_tickets

OPEN_TICKETS_SHOWN = 8
RECENT_TICKETS_SHOWN = 5
RMAS_SHOWN = 8
INVOICES_SHOWN = 8


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    due: Decimal  # what is still owed: charged less credits and payments (F2)
    status: str  # open or overdue


@dataclass(frozen=True)
class TicketContext:
    contract: Contract | None
    entitlement: Entitlement | None  # None: the ticket names no serial
    open_tickets: list[Ticket]
    recent_tickets: list[Ticket]
    rmas: list[Rma]
    invoices: list[InvoiceRow]


def ticket_context(user: Any, ticket: Ticket, today: dt.date | None = None) -> TicketContext:
    """The context panel of `ticket` as `user` may see it (a fixed number of queries)."""
    today = today or vendor_today()
    entitlement = None
    if ticket.asset is not None:
        entitlement = entitlement_for(user, ticket.asset.serial, on=today)
    others = visible_tickets(user).filter(customer_id=ticket.customer_id).exclude(pk=ticket.pk)
    open_tickets = list(
        others.exclude(status__in=CLOSED_STATUSES).order_by("-opened_at", "-id")[
            :OPEN_TICKETS_SHOWN
        ]
    )
    recent_tickets = list(
        others.filter(status__in=CLOSED_STATUSES).order_by("-closed_at", "-id")[
            :RECENT_TICKETS_SHOWN
        ]
    )
    rmas: list[Rma] = []
    if ticket.asset_id is not None:
        rmas = list(
            visible_rmas(user)
            .prefetch_related(None)
            .filter(ticket__asset_id=ticket.asset_id)
            .order_by("-issued_at", "-number")[:RMAS_SHOWN]
        )
    invoices = (
        with_totals(visible_invoices(user))
        .filter(customer_id=ticket.customer_id, status=InvoiceStatus.OPEN)
        .order_by("due_on", "number")[:INVOICES_SHOWN]
    )
    return TicketContext(
        contract=contract_on(ticket.customer, today),
        entitlement=entitlement,
        open_tickets=open_tickets,
        recent_tickets=recent_tickets,
        rmas=rmas,
        invoices=[
            InvoiceRow(invoice, invoice_totals(invoice).balance, invoice_status(invoice, today))
            for invoice in invoices
        ],
    )
