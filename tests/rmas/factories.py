"""Building blocks for RMA tests: tickets on assets, users with roles, RMAs opened by the service.

Tickets are plain rows (tests.factories.TicketFactory): the RMA area only needs a ticket with a
customer and an asset. RMAs are opened through `open_rma`, never built as rows, so every test RMA
has its items, dates and audit event like a real one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from rmadesk.core.services import add_user
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import confirm_rma, open_rma, ship_replacement
from rmadesk.tickets.models import Ticket
from tests.factories import AssetFactory, CustomerFactory, ProductModelFactory, TicketFactory

LA = ZoneInfo("America/Los_Angeles")
_emails = itertools.count(1)

# The issue's example: issued 2026-10-20 10:00 PDT, expiring 2026-11-19 10:00 PST (R1).
ISSUED = dt.datetime(2026, 10, 20, 10, 0, tzinfo=LA)
ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]


def pacific(*args: int) -> dt.datetime:
    """An instant given in Pacific wall time (PST or PDT as the date says)."""
    return dt.datetime(*args, tzinfo=LA)


def user(role: str, customer: Any = None) -> Any:
    """A user with a role (a contact of `customer` when given)."""
    n = next(_emails)
    if customer is not None:
        return add_user(
            email=f"rma-contact{n}@customer.example", role="customer", customer_id=customer.pk
        )
    return add_user(email=f"rma-{role}{n}@vendor.example", role=role)


def ticket_on(
    *,
    model: str = "TrueNAS M50",
    product_line: str = "truenas",
    advance_exchange: bool = True,
    country: str = "US",
    zone: str = "America/Los_Angeles",
    customer: Any = None,
    shipped_on: dt.date = dt.date(2026, 10, 1),
    price: Decimal = Decimal("1000.00"),
    currency: str = "USD",
    shipping_and_handling: Decimal = Decimal("0.00"),
    **ticket: Any,
) -> Ticket:
    """An open ticket on an asset of `model` for a customer in `country`."""
    if customer is None:
        customer = CustomerFactory(country=country, zone=zone)
    product = ProductModelFactory(
        name=model, product_line=product_line, advance_exchange=advance_exchange
    )
    asset = AssetFactory(
        customer=customer,
        model=product,
        shipped_on=shipped_on,
        price=price,
        currency=currency,
        shipping_and_handling=shipping_and_handling,
    )
    return TicketFactory(asset=asset, customer=customer, **ticket)


def rma_of(
    kind: str = "repair",
    *,
    actor: Any = None,
    ticket: Ticket | None = None,
    issued_at: dt.datetime = ISSUED,
    items: list[dict[str, Any]] | None = None,
    confirmed: bool = False,
    **ticket_options: Any,
) -> Rma:
    """An RMA opened by an agent through the service (confirmed for R6 if asked)."""
    actor = actor or user("agent")
    ticket = ticket or ticket_on(**ticket_options)
    rma = open_rma(actor=actor, ticket=ticket, kind=kind, items=items or ITEMS, issued_at=issued_at)
    if confirmed:
        confirm_rma(
            actor=actor,
            rma=rma,
            data_backed_up=True,
            original_packaging=True,
            insured=True,
            removable_media_removed=True,
            at=issued_at + dt.timedelta(hours=1),
        )
    return rma


def ship_all(rmas: list[Rma], shipped_at: dt.datetime) -> None:
    """Ship the replacements of confirmed advance exchanges (R4)."""
    agent = user("agent")
    for rma in rmas:
        ship_replacement(actor=agent, rma=rma, shipped_at=shipped_at)


def advance_exchange_shipped(actor: Any, ticket: Ticket, shipped_at: dt.datetime) -> Rma:
    """An advance exchange of one 16 TB disk on `ticket`, confirmed for its R6 conditions (the
    data backup and removable media: an advance exchange asks no more), its replacement shipped."""
    rma = open_rma(
        actor=actor,
        ticket=ticket,
        kind="advance_exchange",
        items=[{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}],
    )
    confirm_rma(
        actor=actor,
        rma=rma,
        data_backed_up=True,
        removable_media_removed=True,
        original_packaging=False,
        insured=False,
    )
    ship_replacement(actor=actor, rma=rma, shipped_at=shipped_at)
    return rma
