"""`rmadesk demo`: migrate, load the demo data, start a worker, serve the site (development server).

The worker (`rmadesk worker`: queued notifications, the periodic scans every minute) runs as a
child process, so the demo behaves like a real installation: RMAs expire, day-14 invoices are
issued and mail leaves the outbox without anyone running a command. It stops with the demo.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rmadesk.demo.data import load_demo_data


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
        call_command("migrate", interactive=False, verbosity=verbosity)
        data = load_demo_data()

        if data.created:
            self.stdout.write("Demo data created: " + ", ".join(data.created) + ".")
        else:
            self.stdout.write("Demo data already present; nothing added.")
        address = _host(options["addr"])
        url = f"http://{address}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Log in at {url} with:"))
        self.stdout.write(
            f"  (staff land on the console, customers on the portal; the back office is at "
            f"{url}admin/ and the API at {url}api/v1/docs)"
        )
        for login in data.logins:
            password = login.password or "(changed since the demo set it; this run left it alone)"
            self.stdout.write(f"  {login.role}: username {login.username}  password {password}")
        self.stdout.write("")

        if options["no_serve"]:
            return
        worker = None if options["no_worker"] else start_worker(self.stdout)
        try:
            # The staticfiles runserver serves the admin's CSS and JS; --insecure keeps it doing
            # so when RMADESK_DEBUG is off. The reloader would re-run this command in a child.
            call_command(
                "runserver",
                f"{address}:{options['port']}",
                use_reloader=False,
                insecure_serving=True,
            )
        finally:
            if worker is not None:
                stop_worker(worker)


def start_worker(stdout: Any) -> subprocess.Popen[bytes]:
    """`rmadesk worker` in a child process that exits if this one dies (--exit-with-parent)."""
    command = [
        sys.executable,
        "-c",
        "from rmadesk.cli import main; main()",
        "worker",
        "--exit-with-parent",
        "--verbosity",
        "0",
    ]
    worker = subprocess.Popen(command, env=os.environ.copy())
    stdout.write(f"Background worker started (pid {worker.pid}): scans every minute, mail at once.")
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to finish its task in hand and stop; kill it if it does not within 10 s."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _host(addr: str) -> str:
    """An address as it appears before `:port`: IPv6 addresses need brackets."""
    return f"[{addr}]" if ":" in addr and not addr.startswith("[") else addr
