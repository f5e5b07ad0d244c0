"""Settings from the environment: data dir, secret key file, DATABASE_URL, policy, debug, hosts.

Most tests execute the file `rmadesk/config/settings.py` afresh with a chosen environment
(`runpy`), which leaves the settings of the running test session untouched.
"""

from __future__ import annotations

import os
import runpy
import stat
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from rmadesk.config import env

SETTINGS_FILE = str(Path(env.__file__).with_name("settings.py"))

VARIABLES = (
    "RMADESK_DATA_DIR",
    "DATABASE_URL",
    "RMADESK_POLICY",
    "SECRET_KEY",
    "RMADESK_DEBUG",
    "RMADESK_ALLOWED_HOSTS",
    "RMADESK_CSRF_TRUSTED_ORIGINS",
)


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run the settings module with only the given rmadesk variables set; cwd is a tmp dir."""
    monkeypatch.chdir(tmp_path)

    def load(**variables: str) -> dict[str, Any]:
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(SETTINGS_FILE)

    return load


def test_data_dir_defaults_to_var_in_the_working_directory(load_settings: Any, tmp_path: Path):
    loaded = load_settings()
    assert loaded["RMADESK_DATA_DIR"] == tmp_path / "var"
    assert (tmp_path / "var").is_dir()
    assert loaded["STATIC_ROOT"] == tmp_path / "var" / "static"


def test_data_dir_is_created_when_missing(load_settings: Any, tmp_path: Path):
    data = tmp_path / "deep" / "data"
    loaded = load_settings(RMADESK_DATA_DIR=str(data))
    assert loaded["RMADESK_DATA_DIR"] == data
    assert data.is_dir()


def test_secret_key_is_generated_once_into_the_data_dir_and_reused(
    load_settings: Any, tmp_path: Path
):
    first = load_settings(RMADESK_DATA_DIR=str(tmp_path))["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = load_settings(RMADESK_DATA_DIR=str(tmp_path))["SECRET_KEY"]
    assert second == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporaries left


def test_secret_key_from_the_environment_wins_and_writes_no_file(
    load_settings: Any, tmp_path: Path
):
    loaded = load_settings(RMADESK_DATA_DIR=str(tmp_path), SECRET_KEY="from-the-environment")
    assert loaded["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_two_data_dirs_get_different_secret_keys(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert env.secret_key({}, tmp_path / "a") != env.secret_key({}, tmp_path / "b")


def test_an_empty_secret_key_file_is_an_error_not_a_silent_new_key(tmp_path: Path):
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="empty"):
        env.secret_key({}, tmp_path)


def test_default_database_is_sqlite_in_the_data_dir(load_settings: Any, tmp_path: Path):
    database = load_settings(RMADESK_DATA_DIR=str(tmp_path))["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "rmadesk.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_is_respected(load_settings: Any, tmp_path: Path):
    database = load_settings(
        RMADESK_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://desk:s3cret@db.example.com:6543/rmadesk_prod",
    )["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "rmadesk_prod",
        "desk",
        "s3cret",
    )
    assert (database["HOST"], database["PORT"]) == ("db.example.com", 6543)
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True
    assert "transaction_mode" not in database.get("OPTIONS", {})


@pytest.mark.each_database
def test_the_running_test_session_uses_database_url():
    """The suite itself runs on whatever DATABASE_URL names (SQLite when unset)."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres:", "postgresql:")) else "sqlite"
    assert connection.vendor == expected
    assert settings.DATABASES["default"]["ENGINE"].endswith(expected.replace("sqlite", "sqlite3"))


def test_policy_path_is_exposed_and_defaults_to_none(load_settings: Any, tmp_path: Path):
    assert load_settings(RMADESK_DATA_DIR=str(tmp_path))["RMADESK_POLICY"] is None
    (tmp_path / "vendor.toml").write_text("")  # must exist; read later, by the policy loader
    loaded = load_settings(RMADESK_DATA_DIR=str(tmp_path), RMADESK_POLICY="vendor.toml")
    assert loaded["RMADESK_POLICY"] == tmp_path / "vendor.toml"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("1", True), ("true", True), ("On", True), ("0", False), ("no", False)],
)
def test_debug_from_rmadesk_debug(load_settings: Any, value: str | None, expected: bool):
    variables = {} if value is None else {"RMADESK_DEBUG": value}
    assert load_settings(**variables)["DEBUG"] is expected


def test_an_unrecognised_debug_value_is_an_error(load_settings: Any):
    with pytest.raises(ImproperlyConfigured, match="RMADESK_DEBUG"):
        load_settings(RMADESK_DEBUG="maybe")


def test_allowed_hosts_default_and_from_the_environment(load_settings: Any):
    assert load_settings()["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    loaded = load_settings(RMADESK_ALLOWED_HOSTS="support.example.com, .example.net")
    assert loaded["ALLOWED_HOSTS"] == ["support.example.com", ".example.net"]


def test_time_zone_is_utc_and_aware(load_settings: Any):
    loaded = load_settings()
    assert loaded["USE_TZ"] is True
    assert loaded["TIME_ZONE"] == "UTC"
    assert "rmadesk.core" in loaded["INSTALLED_APPS"]
    assert loaded["DEFAULT_AUTO_FIELD"] == "django.db.models.BigAutoField"
