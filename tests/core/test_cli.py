"""The `rmadesk` console script, run as a separate process the way people run it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# The console script `uv run rmadesk` runs: installed next to this interpreter by `uv sync`.
SCRIPT = Path(sys.executable).parent / "rmadesk"
TIMEOUT = 120


def rmadesk(
    *args: str, data_dir: Path, cwd: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `rmadesk ARGS` on SQLite in `data_dir`, whatever DATABASE_URL this test run uses."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "SECRET_KEY", "RMADESK_POLICY", "RMADESK_DATA_DIR"}
    }
    environment.update(RMADESK_DATA_DIR=str(data_dir), **(extra_env or {}))
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def admin_users(database: Path) -> list[tuple[str, int, int]]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT username, is_superuser, is_staff FROM auth_user WHERE username = 'admin'"
        ).fetchall()


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed")
def test_uv_run_rmadesk_check_exits_0(tmp_path: Path):
    environment = {**os.environ, "RMADESK_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        ["uv", "run", "--locked", "rmadesk", "check"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_rmadesk_lists_the_demo_command(tmp_path: Path):
    done = rmadesk("help", data_dir=tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout


def test_demo_no_serve_creates_the_database_and_admin_and_is_idempotent(tmp_path: Path):
    data_dir = tmp_path / "data"  # does not exist yet: the settings create it
    database = data_dir / "rmadesk.sqlite3"

    first = rmadesk("demo", "--no-serve", data_dir=data_dir, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert database.is_file()
    assert admin_users(database) == [("admin", 1, 1)]
    lines = first.stdout.splitlines()
    assert lines[0] == "rmadesk demo at http://127.0.0.1:8000/  (a new demo day, made just now)"
    assert lines[1].split() == ["administrator", "admin", "password", "admin"]
    assert lines[2].split() == [
        "agents", "agent@vendor.example,", "lena@vendor.example,", "sam@vendor.example",
        "password", "demo",
    ]  # fmt: skip
    assert [line.split()[0] for line in lines[3:7]] == [
        "manager",
        "receiving",
        "finance",
        "customers",
    ]
    # Staff sign in with a second step (issue 13): the demo's shared authenticator secret.
    assert lines[7].startswith("Staff sign in with a second step")
    assert "otpauth://totp/" in lines[7] and "secret=RMADESKDEMOSTAFF" in lines[7]
    mail = data_dir / "mail"
    assert (
        lines[8]
        == f"Mail is kept, not sent: read it in the console under Sent mail (files in {mail})."
    )
    assert len(lines) == 9 and first.stderr == ""  # no migrations, no MIME, nothing else
    assert (data_dir / "secret_key").is_file()

    second = rmadesk("demo", "--no-serve", data_dir=data_dir, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "(the demo day made before, unchanged)" in second.stdout
    assert second.stdout.splitlines()[1].split() == ["administrator", "admin", "password", "admin"]
    assert admin_users(database) == [("admin", 1, 1)]
    assert not (tmp_path / "var").exists()  # everything went to RMADESK_DATA_DIR


def test_an_unknown_command_fails(tmp_path: Path):
    done = rmadesk("no-such-command", data_dir=tmp_path, cwd=tmp_path)
    assert done.returncode != 0
    assert "Unknown command" in done.stderr
