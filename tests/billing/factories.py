"""Billing test records: advance exchanges awaiting their part, and invoices as services make them.

RMA rows come from tests/factories.py (RmaFactory) with the advance-exchange dates the policy
computes (R4), so these tests do not depend on the RMA services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rmadesk.billing.models import Invoice
from rmadesk.billing.services import issue_invoice
from rmadesk.core.policies import active_policy
from rmadesk.core.services import add_user
from rmadesk.customers.models import Customer
from rmadesk.policy.rma import rma_dates
from rmadesk.rmas.models import Rma, RmaItem
from tests.factories import AssetFactory, CustomerFactory, RmaFactory, TicketFactory

UTC = dt.UTC
# Monday 2 November 2026, 10:00 Pacific (PST, after the DST change of 1 November).
SHIPPED_AT = dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC)


def finance_user() -> Any:
    """A finance user (one per test database)."""
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username="finance-factory@vendor.example").first()
    return found or add_user(email="finance-factory@vendor.example", role="finance")


def advance_exchange(
    *,
    customer: Customer | None = None,
    shipped_at: dt.datetime | None = SHIPPED_AT,
    items: tuple[tuple[str, str, str], ...] = (
        ("HDD 16TB", "ZL0001", "450.00"),
        ("drive sled", "", "180.00"),
    ),
    currency: str = "USD",
    **fields: Any,
) -> Rma:
    """An advance-exchange RMA whose replacement shipped at `shipped_at` (R4 dates from policy)."""
    customer = customer or CustomerFactory()
    ticket = TicketFactory(asset=AssetFactory(customer=customer), customer=customer)
    issued = ticket.opened_at + dt.timedelta(hours=1)
    dates = rma_dates(active_policy(), issued=issued, replacement_shipped=shipped_at)
    values: dict[str, Any] = {
        "kind": "advance_exchange",
        "status": "replacement_shipped" if shipped_at else "label_issued",
        "issued_at": issued,
        "expires_at": dates.expires_at,
        "replacement_shipped_at": shipped_at,
        "label_expires_at": dates.label_expires_at,
        "invoice_at": dates.invoice_at,
    }
    rma = RmaFactory(ticket=ticket, **(values | fields))
    for part, serial, price in items:
        RmaItem.objects.create(
            rma=rma, part=part, serial=serial, unit_price=Decimal(price), currency=currency
        )
    return rma


def invoice(
    *,
    customer: Customer | None = None,
    at: dt.datetime,
    amount: str = "1000.00",
    terms: int | None = None,
    currency: str = "USD",
) -> Invoice:
    """A service invoice issued by finance at `at` (F1: due on issue + the customer's terms)."""
    if customer is None:
        customer = CustomerFactory(payment_terms_days=0 if terms is None else terms)
    return issue_invoice(
        actor=finance_user(),
        customer=customer,
        kind="service",
        lines=[{"kind": "service", "description": "On-site visit", "amount": Decimal(amount)}],
        at=at,
        currency=currency,
    )
