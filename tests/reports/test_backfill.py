"""The data migration fills clock runs for clocks stopped before runs were recorded."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from rmadesk.tickets.models import ClockRun
from tests.reports.seed import reply
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

fill = importlib.import_module("rmadesk.tickets.migrations.0018_fill_clock_runs").fill


def test_L3_stopped_clocks_are_filled_with_the_same_numbers_the_services_record():
    agent = user("agent")
    # Silver S2 opened Mon 2 Nov 12:00, answered Tue 09:00: breached, 9 business hours.
    late = ticket_on(asset_on_plan("silver"), actor=agent, opened_at=pacific(2026, 11, 2, 12, 0))
    reply(agent, late, pacific(2026, 11, 3, 9, 0))
    fields = ("kind", "state", "due_at", "answered_at", "business_seconds", "target_seconds",
              "is_due_in_hours", "due_on", "due_week", "due_month")  # fmt: skip
    recorded = list(ClockRun.objects.values(*fields))
    ClockRun.objects.all().delete()
    fill(apps, None)
    assert list(ClockRun.objects.values(*fields)) == recorded
    assert recorded[0]["business_seconds"] == 9 * 3600
