"""The weekly summary mail to managers: last week's promises kept, from the reports (issue 16).

A periodic scan like the others (`rmadesk.jobs.scans`): at every run it looks at the last
complete week (Monday to Sunday in the vendor's zone, before the week `now` is in) and queues,
through the outbox, one mail per manager for that week. The outbox's dedupe key
(`weekly_summary:<monday>:<user id>`) makes it once per manager and week, whatever the number
of runs, concurrent ones and retries included; a week already sent to every manager costs one
query. The figures are the reports' selectors (`rmadesk.reports`), read as the manager.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from rmadesk.core.choices import Role
from rmadesk.core.policies import active_policy
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.notifications import AUTO_HEADERS
from rmadesk.mail.outbox import Draft, enqueue
from rmadesk.policy.instants import require_aware
from rmadesk.reports.attainment import attainment, met_percent
from rmadesk.reports.backlog import backlog
from rmadesk.reports.breaches import breach_counts
from rmadesk.reports.money import outstanding
from rmadesk.reports.ranges import DateRange
from rmadesk.tickets.choices import ClockKind

KIND = "weekly_summary"


def last_week(now: dt.datetime) -> DateRange:
    """The last complete week (Monday to Sunday, vendor's zone) before the one `now` is in."""
    today = now.astimezone(active_policy().vendor_zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    return DateRange.of(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))


def dedupe_key(week: DateRange, user: Any) -> str:
    return f"{KIND}:{week.first.isoformat()}:{user.pk}"


def send_weekly_summary(*, now: dt.datetime) -> int:
    """Queue last week's summary to each manager not sent it yet; how many were queued."""
    require_aware(now, "now")
    week = last_week(now)
    managers = list(
        get_user_model()
        .objects.filter(account__role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    keys = {dedupe_key(week, user): user for user in managers}
    sent = set(
        OutboxMessage.objects.filter(dedupe_key__in=list(keys)).values_list("dedupe_key", flat=True)
    )
    queued = 0
    for key, user in keys.items():
        if key in sent:
            continue
        if enqueue(_draft(user, week, key)) is not None:
            queued += 1
    return queued


def summary_text(user: Any, week: DateRange) -> tuple[str, str]:
    """(subject, body) of one manager's summary of `week`, in the site's language."""
    before = DateRange.of(week.first - dt.timedelta(days=7), week.first - dt.timedelta(days=1))
    rows = attainment(user, week)
    met = met_percent(rows)
    met_before = met_percent(attainment(user, before))
    breaches = breach_counts(user, week)
    open_tickets = backlog(user)
    money = outstanding(week.last + dt.timedelta(days=1))
    subject = _("Support summary, week of %(monday)s") % {"monday": week.first.isoformat()}
    lines = [
        _("Week %(first)s to %(last)s (vendor's zone).")
        % {"first": week.first.isoformat(), "last": week.last.isoformat()},
        "",
        _("Promises met: %(met)s (the week before: %(before)s).")
        % {"met": _percent(met), "before": _percent(met_before)},
    ]
    for row in rows:
        lines.append(
            _(
                "  %(plan)s %(severity)s %(clock)s: %(met)s met, %(breached)s breached, "
                "median %(median)s business h, 90th percentile %(p90)s"
            )
            % {
                "plan": row.plan,
                "severity": row.severity,
                "clock": ClockKind(row.clock).label,
                "met": row.met,
                "breached": row.breached,
                "median": row.median_business_hours or "-",
                "p90": row.p90_business_hours or "-",
            }
        )
    in_hours = sum(b.in_hours for b in breaches)
    out_of_hours = sum(b.out_of_hours for b in breaches)
    lines += [
        "",
        _("Breaches: %(in)s in business hours, %(out)s out of hours.")
        % {"in": in_hours, "out": out_of_hours},
        _("Open tickets now: %(count)s.") % {"count": sum(b.total for b in open_tickets)},
        _("Overdue invoices: %(count)s, %(amount)s %(currency)s owed.")
        % {
            "count": sum(f.count for f in money if f.figure != "not_due"),
            "amount": sum(
                (_decimal(f.value) for f in money if f.figure != "not_due"), _decimal("0.00")
            ),
            "currency": active_policy().currency,
        },
        "",
        _("The reports: /console/reports/ (this week against last on /console/dashboard/)."),
    ]
    return subject, "\n".join(lines) + "\n"


def _decimal(text: str | None) -> Decimal:
    return Decimal(text or "0")


def _percent(value: Any) -> str:
    return "-" if value is None else f"{value}%"


def _draft(user: Any, week: DateRange, key: str) -> Draft:
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = summary_text(user, week)
    return Draft(
        kind=KIND,
        dedupe_key=key,
        to=[user.email],
        subject=subject,
        text_body=body,
        headers=dict(AUTO_HEADERS),
    )
