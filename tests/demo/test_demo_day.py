"""The demo is a working day around its own now: every queue badge, several agents, real RMAs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from rmadesk.billing.choices import InvoiceKind
from rmadesk.billing.models import Invoice
from rmadesk.console.queue_selectors import QueueFilters, queue
from rmadesk.console.selectors import queue_badge
from rmadesk.core import clock
from rmadesk.core.permissions import role_of
from rmadesk.demo.data import load_demo_data
from rmadesk.rmas.models import Rma
from rmadesk.tickets.choices import CLOSED_STATUSES, TicketStatus
from rmadesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

# A Tuesday morning in Pacific business hours, a Saturday night, and Thanksgiving Day (T2).
NOWS = {
    "weekday": dt.datetime(2026, 11, 17, 18, 30, tzinfo=dt.UTC),
    "saturday night": dt.datetime(2026, 11, 22, 5, 0, tzinfo=dt.UTC),
    "thanksgiving": dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC),
}


def load_at(now: dt.datetime) -> None:
    with clock.frozen_at(now):
        load_demo_data()


def badges_at(now: dt.datetime) -> Counter[str]:
    manager = get_user_model().objects.get(username="manager@vendor.example")
    return Counter(queue_badge(t, now).css for t in queue(manager, QueueFilters(), now=now))


@pytest.mark.parametrize("when", NOWS)
def test_the_demos_queue_at_its_own_now_shows_every_badge(when):
    now = NOWS[when]
    load_at(now)
    badges = badges_at(now)
    assert {"breached", "soon", "on-track", "paused"} <= set(badges), badges
    total = sum(badges.values())
    assert badges["breached"] <= 4 < total // 4, badges  # a few, not most


def test_the_demos_clocks_fall_due_where_the_story_puts_them():
    now = NOWS["weekday"]
    load_at(now)
    due = dict(Ticket.objects.values_list("subject", "next_due_at"))
    # Gold S1 is 24x7: due exactly 20 minutes from now (to the minute it was placed on).
    assert abs(due["Pool offline after controller reboot"] - (now + dt.timedelta(minutes=20))) < (
        dt.timedelta(minutes=1)
    )
    # Business hours on a Tuesday morning: 3 hours, tomorrow, and an hour late.
    assert (
        now + dt.timedelta(hours=3) - dt.timedelta(minutes=1)
        < (due["Replication lagging by hours"])
        <= now + dt.timedelta(hours=3)
    )
    assert due["Web UI slow on the dashboard"].date() == (now + dt.timedelta(days=1)).date()
    assert due["Array unreachable after power cut"] < now
    waiting = Ticket.objects.filter(status=TicketStatus.WAITING_ON_CUSTOMER).count()
    closed = Ticket.objects.filter(
        status__in=CLOSED_STATUSES, closed_at__gte=now - dt.timedelta(days=3)
    )
    assert waiting >= 3 and closed.count() >= 3
    assert set(Ticket.objects.values_list("plan", flat=True)) == {
        "gold", "silver", "bronze", "truecommand", "truecommand-free",
    }  # fmt: skip


def test_the_demo_has_agents_with_assignments_and_every_staff_role():
    load_at(NOWS["weekday"])
    users = get_user_model().objects.all()
    roles = Counter(role_of(user) for user in users)
    assert roles["agent"] >= 3 and roles["manager"] and roles["clerk"] and roles["finance"]
    working = Counter(
        Ticket.objects.exclude(assignee=None)
        .filter(status=TicketStatus.OPEN)
        .values_list("assignee__username", flat=True)
    )
    assert len([email for email in working if role_of(users.get(username=email)) == "agent"]) >= 3
    assert Ticket.objects.filter(status=TicketStatus.OPEN, assignee=None).exists()


def test_the_demos_rmas_show_exchanges_awaiting_return_expiring_and_invoiced():
    now = NOWS["weekday"]
    load_at(now)
    exchanges = Rma.objects.filter(kind="advance_exchange", received_at=None)
    assert exchanges.filter(
        label_expires_at__gt=now, label_expires_at__lt=now + dt.timedelta(days=2)
    ).exists()
    invoiced = Invoice.objects.filter(kind=InvoiceKind.UNRETURNED_PARTS)
    assert invoiced.count() == 1
    assert Rma.objects.filter(status="received").exists()
    parts = {name for rma in Rma.objects.all() for name in rma.items.values_list("part", flat=True)}
    assert len(parts) >= 8
