"""Through the portal too, a customer cannot say a change happened earlier than it did.

Every portal form that writes passes a posted instant (`opened_at`, `at`, `requested_at`) to its
service, which refuses it from anyone but the vendor's staff (`core.permissions.instant_for`):
the page answers 403 naming the field and rule T1, and nothing changes or is sent. The
money-back window (F3) and the appointment notice (W5) in particular count from the real
instant of the request. The console is the vendor's: a customer gets 404 on all of it
(tests/console/test_console_access.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.onsite.models import Appointment
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import open_rma
from rmadesk.tickets.models import Message, Ticket
from tests.factories import AssetFactory
from tests.tickets.factories import ticket_on

pytestmark = pytest.mark.django_db

EARLIER = "2026-11-02T09:00:00-08:00"  # three weeks before the portal's frozen "now"
ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]


def state() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (AuditEvent, Ticket, Message, Rma, Appointment, OutboxMessage)
    )


def forms(acme: Any, agent: Any) -> dict[str, tuple[str, dict[str, str], str]]:
    """Each portal write: (url, a valid form, the instant field it passes to its service)."""
    acme.asset.onsite = "4h"
    acme.asset.save()
    ticket = ticket_on(acme.asset, actor=acme.user)
    rma = open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)
    AssetFactory(customer=acme.customer, serial="M50-NEW", shipped_on=dt.date(2026, 10, 10))
    return {
        "new ticket": (
            "/portal/tickets/new",
            {"serial": acme.asset.serial, "severity": "S3", "subject": "Slow", "body": "Very."},
            "opened_at",
        ),
        "reply": (f"/portal/tickets/{ticket.number}/reply", {"body": "More."}, "at"),
        "R6 confirmations": (
            f"/portal/rmas/{rma.number}/confirm",
            {"data_backed_up": "on"},
            "at",
        ),
        # Shipped 10 Oct: its 30-day window (F3) ended 9 Nov; a request "on 2 Nov" would pass.
        "money back": ("/portal/money-back", {"serial": "M50-NEW"}, "opened_at"),
        # W5 counts 48 hours from the request: "requested on 2 Nov" would allow tomorrow.
        "on-site visit": (
            "/portal/appointments/new",
            {"ticket": str(ticket.number), "starts_at": "2026-11-26T16:00"},
            "requested_at",
        ),
    }


WRITES = ["new ticket", "reply", "R6 confirmations", "money back", "on-site visit"]


@pytest.mark.parametrize("write", WRITES)
def test_a_customer_cannot_backdate_a_portal_form(alice, acme, agent, write):
    url, form, field = forms(acme, agent)[write]
    before = state()
    response = alice.post(url, {**form, field: EARLIER})
    assert response.status_code == 403, response.content[:500]
    body = response.content.decode()
    assert f"{field} can only be given by the vendor&#x27;s staff" in body
    assert "Policy rule T1" in body  # behind the refusal's Details toggle
    assert state() == before, "a refused form changed something or sent mail"
