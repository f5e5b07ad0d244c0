"""What `rmadesk demo` lets through to its terminal while it runs: errors, nothing else."""

from __future__ import annotations

import io
import logging

from rmadesk.demo.terminal import errors_only, forward_errors

WORKER_OUTPUT = """\
rmadesk worker vm-1: database backend, scheduling the periodic scans
2026-12-03 17:44:13,100 rmadesk.jobs INFO ran scan breaches: 0
2026-12-03 17:44:13,200 rmadesk.mail.outbox ERROR delivery failed
Traceback (most recent call last):
  File "x.py", line 1, in <module>
ConnectionRefusedError: [Errno 111] Connection refused
2026-12-03 17:44:13,994 django_tasks_db WARNING Received Interrupt - shutting down gracefully...
2026-12-03 17:44:14,000 rmadesk.jobs CRITICAL the database went away
"""


def test_only_the_workers_errors_and_their_tracebacks_reach_the_terminal():
    out = io.StringIO()
    forward_errors(io.StringIO(WORKER_OUTPUT), out)
    assert out.getvalue().splitlines() == [
        "2026-12-03 17:44:13,200 rmadesk.mail.outbox ERROR delivery failed",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ConnectionRefusedError: [Errno 111] Connection refused",
        "2026-12-03 17:44:14,000 rmadesk.jobs CRITICAL the database went away",
    ]


def test_a_crash_without_a_log_line_still_shows():
    out = io.StringIO()
    forward_errors(io.StringIO("starting\nTraceback (most recent call last):\nBoom\n"), out)
    assert out.getvalue() == "Traceback (most recent call last):\nBoom\n"


def test_the_servers_log_lets_errors_through_and_not_requests():
    def record(level: int) -> logging.LogRecord:
        return logging.LogRecord("django.server", level, __file__, 1, "GET /", (), None)

    assert [errors_only(record(level)) for level in (20, 30, 40, 50)] == [False, False, True, True]
