"""The periodic scans the policy promises, run once at an instant (L5, R1, R4, F2).

`rmadesk worker` runs each scan on the schedule of the policy file (`[schedule]`, every minute by
default) as a background task (`rmadesk.jobs.tasks`); `rmadesk jobs run [--now ISO]` runs them all
once, by hand. Every scan is idempotent, so a second run at the same or a later instant
adds nothing, and two runs at once do not duplicate anything (each scan claims its rows).

The scans are a typed registry of the services themselves, in the order they run: mypy checks
each one's signature, and the import graph shows what the job runner depends on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from rmadesk.billing.services import accrue_late_fees, invoice_unreturned_parts
from rmadesk.core.scan_items import ItemFailure, collecting_item_failures
from rmadesk.core.services import publish_pending_events
from rmadesk.jobs.weekly_summary import send_weekly_summary
from rmadesk.notices.scans import warn_breaching_clocks
from rmadesk.policy.instants import require_aware
from rmadesk.rmas.services import (
    expire_labels,
    expire_rmas,
    remind_label_expiring,
    remind_part_not_returned,
)
from rmadesk.tickets.services import mark_breached_clocks


class ScanFunction(Protocol):
    """What a scan is: a function of the instant it runs at, answering how much it did."""

    def __call__(self, *, now: dt.datetime) -> int: ...


@dataclass(frozen=True)
class Scan:
    """A periodic scan: its name (the policy file's `[schedule.scans]` key), the service it
    runs, and what its count means."""

    name: str
    run: ScanFunction
    what: str


SCANS: tuple[Scan, ...] = (
    Scan("mark_breached_clocks", mark_breached_clocks, "clocks breached"),
    # Staff warned of a clock due within `[notifications] breach_warning`, once per due instant.
    Scan("warn_breaching_clocks", warn_breaching_clocks, "breach warnings sent to staff"),
    Scan("expire_rmas", expire_rmas, "RMAs expired (R1)"),
    Scan("expire_labels", expire_labels, "return labels expired (R4)"),
    Scan(
        "invoice_unreturned_parts",
        invoice_unreturned_parts,
        "unreturned-parts invoices issued (R4)",
    ),
    Scan("accrue_late_fees", accrue_late_fees, "late-fee lines added (F2)"),
    # Reminders to the customer, once per RMA (R4, days 8 and 12).
    Scan(
        "remind_label_expiring",
        remind_label_expiring,
        "label-expiring reminders queued (R4, day 8)",
    ),
    Scan(
        "remind_part_not_returned",
        remind_part_not_returned,
        "part-not-returned reminders queued (R4, day 12)",
    ),
    # Managers' summary of last week (issue 16), once per manager and week.
    Scan("send_weekly_summary", send_weekly_summary, "weekly summaries queued to managers"),
    # Events whose subscribers did not all finish (the process died after a commit).
    Scan("publish_pending_events", publish_pending_events, "events handed out again"),
)
SCAN_NAMES: tuple[str, ...] = tuple(scan.name for scan in SCANS)


@dataclass
class ScanReport:
    """What one run did: a count per scan that finished, an error per scan that failed, and
    the rows a scan skipped after an error (`item_failures`; logged, retried on the next run)."""

    now: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    item_failures: dict[str, list[ItemFailure]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.item_failures


class ScansFailed(Exception):
    """One or more scans failed; the others ran and committed. `report` says which."""

    def __init__(self, report: ScanReport) -> None:
        failed = ", ".join(
            [f"{name}: {error}" for name, error in report.errors.items()]
            + [
                f"{name}: {failure}"
                for name, failures in report.item_failures.items()
                for failure in failures
            ]
        )
        super().__init__(f"scans failed: {failed}")
        self.report = report


def scan_named(name: str) -> Scan:
    for scan in SCANS:
        if scan.name == name:
            return scan
    raise KeyError(f"no scan called {name!r}; the scans are {', '.join(SCAN_NAMES)}")


def run_scan(name: str, *, now: dt.datetime) -> int:
    """Run the one scan called `name` at `now`; the count of what it did.

    Each scan commits its rows itself, one (or one batch) at a time, so a scan stopped half-way
    (an error, a killed worker) keeps what it finished and the next run does the rest.
    """
    return int(scan_named(name).run(now=require_aware(now, "now")))


def scan_report(*, now: dt.datetime) -> ScanReport:
    """Run every scan at `now`; report counts and failures.

    A scan that raises stops alone, keeping the rows it committed: the scans after it still run.
    A row a scan could not process (`rmadesk.core.scan_items.each_item`) is skipped, logged and
    listed in `item_failures`: the scan does the other rows, and the next run tries it again.
    """
    now = require_aware(now, "now")
    report = ScanReport(now=now)
    for scan in SCANS:
        with collecting_item_failures() as failures:
            try:
                report.counts[scan.name] = run_scan(scan.name, now=now)
            except Exception as error:  # reported below; the other scans must still run
                report.errors[scan.name] = f"{type(error).__name__}: {error}"
        if failures:
            report.item_failures[scan.name] = failures
    return report


def run_scans(*, now: dt.datetime) -> dict[str, int]:
    """Run every scan once at `now`; the count of what each did, by scan name.

    Raises ScansFailed (after running the rest) when a scan fails.
    """
    report = scan_report(now=now)
    if not report.ok:
        raise ScansFailed(report)
    return report.counts
