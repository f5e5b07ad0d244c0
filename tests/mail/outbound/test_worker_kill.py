"""The kill test: the outbox worker is SIGKILLed while sending; restarted, every notification
arrives exactly once by Message-ID.

A real installation in a temporary data directory (its own migrated SQLite file, or its own
PostgreSQL database when the suite runs on PostgreSQL), a real SMTP server that is slow on purpose,
and `rmadesk outbox send --loop` as a separate process. The worker is killed while the server holds
a message it has received but not yet acknowledged: the worst moment, when the server has the mail
and the worker cannot know. After the restart that message goes out again with the same Message-ID,
so the server sees one copy too many but no new identity: counted by Message-ID, every notification
arrived once and no row is left unsent.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jobs.installation import DatabaseTemplates, fresh_database
from tests.mail.outbound.conftest import SmtpServer

ROOT = Path(__file__).resolve().parents[3]
TICKETS = 6  # each opened and answered: 12 notifications
KILL_AT = 4  # kill while the server holds the 4th message


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: Any, tmp_path: Path, database_templates: DatabaseTemplates
) -> Iterator[str]:
    """A fresh, migrated database for the installation under test."""
    with fresh_database(request.param, tmp_path, database_templates) as url:
        yield url


def installation_env(tmp_path: Path, database_url: str, smtp: SmtpServer) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "rmadesk.config.settings",
            "RMADESK_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database_url,
            "RMADESK_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "RMADESK_EMAIL_HOST": smtp.host,
            "RMADESK_EMAIL_PORT": str(smtp.port),
            "RMADESK_EMAIL_TIMEOUT": "30",
            "RMADESK_MAIL_DOMAIN": "kill.vendor.example",
            "RMADESK_DEBUG": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def rmadesk(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "rmadesk.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rmadesk.cli",
                "outbox",
                "send",
                "--loop",
                "--interval",
                "0.05",
                "--lease",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def status(env: dict[str, str]) -> dict[str, int]:
    """The outbox rows by status, read straight from the installation's database."""
    url = env["DATABASE_URL"]
    query = "SELECT status, COUNT(*) FROM mail_outboxmessage GROUP BY status"
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            rows = db.execute(query).fetchall()
    else:
        import psycopg

        with psycopg.connect(url) as db:
            rows = db.execute(query).fetchall()
    return {"queued": 0, "sending": 0, "sent": 0, "failed": 0} | dict(rows)


def test_a_worker_killed_mid_send_loses_nothing_and_doubles_nothing(
    tmp_path: Path, database_url: str, smtp_server: SmtpServer
):
    env = installation_env(tmp_path, database_url, smtp_server)
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.mail.outbound.seed_outbox", str(TICKETS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    queued: list[str] = json.loads(seeded.stdout.strip().splitlines()[-1])
    assert len(queued) == 2 * TICKETS == len(set(queued))
    assert status(env) == {"queued": 2 * TICKETS, "sending": 0, "sent": 0, "failed": 0}
    assert rmadesk(env, "outbox", "status").splitlines()[0] == f"queued: {2 * TICKETS}"

    collector = smtp_server.collector
    collector.delay = 1.0  # the server keeps the worker waiting for its 250 a whole second
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        wait_for(lambda: len(collector.messages) >= KILL_AT, f"message {KILL_AT} to arrive")
        os.kill(worker.pid, signal.SIGKILL)  # mid-send: the server holds the message, no 250 yet
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    in_flight = collector.messages[KILL_AT - 1].message_id
    after_kill = status(env)
    assert after_kill["sending"] == 1, after_kill  # the killed worker's row, still leased
    assert after_kill["sent"] == KILL_AT - 1

    collector.delay = 0.0
    worker = start_worker(env, log)
    try:
        wait_for(lambda: set(collector.message_ids()) == set(queued), "every notification")
        wait_for(lambda: status(env)["sent"] == len(queued), "every row marked sent")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()

    received = Counter(collector.message_ids())
    # Exactly once by Message-ID: one identity per outbox row, every row's identity arrived.
    assert set(received) == set(queued)
    assert len(received) == len(queued)
    # The message in flight at the kill was delivered again, under the same Message-ID.
    assert received[in_flight] == 2
    assert sum(received.values()) == len(queued) + 1
    assert status(env) == {"queued": 0, "sending": 0, "sent": len(queued), "failed": 0}
    # Nothing else came: each copy went to the customer's contact or carried our reply.
    assert all(m.rcpt_tos for m in collector.messages)
