"""Two agents link the same held email at the same moment: one wins, the other is told who did.

Real threads with their own connections, released together, on PostgreSQL (SQLite serialises
writers; test_held.py covers the refusal itself on both databases).
"""

from __future__ import annotations

import pytest
from django.db import connection

from rmadesk.core import clock
from rmadesk.core.errors import Conflict
from rmadesk.core.models import AuditEvent
from rmadesk.mail.held import discard_held_message, link_held_message
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Ticket
from tests.mail.inbound.builders import NOW, SECOND_SERIAL, SERIAL, STRANGER, eml
from tests.tickets.factories import user
from tests.tickets.threads import run_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_agents_link_one_held_email_at_once_one_ticket_one_conflict(world):
    held = ingest_message(eml(sender=STRANGER))
    agents = [user("agent"), user("agent"), user("agent")]

    def work(i: int) -> int:
        with clock.frozen_at(NOW):
            if i == 2:
                return discard_held_message(actor=agents[i], inbound=held.pk).pk
            serial = SERIAL if i == 0 else SECOND_SERIAL
            return link_held_message(
                actor=agents[i], inbound=held.pk, customer=world.acme.pk, serial=serial
            ).pk

    results, errors = run_at_once(3, work)
    assert results == [held.pk]
    assert len(errors) == 2 and all(isinstance(e, Conflict) for e in errors), errors
    assert all(e.field == "inbound" for e in errors)  # type: ignore[attr-defined]
    found = InboundMessage.objects.get(pk=held.pk)
    assert found.status in {"ticket_opened", "discarded_spam"}
    assert Ticket.objects.count() == (1 if found.status == "ticket_opened" else 0)
    assert AuditEvent.objects.filter(verb__in=["mail.linked", "mail.discarded"]).count() == 1
