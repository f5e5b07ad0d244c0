"""Building blocks for ticket tests: a customer on a plan with an asset, and users with roles.

Tickets themselves are opened through `open_ticket` (the service), never built as rows, so every
test ticket has its first-response clock, first message and audit event like a real one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from rmadesk.assets.models import Asset
from rmadesk.core.services import add_user
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.services import open_ticket
from tests.factories import AssetFactory, ContractFactory, CustomerFactory, ProductModelFactory

LA = ZoneInfo("America/Los_Angeles")
_emails = itertools.count(1)


def pacific(*args: int) -> dt.datetime:
    """An instant given in Pacific wall time (PST/PDT as the date says)."""
    return dt.datetime(*args, tzinfo=LA)


def asset_on_plan(
    plan: str = "gold",
    *,
    serial: str | None = None,
    country: str = "US",
    zone: str = "America/Los_Angeles",
    software_version: str = "",
    customer: Any = None,
    starts_on: dt.date = dt.date(2025, 1, 1),
    ends_on: dt.date = dt.date(2028, 12, 31),
) -> Asset:
    """An asset whose customer has a contract on `plan` (a TrueCommand model for TrueCommand)."""
    if customer is None:
        customer = CustomerFactory(country=country, zone=zone)
    ContractFactory(customer=customer, plan=plan, starts_on=starts_on, ends_on=ends_on)
    if plan.startswith("truecommand"):
        model = ProductModelFactory(name="TrueCommand", product_line="truecommand")
    else:
        model = ProductModelFactory()
    extra = {"serial": serial} if serial else {}
    return AssetFactory(customer=customer, model=model, software_version=software_version, **extra)


def user(role: str, customer: Any = None) -> Any:
    """A user with a role (a customer's contact when `customer` is given)."""
    n = next(_emails)
    if customer is not None:
        return add_user(
            email=f"contact{n}@customer.example", role="customer", customer_id=customer.pk
        )
    return add_user(email=f"{role}{n}@vendor.example", role=role)


def ticket_on(
    asset: Asset,
    *,
    actor: Any = None,
    severity: str = "S2",
    opened_at: dt.datetime | None = None,
    channel: str = "portal",
    subject: str = "Pool degraded",
    body: str = "One disk shows errors.",
) -> Ticket:
    """A ticket opened through the service by an agent (or by `actor`)."""
    return open_ticket(
        actor=actor or user("agent"),
        serial=asset.serial,
        severity=severity,
        subject=subject,
        body=body,
        channel=channel,
        opened_at=opened_at,
    )
