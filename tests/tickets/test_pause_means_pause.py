"""L5, pause means pause: the next-update target used before a pause stays used.

Expected instants are worked out by hand from POLICY.md (the comments show the arithmetic),
never with the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.core import clock
from rmadesk.tickets import services
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.selectors import ticket_history
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db


def update_clock(ticket: Ticket) -> ServiceClock:
    return ServiceClock.objects.get(ticket=ticket, kind="next_update")


def gold_ticket(severity: str, opened: dt.datetime) -> tuple[Ticket, object]:
    agent = user("agent")
    return ticket_on(asset_on_plan("gold"), actor=agent, severity=severity, opened_at=opened), agent


def test_L5_gold_s1_waiting_1300_to_1500_is_due_1630_not_1700():
    # POLICY.md L5's example: Gold S1 (2 h, 24x7), reply 12:30, waiting 13:00-15:00.
    # 30 min used before the pause; 1 h 30 min remain from 15:00 -> 16:30.
    ticket, agent = gold_ticket("S1", pacific(2026, 11, 18, 12, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 12, 30)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 13, 0))
    paused = update_clock(ticket)
    assert (paused.state, paused.due_at) == ("paused", None)
    assert (paused.used, paused.remaining) == (dt.timedelta(minutes=30), dt.timedelta(minutes=90))
    assert (
        "30 minutes" in paused.explanation[0]
        and "1 hour 30 minutes remaining" in (paused.explanation[0])
    )
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 15, 0))
    update = update_clock(ticket)
    assert update.state == "running"
    assert update.due_at == pacific(2026, 11, 18, 16, 30)
    ticket.refresh_from_db()
    assert ticket.next_due_at == pacific(2026, 11, 18, 16, 30)
    text = " ".join(update.explanation)
    assert "30 minutes of the target (2 hours of open time) was used" in text
    assert "the remaining 1 hour 30 minutes runs from the resume" in text
    assert "(rule L5)" in text
    assert update.explanation[-1] == "Due Wed 18 Nov 2026 16:30 PST (rule T8)."
    resumed = ticket_history(ticket)[-1]
    assert resumed.verb == "ticket.resumed"
    assert "30 minutes of its target was used before the pause" in resumed.note


def test_L5_gold_s2_business_time_used_before_the_pause_stays_used():
    # Gold S2, 4 business hours on T2 (Mon-Fri 06:00-18:00 Pacific). Reply Mon 16 Nov 15:00,
    # pause Mon 17:00: 2 business hours used. Resume Tue 07:00: 2 remain -> Tue 09:00.
    ticket, agent = gold_ticket("S2", pacific(2026, 11, 16, 14, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 16, 15, 0)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 16, 17, 0))
    assert update_clock(ticket).used == dt.timedelta(hours=2)
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 17, 7, 0))
    assert update_clock(ticket).due_at == pacific(2026, 11, 17, 9, 0)


def test_L5_business_hours_resume_before_opening_runs_the_remainder_from_the_opening():
    # Same as above, resumed Tue 05:00 (closed): the 2 remaining hours start at 06:00 (T5) -> 08:00.
    ticket, agent = gold_ticket("S2", pacific(2026, 11, 16, 14, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 16, 15, 0)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 16, 17, 0))
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 17, 5, 0))
    update = update_clock(ticket)
    assert (update.started_at, update.due_at) == (
        pacific(2026, 11, 17, 6),
        pacific(2026, 11, 17, 8),
    )


def test_L5_next_business_day_target_keeps_its_used_open_time():
    # Gold S4 is NBD (T6): a reply Mon 16 Nov 10:00 owes an update by Tue 18:00, which is
    # 20 business hours (Mon 10-18 = 8, Tue 06-18 = 12). Pause Mon 12:00: 2 used, 18 remain.
    # Resume Wed 07:00: Wed 07-18 = 11 h, 7 more from Thu 06:00 -> Thu 19 Nov 13:00.
    ticket, agent = gold_ticket("S4", pacific(2026, 11, 16, 9, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 16, 10, 0)
    )
    assert update_clock(ticket).due_at == pacific(2026, 11, 17, 18, 0)
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 16, 12, 0))
    paused = update_clock(ticket)
    assert (paused.used, paused.remaining) == (dt.timedelta(hours=2), dt.timedelta(hours=18))
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 7, 0))
    assert update_clock(ticket).due_at == pacific(2026, 11, 19, 13, 0)


def test_L5_several_pauses_accumulate():
    # Gold S1 (2 h, 24x7): reply 12:30; waiting 13:00-15:00 (30 min used); running 15:00-15:45
    # (45 more: 1 h 15 min used); waiting 15:45-18:00; resume 18:00: 45 min remain -> 18:45.
    ticket, agent = gold_ticket("S1", pacific(2026, 11, 18, 12, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 12, 30)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 13, 0))
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 15, 0))
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 15, 45))
    assert update_clock(ticket).used == dt.timedelta(minutes=75)
    with clock.frozen_at(pacific(2026, 11, 18, 18, 0)):
        # The customer's reply resumes the ticket (L5), through the same path as the portal.
        services.reply(
            actor=user("customer", ticket.customer), ticket=ticket, body="Logs.", public=True
        )
    update = update_clock(ticket)
    assert (update.state, update.due_at) == ("running", pacific(2026, 11, 18, 18, 45))
    assert "1 hour 15 minutes of the target" in " ".join(update.explanation)


def test_L5_a_public_reply_while_waiting_restarts_the_full_target():
    # Gold S1: reply 12:30, waiting from 13:00; a public agent reply at 14:00 restarts the
    # target (counted from the last public agent reply), which runs in full from the resume
    # at 15:00 -> 17:00.
    ticket, agent = gold_ticket("S1", pacific(2026, 11, 18, 12, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 12, 30)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 13, 0))
    services.reply(
        actor=agent, ticket=ticket, body="b", public=True, at=pacific(2026, 11, 18, 14, 0)
    )
    assert update_clock(ticket).used == dt.timedelta(0)
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 15, 0))
    assert update_clock(ticket).due_at == pacific(2026, 11, 18, 17, 0)


def test_L5_a_reply_after_the_resume_restarts_the_full_target():
    # Reply 12:30, waiting 13:00-15:00 (due 16:30), a public reply at 15:30 -> 17:30.
    ticket, agent = gold_ticket("S1", pacific(2026, 11, 18, 12, 0))
    services.reply(
        actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 12, 30)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 13, 0))
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 15, 0))
    services.reply(
        actor=agent, ticket=ticket, body="b", public=True, at=pacific(2026, 11, 18, 15, 30)
    )
    update = update_clock(ticket)
    assert (update.due_at, update.used) == (pacific(2026, 11, 18, 17, 30), dt.timedelta(0))
