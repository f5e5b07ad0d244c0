"""RMA writes racing each other on PostgreSQL: row locks keep every transition single."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from rmadesk.core.errors import DomainError
from rmadesk.core.models import AuditEvent
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import expire_labels, expire_rmas, open_rma, receive_return
from tests.rmas.factories import ISSUED, ITEMS, pacific, rma_of, ship_all, ticket_on, user

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_expiry_scans_at_once_expire_each_rma_once():
    for _ in range(8):
        rma_of()
    now = pacific(2026, 11, 20, 0, 0)
    counts = race(*(lambda: expire_rmas(now=now) for _ in range(4)))
    assert all(isinstance(count, int) for count in counts), counts
    assert sum(counts) == 8
    assert set(Rma.objects.values_list("status", flat=True)) == {"expired"}
    assert AuditEvent.objects.filter(verb="rma.expired").count() == 8


def test_two_label_scans_at_once_mark_each_label_once():
    rmas = [rma_of("advance_exchange", confirmed=True) for _ in range(5)]
    ship_all(rmas, pacific(2026, 10, 22, 10, 0))
    now = pacific(2026, 11, 2, 0, 0)
    counts = race(*(lambda: expire_labels(now=now) for _ in range(3)))
    assert sum(counts) == 5
    assert AuditEvent.objects.filter(verb="rma.label_expired").count() == 5


def test_two_agents_opening_the_rma_of_one_ticket_at_once_make_one():
    ticket = ticket_on()
    first, second = user("agent"), user("agent")
    results = race(
        *(
            (lambda actor=actor: open_rma(actor=actor, ticket=ticket, kind="repair", items=ITEMS))
            for actor in (first, second)
        )
    )
    made = [r for r in results if isinstance(r, Rma)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert (len(made), len(refused)) == (1, 1), results
    assert refused[0].rule == "R1"
    assert Rma.objects.count() == 1
    assert AuditEvent.objects.filter(verb="rma.opened").count() == 1


def test_two_clerks_receiving_one_package_at_once_book_it_once():
    rma = rma_of()
    clerks = [user("clerk"), user("clerk")]
    results = race(
        *(
            (
                lambda clerk=clerk: receive_return(
                    actor=clerk, label_rma_number=rma.number, received_at=ISSUED.replace(day=30)
                )
            )
            for clerk in clerks
        )
    )
    booked = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert (len(booked), len(refused)) == (1, 1), results
    assert refused[0].rule == "R3"
    assert AuditEvent.objects.filter(verb="rma.received").count() == 1
