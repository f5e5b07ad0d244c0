"""Console tests run at a fixed "now": Wednesday 18 November 2026, 10:00 Pacific (PST, -08:00).

`desk` builds a small world through the services: a Gold customer's tickets in every queue
state (breached, due within the hour, on track, paused), so pages show exact, known values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from rmadesk.core import clock
from rmadesk.core.services import add_user
from rmadesk.tickets import services as ticket_services
from rmadesk.tickets.models import Ticket
from tests.factories import CustomerFactory
from tests.signin import sign_in
from tests.tickets.factories import asset_on_plan, pacific

NOW = pacific(2026, 11, 18, 10, 0)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[dt.datetime]:
    with clock.frozen_at(NOW) as now:
        yield now


_made: dict[str, int] = {}


def make_user(role: str, customer: Any = None) -> Any:
    n = _made[role] = _made.get(role, 0) + 1
    if customer is not None:
        return add_user(
            email=f"console-contact{n}@customer.example", role="customer", customer_id=customer.pk
        )
    return add_user(email=f"console-{role}{n}@vendor.example", role=role)


def client_for(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        sign_in(client, user)
    return client


@pytest.fixture
def login(db):
    """`login("agent")` → (user, Client) for a new user with that staff role."""

    def make(role: str = "agent", *, csrf: bool = False) -> tuple[Any, Client]:
        user = make_user(role)
        return user, client_for(user, csrf=csrf)

    return make


@dataclass
class Desk:
    agent: Any
    customer: Any
    asset: Any
    breached: Ticket  # first response due Tue 17 Nov 13:00 PST, not answered
    soon: Ticket  # Gold S1, due 10:30 PST today
    on_track: Ticket  # Gold S2 opened 09:00, due 13:00 PST today
    paused: Ticket  # answered, then waiting on the customer


@pytest.fixture
def desk(db) -> Desk:
    agent = make_user("agent")
    customer = CustomerFactory(name="Acme Storage", country="US", zone="America/Los_Angeles")
    asset = asset_on_plan("gold", customer=customer, serial="ACME-0001")

    def open_(severity: str, opened: dt.datetime, subject: str, body: str) -> Ticket:
        return ticket_services.open_ticket(
            actor=agent,
            serial=asset.serial,
            severity=severity,
            subject=subject,
            body=body,
            channel="phone",
            opened_at=opened,
        )

    breached = open_("S2", pacific(2026, 11, 17, 9, 0), "Pool degraded", "One disk failed.")
    soon = open_("S1", pacific(2026, 11, 18, 8, 30), "Pool offline", "No data access at all.")
    on_track = open_("S2", pacific(2026, 11, 18, 9, 0), "Slow replication", "Replication lags.")
    paused = open_("S3", pacific(2026, 11, 16, 9, 0), "Licence question", "Which licence?")
    ticket_services.reply(
        actor=agent,
        ticket=paused,
        body="Please send a debug file.",
        public=True,
        at=pacific(2026, 11, 16, 10, 0),
    )
    ticket_services.wait_on_customer(actor=agent, ticket=paused, at=pacific(2026, 11, 16, 10, 5))
    return Desk(agent, customer, asset, breached, soon, on_track, paused)
