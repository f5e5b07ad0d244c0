"""Two breach-warning scans at once (two workers) warn each clock once (PostgreSQL row locks)."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.notices.models import BreachWarning, Notice
from rmadesk.notices.scans import warn_breaching_clocks
from rmadesk.tickets.services import open_ticket
from tests.tickets.factories import asset_on_plan, pacific
from tests.tickets.threads import run_at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_warning_scans_at_once_warn_each_clock_once():
    asset = asset_on_plan("gold")
    opener = add_user(email="opener@vendor.example", role="manager")
    for i in range(12):
        open_ticket(
            actor=opener,
            serial=asset.serial,
            severity="S2",
            subject=f"Ticket {i}",
            body="Opened at 10:00.",
            channel="phone",
            opened_at=pacific(2026, 11, 18, 10, 0),
        )
    Notice.objects.all().delete()
    now = pacific(2026, 11, 18, 13, 30)  # every first response is due at 14:00
    counts, errors = run_at_once(2, lambda _i: warn_breaching_clocks(now=now))
    assert errors == []
    assert sum(counts) == 12
    assert BreachWarning.objects.count() == 12
    assert AuditEvent.objects.filter(verb="clock.breach_warning").count() == 12
    # No team serves gold: the manager hears of each clock, once.
    assert Notice.objects.filter(kind="breach_warning").count() == 12
    assert OutboxMessage.objects.filter(kind="notice_breach_warning").count() == 12
    assert warn_breaching_clocks(now=now + dt.timedelta(minutes=1)) == 0
