"""The managers' weekly summary: once per manager and week, the reports' numbers, via the outbox."""

from __future__ import annotations

import pytest

from rmadesk.jobs.weekly_summary import send_weekly_summary
from rmadesk.mail.models_outbox import OutboxMessage
from tests.reports.seed import seed
from tests.tickets.factories import pacific, user

pytestmark = pytest.mark.django_db


def test_the_weekly_summary_is_queued_once_per_manager_and_week():
    seeded = seed()
    user("agent")  # not a manager: no summary
    monday = pacific(2026, 11, 16, 7, 0)
    assert send_weekly_summary(now=monday) == 1
    assert send_weekly_summary(now=monday) == 0  # the same week: never twice
    assert send_weekly_summary(now=pacific(2026, 11, 22, 23, 0)) == 0  # still that week
    mail = OutboxMessage.objects.get(kind="weekly_summary")
    assert mail.to == [seeded.manager.email]
    assert mail.dedupe_key == f"weekly_summary:2026-11-09:{seeded.manager.pk}"
    assert mail.subject == "Support summary, week of 2026-11-09"
    body = mail.text_body
    # Week 9-15 Nov: the Gold S1 due Tue 10 Nov 02:00, breached out of hours; nothing met.
    assert "Promises met: 0.0% (the week before: 37.5%)." in body  # 2-8 Nov: 3 met of 8 runs
    assert "gold S1 first response: 0 met, 1 breached" in body
    assert "Breaches: 0 in business hours, 1 out of hours." in body
    assert send_weekly_summary(now=pacific(2026, 11, 23, 7, 0)) == 1  # the next week
