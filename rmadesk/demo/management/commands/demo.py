"""`rmadesk demo`: migrate, load the demo data, start a worker, serve the site (development server).

The worker (`rmadesk worker`: queued notifications, the periodic scans every minute) runs as a
child process, so the demo behaves like a real installation: RMAs expire, day-14 invoices are
issued and mail leaves the outbox without anyone running a command. It stops with the demo.

The terminal shows the address and the logins, then only real errors: the migrations, the
development server's banner and its log of requests stay quiet (`--verbosity 2` shows them),
and the demo's mail is not printed. Unless RMADESK_EMAIL_BACKEND names a backend, the mail goes
to Django's file backend, one file per delivery run under `<data dir>/mail/`, and every message
can be read in the console under Sent mail (the outbox keeps each one).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from rmadesk.demo.data import load_demo_data
from rmadesk.demo.terminal import DEMO_EMAIL_BACKEND, errors_only, forward_errors, introduction


class Command(BaseCommand):
    help = (
        "Migrate the database, load demo data (an admin/admin superuser, ...) and serve the site "
        "on the development server. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1", help="address to serve on (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker (run `rmadesk worker` yourself)",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="only migrate and load the demo data; do not start the server",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        chosen = os.environ.get("RMADESK_EMAIL_BACKEND", "").strip()
        backend = chosen or DEMO_EMAIL_BACKEND  # kept on disk, not sent, unless one is chosen
        with override_settings(EMAIL_BACKEND=backend):
            # The demo's worker logs readable text (the terminal shows its errors), not JSON.
            log_format = os.environ.get("RMADESK_LOG_FORMAT", "").strip() or "text"
            environment = {
                **os.environ,
                "RMADESK_EMAIL_BACKEND": backend,
                "RMADESK_LOG_FORMAT": log_format,
            }
            self._run(options, verbosity, environment)

    def _run(self, options: dict[str, Any], verbosity: int, environment: Mapping[str, str]) -> None:
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        data = load_demo_data()
        address = _host(options["addr"])
        url = f"http://{address}:{options['port']}/"
        for line in introduction(data, url):
            self.stdout.write(line)

        if options["no_serve"]:
            return
        worker = None if options["no_worker"] else start_worker(environment, verbosity)
        if verbosity < 2:
            # A line per request (and per 404) is noise here; a server error is still shown. A
            # filter, not a level: the server configures logging again when it starts.
            for name in ("django.server", "django.request"):
                logging.getLogger(name).addFilter(errors_only)
        try:
            with open(os.devnull, "w", encoding="utf-8") as quiet:
                # The staticfiles runserver serves the admin's CSS and JS; --insecure keeps it
                # doing so when RMADESK_DEBUG is off. The reloader would re-run this command in
                # a child. Its banner repeats the address printed above.
                call_command(
                    "runserver",
                    f"{address}:{options['port']}",
                    use_reloader=False,
                    insecure_serving=True,
                    stdout=self.stdout if verbosity >= 2 else quiet,
                )
        except KeyboardInterrupt:
            pass  # Ctrl+C: the way to stop the demo
        finally:
            if worker is not None:
                stop_worker(worker)


def start_worker(environment: Mapping[str, str], verbosity: int) -> subprocess.Popen[str]:
    """`rmadesk worker` in a child process that exits if this one dies (--exit-with-parent).

    Its own session, so Ctrl+C reaches only the demo, which stops it in order. At the demo's
    usual verbosity only its errors reach the terminal (`forward_errors`).
    """
    command = [
        sys.executable,
        "-c",
        "from rmadesk.cli import main; main()",
        "worker",
        "--exit-with-parent",
        "--verbosity",
        "0",
    ]
    if verbosity >= 2:
        return subprocess.Popen(command, env=dict(environment), start_new_session=True, text=True)
    worker = subprocess.Popen(
        command,
        env=dict(environment),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert worker.stdout is not None
    threading.Thread(
        target=forward_errors, args=(worker.stdout, sys.stderr), daemon=True, name="worker-errors"
    ).start()
    return worker


def stop_worker(worker: subprocess.Popen[str]) -> None:
    """Ask the worker to finish its task in hand and stop; kill it if it does not within 10 s."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):  # a second Ctrl+C: now
            worker.kill()
            worker.wait()


def _host(addr: str) -> str:
    """An address as it appears before `:port`: IPv6 addresses need brackets."""
    return f"[{addr}]" if ":" in addr and not addr.startswith("[") else addr
