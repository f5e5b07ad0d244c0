"""The same message delivered several times at once (IMAP and the pipe racing) makes one ticket.

Real threads with their own connections, released together, on PostgreSQL: the unique
constraints on Message-ID and content hash let one insert win; the others roll back whatever
they did and return the winner's row. (SQLite serialises writers, and the deterministic race in
test_ingest.py covers the same code path on both databases.)
"""

from __future__ import annotations

import pytest
from django.db import connection

from rmadesk.core import clock
from rmadesk.mail.inbound import ingest
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Message, Ticket
from tests.mail.inbound.builders import NOW, eml
from tests.tickets.threads import run_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_eight_simultaneous_deliveries_of_one_message_make_one_ticket(world):
    raw = eml()

    def work(i: int) -> tuple[int, bool]:
        with clock.frozen_at(NOW):
            result = ingest(raw, source=f"thread{i}")
        return result.inbound.pk, result.created

    results, errors = run_at_once(8, work)
    assert errors == []
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 7 + [True]
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert InboundMessage.objects.get().deliveries == 8


def test_eight_simultaneous_different_messages_make_eight_tickets(world):
    def work(i: int) -> int:
        with clock.frozen_at(NOW):
            inbound = ingest(eml(message_id=f"<m{i}@acme.example>")).inbound
        assert inbound.ticket is not None
        return inbound.ticket.number

    numbers, errors = run_at_once(8, work)
    assert errors == []
    assert sorted(numbers) == list(range(100001, 100009))
