"""A real rmadesk installation for the worker tests: its own database, real worker processes.

`fresh_database` gives a fresh database, already migrated (a SQLite file, or a throwaway
PostgreSQL database when the suite runs with DATABASE_URL): a copy of a template that
`database_templates` migrates once per test session (per xdist worker), so each installation
costs a file copy or a `CREATE DATABASE ... TEMPLATE` (a tenth of a second) instead of a
`rmadesk migrate` (several seconds). `Installation` runs `rmadesk` commands and workers against
it with a chosen task backend (the database, or RQ on the machine's Redis with a queue of its
own), and reads its tables straight from the database, as an operator would count.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("RMADESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def require_redis() -> None:
    """Skip when Redis is not reachable, unless the run says it must be (`.ci/run` does)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("RMADESK_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {REDIS_URL} is required (RMADESK_TEST_REQUIRE_REDIS=1): {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")


def admin_url(url: str) -> str:
    """The maintenance database `postgres` on the server of `url`."""
    return url.rsplit("/", 1)[0] + "/postgres"


def scratch_name(base: str, what: str) -> str:
    """A new database name, starting with the name in `base` (the suite's DATABASE_URL), so
    whoever runs the suite (`.ci/run`) can drop what a killed run left behind."""
    prefix = base.rsplit("/", 1)[1].split("?", 1)[0][:40]
    return f"{prefix}_{what}_{uuid.uuid4().hex[:10]}"


def migrate(database_url: str, data_dir: Path) -> None:
    """`rmadesk migrate` on `database_url`, as an operator installs rmadesk."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rmadesk.config.settings",
        "RMADESK_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "RMADESK_DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "rmadesk.cli", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


class DatabaseTemplates:
    """One migrated database per kind, made on first use; fresh databases are copies of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[str, str] = {}

    def sqlite(self) -> Path:
        if "sqlite" not in self.made:
            path = self.folder / "template.sqlite3"
            migrate(f"sqlite:///{path}", self.folder / "data")
            self.made["sqlite"] = str(path)
        return Path(self.made["sqlite"])

    def sqlite_copy(self, path: Path) -> Path:
        """A migrated SQLite database at `path`, as `rmadesk migrate` would leave it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.sqlite(), path)
        return path

    def postgresql(self, base: str) -> str:
        """The name of the migrated template database on the server of `base`."""
        if "postgresql" not in self.made:
            import psycopg

            name = scratch_name(base, "template")
            with psycopg.connect(admin_url(base), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            self.made["postgresql"] = name  # dropped at the end even if migrating fails
            migrate(base.rsplit("/", 1)[0] + f"/{name}", self.folder / "data")
        return self.made["postgresql"]

    def drop(self) -> None:
        if "postgresql" in self.made and (base := postgres_url()) is not None:
            import psycopg

            with psycopg.connect(admin_url(base), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.made["postgresql"]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplates]:
    templates = DatabaseTemplates(tmp_path_factory.mktemp("database-templates"))
    try:
        yield templates
    finally:
        templates.drop()


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path: Path, templates: DatabaseTemplates) -> Iterator[str]:
    """A migrated database of `kind` ("sqlite" or "postgresql") that only this test uses."""
    if kind == "sqlite":
        yield f"sqlite:///{templates.sqlite_copy(tmp_path / 'rmadesk.sqlite3')}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL: run the suite with DATABASE_URL=postgres://...")
    import psycopg

    template = templates.postgresql(base)
    name = scratch_name(base, "jobs")
    with psycopg.connect(admin_url(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Installation:
    tmp_path: Path
    database_url: str
    backend: str = "database"
    extra_env: dict[str, str] = field(default_factory=dict)
    queue: str = field(default_factory=lambda: f"rmadesk-test-{uuid.uuid4().hex[:10]}")
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "rmadesk.config.settings",
                "RMADESK_DATA_DIR": str(self.tmp_path / "data"),
                "DATABASE_URL": self.database_url,
                "RMADESK_TASKS_BACKEND": self.backend,
                "RMADESK_TASKS_QUEUE": self.queue,
                "RMADESK_REDIS_URL": REDIS_URL,
                "RMADESK_DEBUG": "0",
                "RMADESK_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(self.extra_env)
        return env

    def rmadesk(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "rmadesk.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def seed(self, *args: str) -> Any:
        """Run tests.jobs.seed in the installation; its last output line, as JSON."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.jobs.seed", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start_worker(self, *args: str, name: str = "worker") -> subprocess.Popen[bytes]:
        """`rmadesk worker` in its own process group (a kill takes the whole worker down)."""
        log = self.tmp_path / f"{name}.log"
        with log.open("ab") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "rmadesk.cli", "worker", "--no-color", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(worker)
        return worker

    def log(self, name: str = "worker") -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up, as when a machine loses power."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database_url.startswith("sqlite:///"):
            path = self.database_url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
                return list(db.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return list(db.execute(sql).fetchall())

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def clear_queue(self) -> None:
        if self.backend != "rq":
            return
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        keys = list(connection.scan_iter(f"*{self.queue}*"))
        if keys:
            connection.delete(*keys)


@pytest.fixture
def installation(
    request: Any, tmp_path: Path, database_templates: DatabaseTemplates
) -> Iterator[Installation]:
    """An installation for `request.param` = (database kind, task backend), migrated."""
    kind, backend = request.param
    if backend == "rq":
        require_redis()
    with fresh_database(kind, tmp_path, database_templates) as url:
        site = Installation(tmp_path=tmp_path, database_url=url, backend=backend)
        try:
            yield site
        finally:
            site.stop_all()
            site.clear_queue()
