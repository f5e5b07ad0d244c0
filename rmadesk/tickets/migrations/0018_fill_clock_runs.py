"""Fill ClockRun from the clocks already stopped: the runs the reports count (L3, L5).

A met clock was answered when it stopped. A clock breached before this record existed was
answered by the first public agent reply at or after its due time, if any (else it waits for
the next one, as a run breached by the scan does). Business time comes from the policy core,
on the ticket's own policy version (L6). Clocks restarted before this record existed (earlier
next-update runs) left nothing to fill from: the reports count them from here on.
"""

import datetime as dt
from typing import Any

from django.db import migrations

from rmadesk.core.policies import active_policy, policy_of
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.service_levels import response_time

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    ServiceClock = apps.get_model("tickets", "ServiceClock")
    ClockRun = apps.get_model("tickets", "ClockRun")
    Message = apps.get_model("tickets", "Message")
    last = 0
    while True:
        clocks = list(
            ServiceClock.objects.select_related("ticket", "ticket__customer")
            .filter(pk__gt=last, state__in=("met", "breached"), due_at__isnull=False)
            .order_by("pk")[:BATCH]
        )
        if not clocks:
            return
        last = clocks[-1].pk
        runs = []
        for found in clocks:
            ticket = found.ticket
            answered: dt.datetime | None = found.stopped_at
            if found.state == "breached":
                answered = (
                    Message.objects.filter(
                        ticket=ticket, kind="reply", is_public=True, at__gte=found.due_at
                    )
                    .order_by("at")
                    .values_list("at", flat=True)
                    .first()
                )
            try:
                measured = response_time(
                    policy_of(ticket.policy_version) or active_policy(),
                    plan=ticket.plan,
                    severity=ticket.severity,
                    started=found.started_at,
                    due=found.due_at,
                    answered=answered,
                    used=found.used,
                    country=ticket.customer.country,
                    zone=ticket.customer.zone,
                )
            except PolicyError:
                continue  # a plan or severity the policy no longer knows: nothing to count
            due_on = found.due_at.astimezone(active_policy().vendor_zone).date()
            runs.append(
                ClockRun(
                    ticket=ticket,
                    kind=found.kind,
                    plan=ticket.plan,
                    severity=ticket.severity,
                    state=found.state,
                    started_at=found.started_at,
                    due_at=found.due_at,
                    answered_at=answered,
                    business_seconds=(
                        None
                        if measured.business is None
                        else int(measured.business.total_seconds())
                    ),
                    target_seconds=int(measured.target.total_seconds()),
                    is_due_in_hours=measured.is_due_in_hours,
                    due_on=due_on,
                    due_week=due_on - dt.timedelta(days=due_on.weekday()),
                    due_month=due_on.replace(day=1),
                )
            )
        ClockRun.objects.bulk_create(runs)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0017_clock_runs"), ("core", "0005_api_idempotency_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
