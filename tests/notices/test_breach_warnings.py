"""The breach-warning scan: once per clock and due instant, `breach_warning` of elapsed time
before it (not business hours, not wall-clock arithmetic), surviving a restart."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import publish_pending_events
from rmadesk.jobs.scans import SCAN_NAMES, run_scan
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.notices.models import BreachWarning, Notice
from rmadesk.notices.scans import warn_breaching_clocks
from rmadesk.policy.loader import parse_policy
from rmadesk.tickets.models import ServiceClock
from rmadesk.tickets.services import assign_ticket, change_severity
from tests.notices.conftest import mailed, noticed

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)


def due_at(ticket) -> dt.datetime:
    found = ServiceClock.objects.get(ticket=ticket, kind="first_response").due_at
    assert found is not None
    return found


def test_the_scan_is_registered_with_the_other_periodic_scans():
    assert "warn_breaching_clocks" in SCAN_NAMES


def test_it_fires_once_at_one_hour_before_due_to_the_assignee(desk):
    ticket = desk.open()  # Gold S2 at 10:00 PST: due 14:00 PST (22:00 UTC)
    assign_ticket(actor=desk.manager, ticket=ticket, assignee=desk.ben)
    Notice.objects.all().delete()
    due = due_at(ticket)
    assert due == dt.datetime(2026, 11, 18, 22, 0, tzinfo=UTC)
    assert warn_breaching_clocks(now=due - dt.timedelta(hours=1) - SECOND) == 0
    assert noticed() == []
    assert run_scan("warn_breaching_clocks", now=due - dt.timedelta(hours=1)) == 1
    assert noticed("breach_warning") == ["ben@vendor.example"]
    assert mailed("breach_warning") == [["ben@vendor.example"]]
    notice = Notice.objects.get()
    assert notice.text == (
        f"#{ticket.number}: the first response is due within 1h (S2, Acme Storage): Pool degraded"
    )
    mail = OutboxMessage.objects.get(kind="notice_breach_warning")
    assert "First response due: Wed 18 Nov 2026 14:00 PST" in mail.text_body
    # Later runs, up to the due instant, warn nobody again.
    for later in (due - dt.timedelta(minutes=30), due - SECOND):
        assert warn_breaching_clocks(now=later) == 0
    assert Notice.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="notice_breach_warning").count() == 1
    history = AuditEvent.objects.get(verb="clock.breach_warning")
    assert history.ticket_number == ticket.number and history.actor is None


def test_without_an_assignee_the_team_is_warned(desk):
    ticket = desk.open()
    Notice.objects.all().delete()
    assert warn_breaching_clocks(now=due_at(ticket) - dt.timedelta(minutes=5)) == 1
    assert noticed("breach_warning") == ["ann@vendor.example", "ben@vendor.example"]


def test_a_clock_already_past_due_or_paused_is_not_warned(desk):
    ticket = desk.open()
    assert warn_breaching_clocks(now=due_at(ticket)) == 0  # due now: the breach scan's
    assert warn_breaching_clocks(now=due_at(ticket) + SECOND) == 0
    other = desk.open(subject="Licence question", severity="S4")
    ServiceClock.objects.filter(ticket=other).update(state="paused")
    assert warn_breaching_clocks(now=due_at(other) - dt.timedelta(minutes=1)) == 0


def test_a_restarted_worker_warns_nobody_twice(desk):
    """A worker killed after the commit, before the event was handed out: the durable event
    is handed out again by `publish_pending_events`; the marker row stops a second warning."""
    ticket = desk.open()
    Notice.objects.all().delete()
    warn_at = due_at(ticket) - dt.timedelta(minutes=50)
    with clock.frozen_at(warn_at):
        assert warn_breaching_clocks(now=warn_at) == 1
    row = AuditEvent.objects.get(verb="clock.breach_warning")
    # As if the process died before its subscribers ran: undo what they did, unmark the row.
    Notice.objects.all().delete()
    OutboxMessage.objects.filter(kind="notice_breach_warning").delete()
    AuditEvent.objects.filter(pk=row.pk).update(dispatched_at=None)
    later = warn_at + dt.timedelta(minutes=3)
    # The restarted worker's scans: the warning is not made again ...
    assert warn_breaching_clocks(now=later) == 0
    assert BreachWarning.objects.count() == 1
    # ... and the event left undelivered is handed out once more.
    assert publish_pending_events(now=later) == 1
    assert noticed("breach_warning") == ["ann@vendor.example", "ben@vendor.example"]
    assert publish_pending_events(now=later + dt.timedelta(minutes=3)) == 0
    assert OutboxMessage.objects.filter(kind="notice_breach_warning").count() == 2


def test_a_new_due_instant_is_a_new_promise_and_warned_again(desk):
    ticket = desk.open()
    first_due = due_at(ticket)
    assert warn_breaching_clocks(now=first_due - dt.timedelta(minutes=30)) == 1
    # S2 → S1 on Gold: 2 hours around the clock from the opening, due 12:00 PST (L7).
    with clock.frozen_at(first_due - dt.timedelta(minutes=200)):
        change_severity(actor=desk.ann, ticket=ticket, severity="S1")
    second_due = due_at(ticket)
    assert second_due != first_due
    assert warn_breaching_clocks(now=second_due - dt.timedelta(minutes=59)) == 1
    assert warn_breaching_clocks(now=second_due - dt.timedelta(minutes=1)) == 0
    assert BreachWarning.objects.count() == 2


@pytest.mark.parametrize(
    ("due", "warned_from"),
    [
        # Fall back, 1 Nov 2026: 01:30 happens twice in Los Angeles. Due 01:30 PST (09:30 UTC);
        # an hour before is 01:30 PDT (08:30 UTC): the wall clock reads the same both times.
        (
            dt.datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
            dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        ),
        # Spring forward, 14 Mar 2027: 02:00-03:00 does not exist. Due 03:30 PDT (10:30 UTC);
        # an hour before is 01:30 PST (09:30 UTC), not the non-existent 02:30.
        (
            dt.datetime(2027, 3, 14, 10, 30, tzinfo=UTC),
            dt.datetime(2027, 3, 14, 9, 30, tzinfo=UTC),
        ),
    ],
)
def test_the_warning_is_elapsed_time_before_due_across_a_dst_change(desk, due, warned_from):
    ticket = desk.open()
    ServiceClock.objects.filter(ticket=ticket).update(started_at=due - dt.timedelta(hours=4))
    ServiceClock.objects.filter(ticket=ticket).update(due_at=due)
    assert warned_from == due - dt.timedelta(seconds=3600)
    assert warn_breaching_clocks(now=warned_from - SECOND) == 0
    assert warn_breaching_clocks(now=warned_from) == 1
    warning = BreachWarning.objects.get()
    assert (warning.due_at, warning.warned_at) == (due, warned_from)


def test_the_policy_file_sets_the_warning(desk, settings, tmp_path):
    text = resources.files("rmadesk.policy").joinpath("default.toml").read_text("utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text(text.replace('breach_warning = "1h"', 'breach_warning = "1h30m"'))
    settings.RMADESK_POLICY = str(policy)
    parse_policy(policy.read_text(), "policy.toml")
    ticket = desk.open()
    due = due_at(ticket)
    assert warn_breaching_clocks(now=due - dt.timedelta(minutes=91)) == 0
    assert warn_breaching_clocks(now=due - dt.timedelta(minutes=90)) == 1
    assert Notice.objects.filter(kind="breach_warning").first().text.count("within 1h30m") == 1
