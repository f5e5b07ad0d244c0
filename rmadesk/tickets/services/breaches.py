"""The breach scan: a running clock past its due instant becomes breached at that instant."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core.locking import claim
from rmadesk.core.scan_items import each_item
from rmadesk.core.services import record_event
from rmadesk.policy.instants import require_aware
from rmadesk.tickets.choices import ClockKind, ClockState
from rmadesk.tickets.events import ClockBreached, ClockFacts, TicketFacts
from rmadesk.tickets.models import ClockRun, ServiceClock
from rmadesk.tickets.services.clocks import CLOCK_RULES, new_run, sync_queues


def mark_breached_clocks(*, now: dt.datetime) -> int:
    """Every running clock past its due instant becomes breached at that instant; the count.

    Idempotent (a breached clock is no longer running). Two scans at once on PostgreSQL do not
    both mark a clock: rows another scan holds are skipped (`SKIP LOCKED`), and a row that a
    service changed meanwhile is re-checked under its lock. The tickets are locked too: their
    queue fields are rewritten from all their clocks, which no service changes without first
    locking the ticket (skipped here while one does).
    """
    require_aware(now, "now")
    marked = 0
    runs: list[ClockRun] = []
    with transaction.atomic():
        overdue = list(
            claim(
                ServiceClock.objects.select_related(
                    "ticket", "ticket__customer", "ticket__assignee"
                )
                .filter(state=ClockState.RUNNING, due_at__isnull=False, due_at__lt=now)
                .order_by("due_at", "id"),
                of=("self", "ticket"),
            )
        )
        for found in overdue:
            with each_item("clock", found.pk):  # a bad clock is logged, the others go on
                assert found.due_at is not None
                found.state = ClockState.BREACHED
                found.stopped_at = found.due_at
                found.save(update_fields=["state", "stopped_at"])
                ticket = found.ticket
                breached_run = new_run(found, ticket, answered=None)  # answered by a later reply
                if breached_run is not None:
                    runs.append(breached_run)
                rules = CLOCK_RULES[ClockKind(found.kind)]
                note = f"{ClockKind(found.kind).label} was due {found.due_at.isoformat()}"
                assignee = ticket.assignee
                record_event(
                    actor=None,
                    verb="clock.breached",
                    subject_type="ticket",
                    subject_id=ticket.number,
                    ticket_number=ticket.number,
                    changes={
                        "clock": found.kind,
                        "state": [ClockState.RUNNING, ClockState.BREACHED],
                        "due_at": found.due_at,
                    },
                    rules=rules,
                    note=note,
                    at=now,
                    event=ClockBreached(
                        ticket=TicketFacts.of(ticket),
                        clock=ClockFacts.of(found),
                        assignee_email=str(getattr(assignee, "email", "") or ""),
                        rules=rules,
                        note=note,
                    ),
                )
                marked += 1
        ClockRun.objects.bulk_create(runs)
        sync_queues({found.ticket_id: found.ticket for found in overdue})
    return marked
