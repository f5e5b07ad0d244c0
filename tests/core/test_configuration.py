"""Every setting read from the environment goes through one typed reader (rmadesk.config.env).

A bad value stops the start with one line naming the variable, the value given and the form
expected; good values and the defaults are what they always were. The settings file is run
afresh (`runpy`) with a chosen environment, which leaves the running test session untouched.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from rmadesk.config import env
from rmadesk.config.env import EnvironmentValueError

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "rmadesk" / "config" / "settings.py"
CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"
NOT_A_FILE = "/nonexistent/rmadesk.toml"

YES_NO = "one of 1/0, true/false, yes/no, on/off"
PORT = "a whole number from 1 to 65535"
DATABASE = "a database URL such as postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:///PATH"
HOST = "a host name or IP address, without scheme or port"
FOLDER = "an IMAP folder name in ASCII"
A_FILE = "the path of an existing file"

# (variable, a bad value, the form its one line says is expected)
BAD_VALUES = [
    ("RMADESK_DATA_DIR", "/dev/null/data", "a directory rmadesk can create (Not a directory)"),
    ("DATABASE_URL", "mysql://db/rmadesk", DATABASE),
    ("DATABASE_URL", "postgres://db:port/rmadesk", DATABASE),
    ("RMADESK_POLICY", NOT_A_FILE, A_FILE),
    ("RMADESK_DEBUG", "maybe", YES_NO),
    (
        "RMADESK_ALLOWED_HOSTS",
        "https://help.example.com",
        "host names without scheme or port, comma-separated, e.g. support.example.com",
    ),
    (
        "RMADESK_CSRF_TRUSTED_ORIGINS",
        "help.example.com",
        "origins with their scheme, comma-separated, e.g. https://help.example.com",
    ),
    ("RMADESK_TASKS_BACKEND", "celery", "one of database, rq"),
    (
        "RMADESK_REDIS_URL",
        "127.0.0.1:6379",
        "a Redis URL: redis://HOST:PORT/DB, rediss://... (TLS) or unix:///PATH",
    ),
    ("RMADESK_TASKS_QUEUE", "my queue", "a queue name of letters, digits and _ . : -"),
    ("RMADESK_TASK_MAX_ATTEMPTS", "0", "a whole number, at least 1"),
    ("RMADESK_TASK_FIRST_BACKOFF_SECONDS", "30s", "a whole number of seconds, at least 0"),
    ("RMADESK_BIND", "0.0.0.0:80000", "HOST:PORT, [IPv6]:PORT or unix:PATH, comma-separated"),
    ("RMADESK_WEB_WORKERS", "0", "a whole number, at least 1"),
    ("RMADESK_WEB_THREADS", "two", "a whole number, at least 1"),
    ("RMADESK_WEB_TIMEOUT", "0", "a whole number of seconds, at least 1"),
    ("RMADESK_SSL_REDIRECT", "sometimes", YES_NO),
    ("RMADESK_HSTS_SECONDS", "-1", "a whole number of seconds, at least 0"),
    ("RMADESK_HSTS_INCLUDE_SUBDOMAINS", "2", YES_NO),
    ("RMADESK_HSTS_PRELOAD", "y", YES_NO),
    (
        "RMADESK_EMAIL_BACKEND",
        "smtp",
        "a Python path to an email backend, e.g. django.core.mail.backends.smtp.EmailBackend",
    ),
    ("RMADESK_EMAIL_HOST", "smtp.example.com:587", HOST),
    ("RMADESK_EMAIL_PORT", "abc", PORT),
    ("RMADESK_EMAIL_PORT", "0", PORT),
    ("RMADESK_EMAIL_PORT", "65536", PORT),
    (
        "RMADESK_FROM_EMAIL",
        "support",
        "an email address, e.g. support@vendor.example or Support <support@vendor.example>",
    ),
    ("RMADESK_EMAIL_USE_TLS", "tls", YES_NO),
    ("RMADESK_EMAIL_USE_SSL", "ssl", YES_NO),
    ("RMADESK_EMAIL_TIMEOUT", "0", "a whole number of seconds, at least 1"),
    ("RMADESK_MAIL_DOMAIN", "vendor example", "a domain name such as vendor.example"),
    (
        "RMADESK_SITE_URL",
        "support.vendor.example",
        "the site's address with its scheme, e.g. https://support.vendor.example",
    ),
    ("RMADESK_OUTBOX_LEASE_SECONDS", "5m", "a whole number of seconds, at least 1"),
    ("RMADESK_MAIL_MAX_MESSAGE_BYTES", "64M", "a whole number of bytes, at least 1"),
    ("RMADESK_MAIL_MAX_ATTACHMENT_BYTES", "0", "a whole number of bytes, at least 1"),
    ("RMADESK_IMAP_HOST", "imaps://mail.example.com", HOST),
    ("RMADESK_IMAP_SSL", "none", "one of tls, starttls"),
    ("RMADESK_IMAP_PORT", "99999", PORT),
    ("RMADESK_IMAP_FOLDER", "Boîte", FOLDER),
    ("RMADESK_IMAP_PROCESSED_FOLDER", "Traité", FOLDER),
    ("RMADESK_IMAP_CA_FILE", "/nonexistent/ca.pem", A_FILE),
    ("RMADESK_SIGNIN_FAILURE_LIMIT", "0", "a whole number from 1 to 100"),
    ("RMADESK_SIGNIN_COOLOFF_MINUTES", "15m", "a whole number of minutes, at least 1"),
    ("RMADESK_SIGNIN_ADDRESS_LIMIT", "0", "a whole number, at least 1"),
    ("RMADESK_TRUSTED_PROXIES", "6", "a whole number from 0 to 5"),
    ("RMADESK_PASSWORD_RESET_LIMIT", "five", "a whole number, at least 1"),
    ("RMADESK_TICKET_CREATE_LIMIT", "-1", "a whole number, at least 1"),
    (
        "RMADESK_CACHE_URL",
        "memcached://cache:11211",
        "a Redis URL: redis://HOST:PORT/DB, rediss://... (TLS) or unix:///PATH",
    ),
    ("RMADESK_LOG_FORMAT", "xml", "one of json, text"),
    ("RMADESK_LOG_LEVEL", "loud", "one of debug, info, warning, error"),
    ("RMADESK_RETRY_AFTER_SECONDS", "0", "a whole number of seconds, at least 1"),
    ("RMADESK_IDEMPOTENCY_HOURS", "1d", "a whole number of hours, at least 1"),
]

# Taken as given: any text is a good value (and none is ever repeated in a message).
FREE_TEXT = {
    "SECRET_KEY",
    "RMADESK_EMAIL_HOST_USER",
    "RMADESK_EMAIL_HOST_PASSWORD",
    "RMADESK_IMAP_USER",
    "RMADESK_IMAP_PASSWORD",
}
# Yes/no variables: set but empty means "no" rather than the default.
BOOLEANS = {
    "RMADESK_DEBUG",
    "RMADESK_SSL_REDIRECT",
    "RMADESK_HSTS_INCLUDE_SUBDOMAINS",
    "RMADESK_HSTS_PRELOAD",
    "RMADESK_EMAIL_USE_TLS",
    "RMADESK_EMAIL_USE_SSL",
}


def line(name: str, value: str, form: str) -> str:
    return f"{name}={value!r}: expected {form}"


def refusal(name: str) -> tuple[str, str]:
    """The first bad value of BAD_VALUES for `name`, and its line."""
    return next((row[1], line(*row)) for row in BAD_VALUES if row[0] == name)


def variables_read_by_the_settings() -> set[str]:
    """Every variable name the settings (and their readers in env.py) mention."""
    text = SETTINGS_FILE.read_text() + (ROOT / "rmadesk" / "config" / "env.py").read_text()
    return set(re.findall(r'"((?:RMADESK_[A-Z_]+[A-Z])|DATABASE_URL|SECRET_KEY)"', text))


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run the settings module with only the given variables set (data dir: a tmp dir)."""
    monkeypatch.chdir(tmp_path)

    def load(**variables: str) -> dict[str, Any]:
        for name in [*os.environ]:
            if name.startswith("RMADESK_") or name in {"SECRET_KEY", "DATABASE_URL"}:
                monkeypatch.delenv(name)
        monkeypatch.setenv("RMADESK_DATA_DIR", str(tmp_path / "data"))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


@pytest.mark.parametrize(
    ("name", "value", "form"), BAD_VALUES, ids=[f"{n}={v}" for n, v, _ in BAD_VALUES]
)
def test_a_bad_value_stops_the_settings_with_one_line_naming_it(
    load_settings: Any, name: str, value: str, form: str
):
    with pytest.raises(EnvironmentValueError) as refused:
        load_settings(**{name: value})
    assert str(refused.value) == line(name, value, form)
    assert "\n" not in str(refused.value)
    assert isinstance(refused.value, ImproperlyConfigured)
    assert (refused.value.name, refused.value.value) == (name, value)


def test_the_line_reads_as_the_issue_asks(load_settings: Any):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_settings(RMADESK_EMAIL_PORT="abc")
    assert str(refused.value) == "RMADESK_EMAIL_PORT='abc': expected a whole number from 1 to 65535"


def test_a_password_in_the_database_url_is_masked(load_settings: Any):
    with pytest.raises(EnvironmentValueError) as refused:
        load_settings(DATABASE_URL="postgres://desk:s3cret@db:port/rmadesk")
    assert str(refused.value) == line(
        "DATABASE_URL", "postgres://desk:***@db:port/rmadesk", DATABASE
    )


def test_every_variable_has_a_bad_value_tested_or_takes_any_text():
    tested = {name for name, _value, _line in BAD_VALUES}
    assert variables_read_by_the_settings() - tested == FREE_TEXT


def test_every_variable_is_documented_with_its_default():
    documented = set(re.findall(r"^\| `([A-Z_]+)`", CONFIGURATION_DOC.read_text(), re.MULTILINE))
    assert variables_read_by_the_settings() <= documented
    assert {"RMADESK_ANYMAIL_<NAME>"} <= set(
        re.findall(r"^\| `([A-Z_<>]+)`", CONFIGURATION_DOC.read_text(), re.MULTILINE)
    )


def test_tls_and_ssl_for_smtp_exclude_each_other(load_settings: Any):
    with pytest.raises(EnvironmentValueError, match=r"^RMADESK_EMAIL_USE_SSL='1': expected 0 "):
        load_settings(RMADESK_EMAIL_USE_TLS="1", RMADESK_EMAIL_USE_SSL="1")


# The settings with no variable set, as they were before the one reader (data dir aside).
DEFAULTS = {
    "RMADESK_POLICY": None,
    "DEBUG": True,
    "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "[::1]"],
    "CSRF_TRUSTED_ORIGINS": [],
    "RMADESK_BIND": ["127.0.0.1:8000"],
    "RMADESK_WEB_THREADS": 1,
    "RMADESK_WEB_TIMEOUT": 30,
    "SECURE_SSL_REDIRECT": False,
    "SECURE_HSTS_SECONDS": 0,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    "EMAIL_HOST": "localhost",
    "EMAIL_PORT": 25,
    "DEFAULT_FROM_EMAIL": "support@rmadesk.example",
    "RMADESK_IMAP_HOST": "",
    "RMADESK_IMAP_SSL": "tls",
    "RMADESK_IMAP_PORT": 993,
    "RMADESK_IMAP_USER": "",
    "RMADESK_IMAP_PASSWORD": "",
    "RMADESK_IMAP_FOLDER": "INBOX",
    "RMADESK_IMAP_PROCESSED_FOLDER": "",
    "RMADESK_IMAP_CA_FILE": "",
    "EMAIL_HOST_USER": "",
    "EMAIL_HOST_PASSWORD": "",
    "EMAIL_USE_TLS": False,
    "EMAIL_USE_SSL": False,
    "EMAIL_TIMEOUT": 60,
    "ANYMAIL": {},
    "RMADESK_MAIL_DOMAIN": "rmadesk.example",
    "RMADESK_OUTBOX_LEASE_SECONDS": 300,
    "RMADESK_MAIL_MAX_MESSAGE_BYTES": 64 * 1024 * 1024,
    "RMADESK_MAIL_MAX_ATTACHMENT_BYTES": 25 * 1024 * 1024,
    "RMADESK_TASKS_BACKEND": "database",
    "RMADESK_TASKS_QUEUE": "default",
    "RMADESK_REDIS_URL": "redis://127.0.0.1:6379/0",
    "RMADESK_TASK_MAX_ATTEMPTS": 5,
    "RMADESK_TASK_FIRST_BACKOFF_SECONDS": 30,
}


def test_the_defaults_are_unchanged(load_settings: Any, tmp_path: Path):
    loaded = load_settings()
    assert {name: loaded[name] for name in DEFAULTS} == DEFAULTS
    assert loaded["RMADESK_WEB_WORKERS"] == env.default_web_workers(env.available_cpus())
    assert loaded["DATABASES"]["default"]["NAME"] == str(tmp_path / "data" / "rmadesk.sqlite3")


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_value_means_the_default(load_settings: Any, blank: str):
    names = {name for name, _value, _line in BAD_VALUES} - BOOLEANS - {"RMADESK_DATA_DIR"}
    loaded = load_settings(**dict.fromkeys(names, blank))
    assert {name: loaded[name] for name in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(
    ("variables", "setting", "expected"),
    [
        ({"RMADESK_EMAIL_PORT": " 587 "}, "EMAIL_PORT", 587),
        ({"RMADESK_EMAIL_HOST": "192.0.2.25"}, "EMAIL_HOST", "192.0.2.25"),
        ({"RMADESK_EMAIL_HOST": "2001:db8::25"}, "EMAIL_HOST", "2001:db8::25"),
        ({"RMADESK_EMAIL_HOST_PASSWORD": " pass word "}, "EMAIL_HOST_PASSWORD", " pass word "),
        (
            {"RMADESK_FROM_EMAIL": "Support <help@vendor.example>"},
            "RMADESK_MAIL_DOMAIN",
            "vendor.example",
        ),
        ({"RMADESK_IMAP_SSL": "STARTTLS"}, "RMADESK_IMAP_PORT", 143),
        ({"RMADESK_IMAP_SSL": "starttls", "RMADESK_IMAP_PORT": "1143"}, "RMADESK_IMAP_PORT", 1143),
        ({"RMADESK_IMAP_CA_FILE": str(SETTINGS_FILE)}, "RMADESK_IMAP_CA_FILE", str(SETTINGS_FILE)),
        (
            {"RMADESK_ANYMAIL_POSTMARK_SERVER_TOKEN": "t0k"},
            "ANYMAIL",
            {"POSTMARK_SERVER_TOKEN": "t0k"},
        ),
        ({"RMADESK_TASK_FIRST_BACKOFF_SECONDS": "0"}, "RMADESK_TASK_FIRST_BACKOFF_SECONDS", 0),
        (
            {"RMADESK_REDIS_URL": "rediss://:pw@cache.example.com:6380/1"},
            "RMADESK_REDIS_URL",
            "rediss://:pw@cache.example.com:6380/1",
        ),
        (
            {"RMADESK_REDIS_URL": "unix:///run/redis/redis.sock"},
            "RMADESK_REDIS_URL",
            "unix:///run/redis/redis.sock",
        ),
        ({"RMADESK_TASKS_BACKEND": "RQ"}, "RMADESK_TASKS_BACKEND", "rq"),
        (
            {"RMADESK_BIND": "[::1]:8000, unix:/run/rmadesk/web.sock, fd://3, localhost"},
            "RMADESK_BIND",
            ["[::1]:8000", "unix:/run/rmadesk/web.sock", "fd://3", "localhost"],
        ),
        ({"RMADESK_ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS", ["*"]),
        (
            {"RMADESK_CSRF_TRUSTED_ORIGINS": "https://*.example.com, http://127.0.0.1:8000"},
            "CSRF_TRUSTED_ORIGINS",
            ["https://*.example.com", "http://127.0.0.1:8000"],
        ),
    ],
)
def test_good_values(load_settings: Any, variables: dict[str, str], setting: str, expected: Any):
    assert load_settings(**variables)[setting] == expected


# --- the reader itself


def test_read_strips_blanks_and_falls_back_to_the_default_when_unset_or_blank():
    assert env.read({}, "N", int, default=7, expected="a number") == 7
    assert env.read({"N": "  "}, "N", int, default=7, expected="a number") == 7
    assert env.read({"N": " 8 "}, "N", int, default=7, expected="a number") == 8
    with pytest.raises(EnvironmentValueError, match=r"^N='x': expected a number$"):
        env.read({"N": "x"}, "N", int, default=7, expected="a number")


@pytest.mark.parametrize("raw", ["1.5", "1e3", "0x10", "1_000", "٣"])
def test_env_int_takes_only_plain_digits(raw: str):
    with pytest.raises(EnvironmentValueError, match=r"expected a whole number$"):
        env.env_int({"N": raw}, "N", default=1, minimum=None)


def test_a_password_in_a_url_is_never_repeated():
    refused = EnvironmentValueError("X_URL", "redis://user:hunter2@host:99999/0", "a URL")
    assert "hunter2" not in str(refused)
    assert str(refused) == "X_URL='redis://user:***@host:99999/0': expected a URL"


def test_an_empty_yes_no_value_means_no():
    assert env.env_bool({"B": ""}, "B", default=True) is False
    assert env.env_bool({}, "B", default=True) is True


# --- the `rmadesk` command


def rmadesk(*args: str, tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("RMADESK_") and name not in {"DATABASE_URL", "SECRET_KEY"}
    }
    environment.update(RMADESK_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, "-m", "rmadesk.cli", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("check",), "RMADESK_EMAIL_PORT"),
        (("demo", "--no-serve"), "RMADESK_TASKS_BACKEND"),
        (("serve",), "RMADESK_BIND"),
        (("policy", "show"), "RMADESK_POLICY"),
    ],
)
def test_the_command_prints_the_one_line_and_no_traceback(
    tmp_path: Path, args: tuple[str, ...], name: str
):
    value, line = refusal(name)
    done = rmadesk(*args, tmp_path=tmp_path, **{name: value})
    assert done.returncode == 78
    assert done.stderr == f"rmadesk: {line}\n"
    assert done.stdout == ""
