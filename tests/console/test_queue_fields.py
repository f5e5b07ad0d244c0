"""The queue's denormalised fields on Ticket, kept by the ticket services on every clock change:
`next_due_at` (the earliest due instant still owed) and `is_breached` (a clock breached)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from rmadesk.tickets import services
from rmadesk.tickets.models import Ticket
from tests.console.conftest import make_user
from tests.tickets.factories import asset_on_plan, pacific

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def fields(ticket):
    fresh = Ticket.objects.get(pk=ticket.pk)
    return fresh.next_due_at, fresh.is_breached


@pytest.fixture
def agent(db):
    return make_user("agent")


def test_l3_opening_stores_the_first_response_due(agent):
    asset = asset_on_plan("gold")
    ticket = services.open_ticket(
        actor=agent,
        serial=asset.serial,
        severity="S2",
        subject="Disk",
        body="Failed.",
        channel="portal",
        opened_at=pacific(2026, 11, 18, 9, 0),
    )
    assert fields(ticket) == (pacific(2026, 11, 18, 13, 0), False)
    assert ticket.next_due_at == pacific(2026, 11, 18, 13, 0)  # the caller's instance too


def test_l3_no_service_level_means_no_due_time(agent):
    asset = asset_on_plan("truecommand-free")
    ticket = services.open_ticket(
        actor=agent,
        serial=asset.serial,
        severity="S4",
        subject="Licence",
        body="How many drives?",
        channel="email",
        opened_at=pacific(2026, 11, 18, 9, 0),
    )
    assert fields(ticket) == (None, False)


def test_l5_reply_wait_resume_and_l7_severity_change_move_the_next_due(agent):
    asset = asset_on_plan("gold")
    ticket = services.open_ticket(
        actor=agent,
        serial=asset.serial,
        severity="S3",
        subject="Slow",
        body="Slow.",
        channel="portal",
        opened_at=pacific(2026, 11, 18, 9, 0),
    )
    assert fields(ticket) == (pacific(2026, 11, 18, 17, 0), False)  # 8 business hours
    services.reply(
        actor=agent, ticket=ticket, body="On it.", public=True, at=pacific(2026, 11, 18, 10, 0)
    )
    # first response met; next update owed 8 business hours after the reply (L5, T5: at
    # the closing instant)
    assert fields(ticket) == (pacific(2026, 11, 18, 18, 0), False)
    services.reply(
        actor=agent, ticket=ticket, body="Note", public=False, at=pacific(2026, 11, 18, 10, 30)
    )
    assert fields(ticket) == (pacific(2026, 11, 18, 18, 0), False)  # a note moves nothing
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 11, 0))
    assert fields(ticket) == (None, False)  # paused: nothing owed
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 12, 0))
    # 1 of 8 business hours used (10:00-11:00), 7 remain from 12:00: 6 until 18:00, then 1 from
    # Thursday 06:00 → 07:00 (L5: pause means pause)
    assert fields(ticket) == (pacific(2026, 11, 19, 7, 0), False)
    services.change_severity(
        actor=agent, ticket=ticket, severity="S1", at=pacific(2026, 11, 18, 12, 30)
    )
    assert fields(ticket) == (pacific(2026, 11, 18, 14, 30), False)  # 2 h, 24x7 (L7)
    services.close_ticket(
        actor=agent, ticket=ticket, reason="Done.", at=pacific(2026, 11, 18, 13, 0)
    )
    assert fields(ticket) == (None, False)


def test_a_breach_keeps_an_unanswered_ticket_first_until_it_is_answered(agent):
    asset = asset_on_plan("gold")
    ticket = services.open_ticket(
        actor=agent,
        serial=asset.serial,
        severity="S2",
        subject="Disk",
        body="Failed.",
        channel="portal",
        opened_at=pacific(2026, 11, 18, 9, 0),
    )
    assert services.mark_breached_clocks(now=pacific(2026, 11, 18, 14, 0)) == 1
    # still owed: the breached due time stays, so the ticket sorts before any on-time one
    assert fields(ticket) == (pacific(2026, 11, 18, 13, 0), True)
    services.reply(
        actor=agent, ticket=ticket, body="Sorry.", public=True, at=pacific(2026, 11, 18, 15, 0)
    )
    assert fields(ticket) == (pacific(2026, 11, 19, 7, 0), True)
    assert services.mark_breached_clocks(now=pacific(2026, 11, 19, 9, 0)) == 1  # next update
    assert fields(ticket) == (pacific(2026, 11, 19, 7, 0), True)
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 19, 10, 0))
    assert fields(ticket) == (None, True)  # nothing owed while the customer holds it


def test_a_service_settling_an_overdue_clock_stores_the_breach(agent):
    asset = asset_on_plan("gold")
    ticket = services.open_ticket(
        actor=agent,
        serial=asset.serial,
        severity="S2",
        subject="Disk",
        body="Failed.",
        channel="portal",
        opened_at=pacific(2026, 11, 18, 9, 0),
    )
    services.reply(
        actor=agent, ticket=ticket, body="Late.", public=True, at=pacific(2026, 11, 18, 15, 0)
    )
    assert fields(ticket) == (pacific(2026, 11, 19, 7, 0), True)


def test_the_data_migration_fills_existing_tickets_like_the_services(agent):
    asset = asset_on_plan("gold")
    opened = [
        services.open_ticket(
            actor=agent,
            serial=asset.serial,
            severity=severity,
            subject="Disk",
            body="Failed.",
            channel="portal",
            opened_at=pacific(2026, 11, 18, 9, 0),
        )
        for severity in ("S1", "S2", "S3")
    ]
    services.reply(
        actor=agent, ticket=opened[1], body="Hi", public=True, at=pacific(2026, 11, 18, 9, 30)
    )
    services.wait_on_customer(actor=agent, ticket=opened[2], at=pacific(2026, 11, 18, 9, 45))
    services.mark_breached_clocks(now=pacific(2026, 11, 18, 12, 0))  # S1 due 11:00
    expected = {t.pk: fields(t) for t in opened}
    Ticket.objects.update(next_due_at=None, is_breached=False)
    migration = importlib.import_module("rmadesk.tickets.migrations.0004_fill_ticket_queue_fields")
    migration.fill(apps, None)
    assert {t.pk: fields(t) for t in opened} == expected
    assert expected[opened[0].pk] == (pacific(2026, 11, 18, 11, 0), True)
    assert expected[opened[1].pk] == (pacific(2026, 11, 18, 13, 30), False)
    assert expected[opened[2].pk] == (pacific(2026, 11, 18, 17, 0), False)  # first response
