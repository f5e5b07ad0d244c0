"""A production installation in a temporary directory, driven through the real `rmadesk` command.

Each installation has its own data directory and SQLite file, `RMADESK_DEBUG=0`, a strong
`SECRET_KEY` and `support.example.com` as its only allowed host, like docs/deploy.md sets up.
Servers are real gunicorn processes spoken to over real HTTP on a free loopback port.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "support.example.com"
# How long a command or a server start may take before the test gives up. A limit against a
# hang, not a speed requirement: nothing asserts how fast anything was.
PATIENCE_SECONDS = 120.0


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production installation; none of the caller's rmadesk settings."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("RMADESK_")
        # The browser tests allow sync ORM calls from Playwright's event loop in this process;
        # a production server never has that (and `check --deploy` refuses it, async.E001).
        and name
        not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "RMADESK_DATA_DIR": str(data_dir),
        "RMADESK_DEBUG": "0",
        # 60 characters of 62 kinds: what `check --deploy` calls strong.
        "SECRET_KEY": "".join(
            secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            for _ in range(60)
        ),
        "RMADESK_ALLOWED_HOSTS": HOST,
        **extra,
    }


def rmadesk(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `rmadesk ARGS` to completion; the caller checks the exit status."""
    return subprocess.run(
        [sys.executable, "-m", "rmadesk.cli", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=PATIENCE_SECONDS,
        check=False,
    )


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    host: str = HOST,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """One HTTP request to 127.0.0.1:port with the given Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={"Host": host, **(headers or {})})
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


@dataclass
class Server:
    """A running `rmadesk serve`; its output goes to files so a full pipe never blocks it."""

    process: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return (
            f"--- stdout\n{self.stdout.read_text(errors='replace')}\n"
            f"--- stderr\n{self.stderr.read_text(errors='replace')}"
        )

    def terminate(self) -> int:
        """SIGTERM, as systemd stops it; wait for the exit and return its status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=PATIENCE_SECONDS)


def start_server(env: Mapping[str, str], logs: Path, *args: str) -> Server:
    """Start `rmadesk serve` on a free port and wait until /healthz answers."""
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    stdout, stderr = logs / f"serve-{port}.out", logs / f"serve-{port}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "rmadesk.cli", "serve", "--bind", f"127.0.0.1:{port}", *args],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=err,
        )
    server = Server(process, port, stdout, stderr)
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        if process.poll() is not None:
            raise AssertionError(
                f"rmadesk serve exited with {process.returncode}\n{server.output()}"
            )
        with contextlib.suppress(OSError):
            if request(port, "/healthz").status == 200:
                return server
        if time.monotonic() > deadline:
            stop(server)
            raise AssertionError(f"rmadesk serve did not answer /healthz\n{server.output()}")
        time.sleep(0.1)


def stop(server: Server) -> None:
    """Stop a server whatever state it is in (teardown)."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=PATIENCE_SECONDS)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextlib.contextmanager
def serving(env: Mapping[str, str], logs: Path, *args: str) -> Iterator[Server]:
    server = start_server(env, logs, *args)
    try:
        yield server
    finally:
        stop(server)
