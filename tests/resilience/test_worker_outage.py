"""The database-backed worker keeps running through a PostgreSQL outage (issue 13).

Before, `rmadesk worker` exited when PostgreSQL went away, and queued mail waited until someone
restarted it. Here a real worker runs against a PostgreSQL cluster of the test's own (initdb and
pg_ctl on a free port under /tmp; the shared server is never touched), the cluster is stopped and
started again, and the worker, still the same process, delivers the mail queued after.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jobs.installation import ROOT, Installation, migrate, wait_for

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster: its own folder, port and socket, trust authentication."""

    def __init__(self, folder: Path) -> None:
        self.bin = Path(BINARIES[-1]).parent
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/rmadesk"

    def _run(self, *command: str) -> None:
        # initdb and postgres refuse to run as root: run them as the postgres user then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N"
        )
        self.start()
        import psycopg

        admin = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE DATABASE rmadesk")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "server.log"),
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not BINARIES:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    folder = Path(tempfile.mkdtemp(prefix="rmadesk-outage-", dir="/tmp"))
    folder.chmod(0o777)
    made = Cluster(folder)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        made.init()
        yield made
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            made.stop()
        shutil.rmtree(folder, ignore_errors=True)


def sent(site: Installation) -> int:
    return int(site.scalar("SELECT count(*) FROM mail_outboxmessage WHERE status = 'sent'"))


def readyz(site: Installation) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.resilience.outage_probe", "readyz"],
        cwd=ROOT,
        env={**site.env, "RMADESK_ALLOWED_HOSTS": "localhost"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_worker_keeps_running_through_a_database_outage_and_delivers_after(
    cluster: Cluster, tmp_path: Path
):
    migrate(cluster.url, tmp_path / "data")
    # RMADESK_LOG_FORMAT blank: the worker's own default (JSON lines) applies.
    site = Installation(
        tmp_path=tmp_path, database_url=cluster.url, extra_env={"RMADESK_LOG_FORMAT": ""}
    )
    try:
        worker = site.start_worker("--tick", "1", "--poll", "0.2", "--worker-id", "outage-1")
        site.seed("mails", "2")
        site.seed("scans", "deliver_outbox", "1")
        wait_for(lambda: sent(site) == 2, "the first mail sent")

        cluster.stop()
        wait_for(lambda: "database unavailable" in site.log(), "the worker to see the outage")
        time.sleep(2)  # several reconnect attempts fail meanwhile
        assert worker.poll() is None, site.log()
        status = subprocess.run(
            [sys.executable, "-m", "rmadesk.cli", "worker", "--status"],
            cwd=ROOT,
            env=site.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert status.returncode == 2  # the database part cannot be read ...
        assert "outage-1" in status.stdout  # ... but the worker on this machine says what it does
        assert "reconnecting to the database since" in status.stdout
        ready = readyz(site)
        assert ready["status"] == 503
        assert ready["body"]["workers"]["outage-1"].startswith("reconnecting to the database")

        cluster.start()
        wait_for(lambda: "database back after" in site.log(), "the worker to reconnect")
        site.seed("mails", "3")
        site.seed("scans", "deliver_outbox", "1")
        wait_for(lambda: sent(site) == 5, "the mail queued after the outage sent")
        assert worker.poll() is None, site.log()
        ready = readyz(site)
        assert ready["status"] == 200
        assert ready["body"]["workers"]["outage-1"].startswith("running; last database outage")
        # The worker logs JSON lines on stderr (its default), the outage among them.
        logged = [json.loads(line) for line in site.log().splitlines() if line.startswith("{")]
        assert any(r["message"].startswith("database unavailable (") for r in logged)
        assert {"time", "level", "logger", "message", "request_id"} <= set(logged[0])
    finally:
        site.stop_all()
