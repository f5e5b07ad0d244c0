"""The periodic scans the policy promises, run once at an instant (L5, R1, R4, F2).

`rmadesk worker` runs each scan on the schedule of the policy file (`[schedule]`, every minute by
default) as a background task (`rmadesk.jobs.tasks`); `rmadesk jobs run [--now ISO]` runs them all
once, by hand. Every scan is idempotent, so a second run at the same or a later instant
adds nothing, and two runs at once do not duplicate anything (each scan claims its rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

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


SCAN_NAMES: tuple[str, ...] = tuple(name for name, _, _, _ in SCANS)


def run_scan(name: str, *, now: dt.datetime) -> int:
    """Run the one scan called `name` at `now`; the count of what it did.

    Each scan commits its rows itself, one (or one batch) at a time, so a scan stopped half-way
    (an error, a killed worker) keeps what it finished and the next run does the rest.
    """
    for scan_name, module, function, _ in SCANS:
        if scan_name == name:
            return int(_scan(module, function)(now=require_aware(now, "now")))
    raise KeyError(f"no scan called {name!r}; the scans are {', '.join(SCAN_NAMES)}")


def scan_report(*, now: dt.datetime) -> ScanReport:
    """Run every scan at `now`; report counts and failures.

    A scan that raises stops alone, keeping the rows it committed: the scans after it still run.
    """
    now = require_aware(now, "now")
    report = ScanReport(now=now)
    for name, _, _, _ in SCANS:
        try:
            report.counts[name] = run_scan(name, now=now)
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
