"""Reading rmadesk's configuration from environment variables.

Kept apart from `settings.py` as plain functions over an explicit mapping so that tests can
check every rule without re-importing Django settings, and so the rules live in one place.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

DEFAULT_DATA_DIR = "var"
SECRET_KEY_FILE = "secret_key"
SQLITE_FILE = "rmadesk.sqlite3"
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Reuse a database connection for a minute: saves a connect per request on PostgreSQL, while
# health checks (below) replace connections the server closed in the meantime.
CONN_MAX_AGE = 60

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def env_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A yes/no variable; unset means `default`, an unrecognised value is an error, not a guess."""
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={env[name]!r}: expected one of 1/0, true/false, yes/no")


def env_list(env: Mapping[str, str], name: str, *, default: tuple[str, ...]) -> list[str]:
    """A comma-separated variable as a list; unset or blank means `default`."""
    value = env.get(name, "").strip()
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir(env: Mapping[str, str]) -> Path:
    """The data directory (`RMADESK_DATA_DIR`, default `./var`), made absolute and created."""
    path = Path(env.get("RMADESK_DATA_DIR", "").strip() or DEFAULT_DATA_DIR).expanduser()
    path = path.absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path


def policy_path(env: Mapping[str, str]) -> Path | None:
    """The vendor policy file (`RMADESK_POLICY`), or None for the built-in default policy.

    Not opened here: the policy loader reports a missing or broken file with the key at fault.
    """
    value = env.get("RMADESK_POLICY", "").strip()
    return Path(value).expanduser().absolute() if value else None


def secret_key(env: Mapping[str, str], directory: Path) -> str:
    """`SECRET_KEY` from the environment, else the one kept in `<data dir>/secret_key`.

    The file is generated on first use (mode 0600) and reused afterwards, so sessions and
    password-reset links survive restarts without anyone having to invent a key. It is written
    to a temporary name and hard-linked into place, so two processes starting at once agree on
    one key and neither ever reads a half-written file.
    """
    from_env = env.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = directory / SECRET_KEY_FILE
    if path.exists():
        return _read_secret_key(path)
    key = get_random_secret_key()
    temporary = directory / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the umask can only narrow 0600, but be explicit
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)  # atomic and never overwrites
    except FileExistsError:
        return _read_secret_key(path)  # another process got there first: use its key
    finally:
        temporary.unlink(missing_ok=True)
    return key


def _read_secret_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ImproperlyConfigured(
            f"{path} is empty: delete it to generate a new key, or set SECRET_KEY"
        )
    return key


def database(env: Mapping[str, str], directory: Path) -> dict[str, Any]:
    """The default database from `DATABASE_URL`, else SQLite at `<data dir>/rmadesk.sqlite3`."""
    url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{directory / SQLITE_FILE}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        options: dict[str, Any] = dict(config.get("OPTIONS") or {})
        # Take the write lock when a transaction starts, and wait for it rather than failing at
        # once: avoids "database is locked" when the threaded dev server writes concurrently.
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        config["OPTIONS"] = options
    return config


TASKS_BACKENDS = ("database", "rq")


def tasks_backend(env: Mapping[str, str]) -> str:
    """`RMADESK_TASKS_BACKEND`: `database` (default) or `rq`; anything else is an error."""
    value = env.get("RMADESK_TASKS_BACKEND", "").strip().lower() or "database"
    if value not in TASKS_BACKENDS:
        raise ImproperlyConfigured(
            f"RMADESK_TASKS_BACKEND={env['RMADESK_TASKS_BACKEND']!r}: expected one of "
            + ", ".join(TASKS_BACKENDS)
        )
    return value


def env_int(env: Mapping[str, str], name: str, *, default: int, minimum: int = 0) -> int:
    """A whole-number variable; unset or blank means `default`; a bad or too small one is an error.

    Refused rather than clamped: a typo in a unit file should stop the service with the variable's
    name, not start it quietly with some other number.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={env[name]!r}: expected a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value}: must be at least {minimum}")
    return value


# Each gunicorn worker is a process of its own with its own database connection per thread: past
# a handful per machine, more memory and database connections buy nothing, so the default is
# capped and a bigger site adds machines (or sets RMADESK_WEB_WORKERS on purpose).
MAX_DEFAULT_WEB_WORKERS = 8
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WEB_TIMEOUT_SECONDS = 30
ONE_YEAR_SECONDS = 365 * 24 * 3600


def available_cpus() -> int:
    """CPUs this process may run on: the affinity mask (containers, taskset), else all of them."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_web_workers(cpus: int) -> int:
    """gunicorn's usual `2 × CPUs + 1`, at most `MAX_DEFAULT_WEB_WORKERS`."""
    return min(2 * max(1, cpus) + 1, MAX_DEFAULT_WEB_WORKERS)


def web_workers(env: Mapping[str, str], cpus: int) -> int:
    """`RMADESK_WEB_WORKERS`: gunicorn worker processes; default `default_web_workers(cpus)`."""
    return env_int(env, "RMADESK_WEB_WORKERS", default=default_web_workers(cpus), minimum=1)


def web_threads(env: Mapping[str, str]) -> int:
    """`RMADESK_WEB_THREADS`: threads per worker; default 1 (plain processes, no shared state)."""
    return env_int(env, "RMADESK_WEB_THREADS", default=1, minimum=1)


def web_timeout(env: Mapping[str, str]) -> int:
    """`RMADESK_WEB_TIMEOUT`: seconds before gunicorn kills a stuck worker; default 30."""
    return env_int(env, "RMADESK_WEB_TIMEOUT", default=DEFAULT_WEB_TIMEOUT_SECONDS, minimum=1)


def bind(env: Mapping[str, str]) -> list[str]:
    """`RMADESK_BIND`: where `rmadesk serve` listens; comma-separated; default `127.0.0.1:8000`.

    Loopback by default: the proxy in front (nginx) is what faces the network, and the
    `X-Forwarded-Proto` header rmadesk trusts must only ever come from it.
    """
    return env_list(env, "RMADESK_BIND", default=(DEFAULT_BIND,))


def ssl_redirect(env: Mapping[str, str], *, debug: bool) -> bool:
    """`RMADESK_SSL_REDIRECT`: send plain-HTTP requests to HTTPS; default on unless debugging."""
    return env_bool(env, "RMADESK_SSL_REDIRECT", default=not debug)


def hsts_seconds(env: Mapping[str, str], *, debug: bool) -> int:
    """`RMADESK_HSTS_SECONDS`: the HSTS max-age; default one year, 0 (no header) when debugging.

    0 while debugging so a developer's browser never learns to refuse plain http://localhost.
    """
    return env_int(env, "RMADESK_HSTS_SECONDS", default=0 if debug else ONE_YEAR_SECONDS)
