"""The breach scan: a running clock past its due instant becomes breached at that instant."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from rmadesk.core.locking import claim
from rmadesk.core.scan_items import report_item_failure
from rmadesk.core.services import EventRecord, record_events
from rmadesk.policy.instants import require_aware
from rmadesk.tickets.choices import ClockKind, ClockState
from rmadesk.tickets.events import ClockBreached, ClockFacts, TicketFacts
from rmadesk.tickets.models import ClockRun, ServiceClock
from rmadesk.tickets.services.clocks import CLOCK_RULES, new_run, sync_queues

# Clocks marked per transaction: large enough that a backlog takes few statements, small enough
# that a batch's row locks are held for a fraction of a second.
BREACH_BATCH = 500


def mark_breached_clocks(*, now: dt.datetime, batch_size: int = BREACH_BATCH) -> int:
    """Every running clock past its due instant becomes breached at that instant; the count.

    Set-based, a batch at a time, each batch its own short transaction: one statement claims
    the batch (the `(state, due_at)` index), one marks it, one records its audit events, and
    the tickets' queue fields are read and written once per batch. The alerts are built from
    the events once the batch has committed, so no lock is held while a mail is rendered. With
    nothing overdue the scan costs one index lookup.

    Idempotent (a breached clock is no longer running). Two scans at once on PostgreSQL do not
    both mark a clock: rows another scan holds are skipped (`SKIP LOCKED`). The tickets are
    locked with their clocks: their queue fields are rewritten from all their clocks, which no
    service changes without first locking the ticket (skipped here while one does). A clock
    whose facts cannot be read is left running, reported, and tried again on the next run.
    """
    require_aware(now, "now")
    marked = 0
    skipped: set[int] = set()
    while True:
        done, claimed = _mark_batch(now=now, size=batch_size, skipped=skipped)
        marked += done
        if claimed < batch_size:
            return marked


def _mark_batch(*, now: dt.datetime, size: int, skipped: set[int]) -> tuple[int, int]:
    """Mark one batch in one transaction: (clocks marked, clocks claimed)."""
    with transaction.atomic():
        overdue = list(
            claim(
                ServiceClock.objects.select_related(
                    "ticket", "ticket__customer", "ticket__assignee"
                )
                .filter(state=ClockState.RUNNING, due_at__isnull=False, due_at__lt=now)
                .exclude(pk__in=skipped)
                .order_by("due_at", "id"),
                of=("self", "ticket"),
            )[:size]
        )
        records: list[EventRecord] = []
        runs: list[ClockRun] = []
        marked: list[ServiceClock] = []
        for found in overdue:
            try:
                record = _breach_record(found, now=now)
                # The run for the reports (issue 16): answered by a later reply or the closing.
                run = new_run(found, found.ticket, answered=None)
            except Exception as error:  # a bad clock is left out of the batch, the others go on
                found.state = ClockState.RUNNING
                found.stopped_at = None
                skipped.add(found.pk)
                report_item_failure("clock", found.pk, error)
                continue
            records.append(record)
            if run is not None:
                runs.append(run)
            marked.append(found)
        if not marked:
            return 0, len(overdue)
        ServiceClock.objects.filter(pk__in=[found.pk for found in marked]).update(
            state=ClockState.BREACHED, stopped_at=F("due_at")
        )
        record_events(actor=None, records=records)
        ClockRun.objects.bulk_create(runs)
        sync_queues({found.ticket_id: found.ticket for found in marked})
    return len(marked), len(overdue)


def _breach_record(found: ServiceClock, *, now: dt.datetime) -> EventRecord:
    """The audit event of one clock breached at its due instant (the clock is updated in hand)."""
    assert found.due_at is not None
    found.state = ClockState.BREACHED
    found.stopped_at = found.due_at
    ticket = found.ticket
    kind = ClockKind(found.kind)
    rules = CLOCK_RULES[kind]
    note = f"{kind.label} was due {found.due_at.isoformat()}"
    return EventRecord(
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
            assignee_email=str(getattr(ticket.assignee, "email", "") or ""),
            rules=rules,
            note=note,
        ),
    )
