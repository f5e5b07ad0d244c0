"""Staff-notification tests run at a fixed "now": Wednesday 18 November 2026, 10:00 Pacific.

`desk` is a vendor with two teams — Premium (gold and silver: Ann and Ben) and Basic (bronze:
Cid) — a clerk, a manager, and a Gold customer with a contact who uses the portal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from rmadesk.core import clock
from rmadesk.core.models import Team
from rmadesk.core.services import add_user
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.notices.models import Notice
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.services import open_ticket
from tests.factories import CustomerFactory
from tests.tickets.factories import asset_on_plan, pacific

NOW = pacific(2026, 11, 18, 10, 0)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[dt.datetime]:
    with clock.frozen_at(NOW) as now:
        yield now


@dataclass
class Desk:
    ann: Any
    ben: Any
    cid: Any
    clerk: Any
    manager: Any
    customer: Any
    contact: Any
    serial: str

    def open(self, *, actor: Any = None, subject: str = "Pool degraded", **extra: Any) -> Ticket:
        """A Gold S2 ticket opened through the portal by the customer's contact (or `actor`)."""
        by = actor or self.contact
        return open_ticket(
            actor=by,
            serial=self.serial,
            severity=extra.pop("severity", "S2"),
            subject=subject,
            body=extra.pop("body", "One disk failed."),
            channel=extra.pop("channel", "portal" if by is self.contact else "phone"),
            **extra,
        )


@pytest.fixture
def desk(db) -> Desk:
    ann = add_user(email="ann@vendor.example", role="agent")
    ben = add_user(email="ben@vendor.example", role="agent")
    cid = add_user(email="cid@vendor.example", role="agent")
    clerk = add_user(email="clerk@vendor.example", role="clerk")
    manager = add_user(email="lead@vendor.example", role="manager")
    premium = Team.objects.create(name="Premium", plans=["gold", "silver"])
    premium.members.add(ann, ben)
    basic = Team.objects.create(name="Basic", plans=["bronze"])
    basic.members.add(cid)
    customer = CustomerFactory(name="Acme Storage", country="US", zone="America/Los_Angeles")
    asset = asset_on_plan("gold", customer=customer, serial="ACME-0001")
    contact = add_user(email="alice@acme.example", role="customer", customer_id=customer.pk)
    return Desk(ann, ben, cid, clerk, manager, customer, contact, asset.serial)


def noticed(kind: str | None = None) -> list[str]:
    """Who got an in-app notification (of `kind`), by email, sorted."""
    rows = Notice.objects.all() if kind is None else Notice.objects.filter(kind=kind)
    return sorted(rows.values_list("recipient__email", flat=True))


def mailed(kind: str | None = None) -> list[list[str]]:
    """The recipients of each staff-notification mail queued (of `kind`), sorted."""
    rows = OutboxMessage.objects.filter(kind__startswith="notice_")
    if kind is not None:
        rows = rows.filter(kind=f"notice_{kind}")
    return sorted(list(row.to) for row in rows)
