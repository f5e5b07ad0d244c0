"""The breach-warning scan: tell staff a running clock is due within the policy's warning.

The warning is elapsed time before the due instant (`[notifications] breach_warning`, default
"1h"): a clock due at 10:30 UTC is warned from 09:30 UTC, whatever the calendar and across a
change of daylight saving time (the wall clock may read the same hour twice). A clock whose due
instant has passed is not warned: `mark_breached_clocks` alerts it as breached.

Once per clock and due instant: the scan claims the clocks in its window (`SKIP LOCKED`), and
for each writes a `BreachWarning` row (unique on clock and due instant) with an audit event on
the ticket carrying `BreachApproaching`, in one transaction. A second run, a concurrent one, or
one after a worker died finds the row and warns nobody again; a worker that died after the
commit but before the notification left is covered by the durable event
(`publish_pending_events` hands it out again).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from rmadesk.core.locking import claim
from rmadesk.core.policies import active_policy
from rmadesk.core.scan_items import each_item
from rmadesk.core.services import record_event
from rmadesk.notices.events import BreachApproaching
from rmadesk.notices.models import BreachWarning
from rmadesk.policy.durations import duration_text
from rmadesk.policy.instants import require_aware
from rmadesk.tickets.choices import ClockState
from rmadesk.tickets.events import ClockFacts, TicketFacts
from rmadesk.tickets.models import ServiceClock


def warn_breaching_clocks(*, now: dt.datetime) -> int:
    """Warn, once, of every running clock due within the warning after `now`; how many."""
    now = require_aware(now, "now")
    length = active_policy().document.notifications.breach_warning_length
    warning = duration_text(length)
    warned = 0
    with transaction.atomic():
        already = BreachWarning.objects.filter(clock=OuterRef("pk"), due_at=OuterRef("due_at"))
        due = claim(
            ServiceClock.objects.select_related("ticket", "ticket__customer")
            .filter(state=ClockState.RUNNING, due_at__gt=now, due_at__lte=now + length)
            .exclude(Exists(already))
            .order_by("due_at", "id")
        )
        for found in due:
            with each_item("clock", found.pk):  # a bad clock is logged, the others go on
                assert found.due_at is not None
                try:
                    with transaction.atomic():  # a concurrent scan's row: skip this clock alone
                        BreachWarning.objects.create(
                            clock=found, due_at=found.due_at, warned_at=now
                        )
                except IntegrityError:
                    continue
                ticket = found.ticket
                record_event(
                    actor=None,
                    verb="clock.breach_warning",
                    subject_type="ticket",
                    subject_id=ticket.number,
                    ticket_number=ticket.number,
                    changes={"clock": found.kind, "due_at": found.due_at, "warning": warning},
                    note=f"{found.get_kind_display()} due {found.due_at.isoformat()}: staff warned "
                    f"{warning} before",
                    at=now,
                    event=BreachApproaching(
                        ticket=TicketFacts.of(ticket), clock=ClockFacts.of(found), warning=warning
                    ),
                )
                warned += 1
    return warned
