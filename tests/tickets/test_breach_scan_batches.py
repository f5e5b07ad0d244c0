"""The set-based breach scan (issue 15): batches, exactly once, alerts after each commit."""

from __future__ import annotations

from unittest import mock

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.mail.models import OutboxMessage
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.services import breaches, mark_breached_clocks
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

NOW = pacific(2026, 11, 18, 15, 0)  # a Gold S2 opened at 10:00 was due at 14:00


def _tickets(count: int, *, hour: int = 10) -> list[Ticket]:
    asset = asset_on_plan("gold")
    agent = user("agent")
    opened = pacific(2026, 11, 18, hour, 0)
    return [ticket_on(asset, actor=agent, opened_at=opened) for _ in range(count)]


def test_l3_batches_mark_exactly_the_breached_clocks_once_and_a_second_run_does_nothing(
    django_capture_on_commit_callbacks,
):
    user("manager")  # breach alerts go to the managers
    overdue = _tickets(5)
    not_yet = _tickets(1, hour=14)  # due 18:00
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert mark_breached_clocks(now=NOW, batch_size=2) == 5  # batches of 2, 2 and 1
    assert len(callbacks) >= 5  # one alert event per breach, handed out after its batch commits
    breached = ServiceClock.objects.filter(state="breached")
    assert sorted(breached.values_list("ticket_id", flat=True)) == sorted(t.pk for t in overdue)
    assert {c.stopped_at for c in breached} == {pacific(2026, 11, 18, 14, 0)}
    assert ServiceClock.objects.get(ticket=not_yet[0]).state == "running"
    assert set(Ticket.objects.filter(is_breached=True)) == set(overdue)
    events = AuditEvent.objects.filter(verb="clock.breached")
    assert sorted(events.values_list("ticket_number", flat=True)) == sorted(
        t.number for t in overdue
    )
    assert all(event.dispatched_at is not None for event in events)
    alerts = OutboxMessage.objects.filter(kind="breach_alert")
    assert sorted(alerts.values_list("event_id", flat=True)) == sorted(e.pk for e in events)
    assert mark_breached_clocks(now=NOW, batch_size=2) == 0
    assert AuditEvent.objects.filter(verb="clock.breached").count() == 5
    assert OutboxMessage.objects.filter(kind="breach_alert").count() == 5


def test_l3_a_clock_that_cannot_be_read_is_left_running_and_the_batch_goes_on(caplog):
    tickets = _tickets(3)
    bad = ServiceClock.objects.get(ticket=tickets[1])
    real = breaches._breach_record

    def breaking(found: ServiceClock, *, now):  # type: ignore[no-untyped-def]
        if found.pk == bad.pk:
            raise ValueError("legacy row")
        return real(found, now=now)

    with mock.patch.object(breaches, "_breach_record", breaking):
        assert mark_breached_clocks(now=NOW, batch_size=2) == 2
    assert ServiceClock.objects.get(pk=bad.pk).state == "running"
    assert f"clock {bad.pk}" in caplog.text
    assert mark_breached_clocks(now=NOW) == 1  # the next run takes it
