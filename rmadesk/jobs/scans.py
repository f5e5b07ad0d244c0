"""The periodic scans the policy promises, run once at an instant (L5, R1, R4, F2).

`rmadesk jobs run [--now ISO]` calls `run_scans`; a scheduler (cron, a systemd timer) runs it
every few minutes. Every scan is idempotent, so a second run at the same or a later instant
adds nothing, and two runs at once do not duplicate anything (each scan claims its rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.db import transaction

from rmadesk.policy.instants import require_aware

# (name, module, function, what its count means): run in this order. Imported when run, so
# this module loads whatever state the apps are in, and a broken scan cannot stop the others.
SCANS: tuple[tuple[str, str, str, str], ...] = (
    ("mark_breached_clocks", "rmadesk.tickets.services", "mark_breached_clocks", "clocks breached"),
    ("expire_rmas", "rmadesk.rmas.services", "expire_rmas", "RMAs expired (R1)"),
    ("expire_labels", "rmadesk.rmas.services", "expire_labels", "return labels expired (R4)"),
    (
        "invoice_unreturned_parts",
        "rmadesk.billing.services",
        "invoice_unreturned_parts",
        "unreturned-parts invoices issued (R4)",
    ),
    (
        "accrue_late_fees",
        "rmadesk.billing.services",
        "accrue_late_fees",
        "late-fee lines added (F2)",
    ),
    # Reminders to the customer, once per RMA, queued in the outbox (issue 5).
    (
        "remind_label_expiring",
        "rmadesk.mail.reminders",
        "remind_label_expiring",
        "label-expiring reminders queued (R4, day 8)",
    ),
    (
        "remind_part_not_returned",
        "rmadesk.mail.reminders",
        "remind_part_not_returned",
        "part-not-returned reminders queued (R4, day 12)",
    ),
)


@dataclass
class ScanReport:
    """What one run did: a count per scan that finished, an error per scan that failed."""

    now: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class ScansFailed(Exception):
    """One or more scans failed; the others ran and committed. `report` says which."""

    def __init__(self, report: ScanReport) -> None:
        failed = ", ".join(f"{name}: {error}" for name, error in report.errors.items())
        super().__init__(f"scans failed: {failed}")
        self.report = report


def _scan(module: str, function: str) -> Callable[..., int]:
    scan: Callable[..., int] = getattr(import_module(module), function)
    return scan


def scan_report(*, now: dt.datetime) -> ScanReport:
    """Run every scan at `now`, each in its own transaction; report counts and failures.

    A scan that raises is rolled back alone: the scans before and after it still commit.
    """
    now = require_aware(now, "now")
    report = ScanReport(now=now)
    for name, module, function, _ in SCANS:
        try:
            scan = _scan(module, function)
            with transaction.atomic():
                report.counts[name] = int(scan(now=now))
        except Exception as error:  # reported below; the other scans must still run
            report.errors[name] = f"{type(error).__name__}: {error}"
    return report


def run_scans(*, now: dt.datetime) -> dict[str, int]:
    """Run every scan once at `now`; the count of what each did, by scan name.

    Raises ScansFailed (after running the rest) when a scan fails.
    """
    report = scan_report(now=now)
    if not report.ok:
        raise ScansFailed(report)
    return report.counts
