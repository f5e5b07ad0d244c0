"""`rmadesk jobs run [--now ISO]`: run every periodic scan once, at now or at the given instant."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.core import clock
from rmadesk.jobs import scans
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import parse_instant


class Command(BaseCommand):
    help = (
        "Run the periodic scans once: mark breached clocks, expire RMAs and labels, issue the "
        "day-14 unreturned-parts invoices (R4), accrue late fees (F2). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="run every scan once")
        run.add_argument(
            "--now",
            metavar="ISO",
            help="run as of this instant, with an offset (e.g. 2026-11-16T18:00Z); rule T1",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"] is not None:
            try:
                instant = parse_instant(options["now"], "--now")
            except PolicyError as error:
                raise CommandError(str(error), returncode=2) from None
            # Process-wide, so every service the scans call sees the same instant.
            clock.set_now(instant)
        now = clock.now()
        report = scans.scan_report(now=now)
        self.stdout.write(f"jobs run at {now.isoformat()}")
        for scan in scans.SCANS:
            if scan.name in report.counts:
                self.stdout.write(f"  {scan.name}: {report.counts[scan.name]} {scan.what}")
            else:
                self.stdout.write(f"  {scan.name}: FAILED {report.errors[scan.name]}")
            for failure in report.item_failures.get(scan.name, ()):
                self.stdout.write(f"    skipped {failure} (logged; retried on the next run)")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} scan(s) failed: {', '.join(report.errors)}", returncode=1
            )
        if report.item_failures:
            skipped = sum(len(failures) for failures in report.item_failures.values())
            raise CommandError(
                f"{skipped} row(s) skipped after an error by: {', '.join(report.item_failures)}",
                returncode=1,
            )
