"""Reading rmadesk's configuration from environment variables: the one typed reader.

Every setting taken from the environment goes through `read()` here, by way of a typed reader
(`env_int`, `env_bool`, `env_choice`, `env_url`, ...), so every variable follows the same rules:

- unset or blank means the default (a yes/no variable set to an empty value means "no");
- a value that does not fit is refused, never guessed or clamped, with one line that names the
  variable, repeats the value given and says the form expected::

      RMADESK_EMAIL_PORT='abc': expected a whole number from 1 to 65535

  (`EnvironmentValueError`, an `ImproperlyConfigured`; the `rmadesk` command prints that line and
  exits with status 78, "configuration error", without a traceback). A password inside a URL is
  never repeated.

Kept apart from `settings.py` as plain functions over an explicit mapping so that tests can
check every rule without re-importing Django settings, and so the rules live in one place. Cheap
to import (no Django beyond its exceptions): `rmadesk policy` reads RMADESK_POLICY through it
before Django starts.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Callable, Collection, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

DEFAULT_DATA_DIR = "var"
SECRET_KEY_FILE = "secret_key"
# What django.core.management.utils.get_random_secret_key() draws from (50 of them), without
# importing Django's management machinery into every `rmadesk policy` call.
SECRET_KEY_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"
SECRET_KEY_LENGTH = 50
SQLITE_FILE = "rmadesk.sqlite3"
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Reuse a database connection for a minute: saves a connect per request on PostgreSQL, while
# health checks (below) replace connections the server closed in the meantime.
CONN_MAX_AGE = 60
# rmadesk runs on PostgreSQL (production) and SQLite (development, the demo, one small desk).
DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")
DATABASE_FORM = "a database URL such as postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:///PATH"

HOST_FORM = "a host name or IP address, without scheme or port"
IMAP_FOLDER_FORM = "an IMAP folder name in ASCII"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?")
_DOTTED_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.:-]+")
_ALLOWED_HOST = re.compile(r"\*|\.?[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\]")
_ORIGIN = re.compile(r"https?://[^/\s?#]+", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(//[^/@:\s]*:)[^/@\s]*@")


class EnvironmentValueError(ImproperlyConfigured):
    """A variable's value does not fit: one line naming it, the value given, the form expected."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.name = name
        self.value = value
        self.expected = expected
        super().__init__(f"{name}={_shown(value)!r}: expected {expected}")


def _shown(value: str) -> str:
    """The value as the message repeats it: a password in a URL (`//user:secret@`) masked."""
    return _URL_PASSWORD.sub(r"\1***@", value)


# --- the reader


def read(
    env: Mapping[str, str],
    name: str,
    parse: Callable[[str], T],
    *,
    default: T,
    expected: str,
) -> T:
    """`name` parsed by `parse` (surrounding blanks removed); unset or blank means `default`.

    `parse` raises ValueError for a value that does not fit; that becomes one
    `EnvironmentValueError` saying `expected`. The typed readers below are all this function.
    """
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse(raw.strip())
    except ValueError:
        raise EnvironmentValueError(name, raw, expected) from None


def _require(condition: bool) -> None:
    if not condition:
        raise ValueError


def env_str(
    env: Mapping[str, str],
    name: str,
    *,
    default: str = "",
    check: Callable[[str], bool] | None = None,
    expected: str = "text",
) -> str:
    """A text variable, optionally checked by `check` (True when the value fits)."""

    def parse(value: str) -> str:
        _require(check is None or check(value))
        return value

    return read(env, name, parse, default=default, expected=expected)


def env_secret(env: Mapping[str, str], name: str, *, default: str = "") -> str:
    """A password or token, exactly as given (blanks included); unset or empty means `default`."""
    raw = env.get(name)
    return default if raw is None or raw == "" else raw


def env_int(
    env: Mapping[str, str],
    name: str,
    *,
    default: int,
    minimum: int | None = 0,
    maximum: int | None = None,
    unit: str = "",
) -> int:
    """A whole number from `minimum` (0 unless given; None: no bound) to `maximum` (None: none).

    `unit` names what it counts in the message ("a whole number of seconds, at least 1").

    Refused rather than clamped: a typo in a unit file should stop the service with the variable's
    name, not start it quietly with some other number.
    """

    def parse(value: str) -> int:
        _require(_WHOLE_NUMBER.fullmatch(value) is not None)
        number = int(value)
        _require(minimum is None or number >= minimum)
        _require(maximum is None or number <= maximum)
        return number

    return read(env, name, parse, default=default, expected=_int_form(minimum, maximum, unit))


def _int_form(minimum: int | None, maximum: int | None, unit: str) -> str:
    what = f"a whole number of {unit}" if unit else "a whole number"
    if minimum is not None and maximum is not None:
        return f"{what} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{what}, at least {minimum}"
    if maximum is not None:
        return f"{what}, at most {maximum}"
    return what


def env_port(env: Mapping[str, str], name: str, *, default: int) -> int:
    """A TCP port: 1 to 65535."""
    return env_int(env, name, default=default, minimum=1, maximum=65535)


def env_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """A yes/no variable; unset means `default`, set but empty means no; nothing is guessed."""
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvironmentValueError(name, env[name], "one of 1/0, true/false, yes/no, on/off")


def env_choice(env: Mapping[str, str], name: str, choices: Collection[str], *, default: str) -> str:
    """One of `choices` (given in lower case; the value is matched regardless of case)."""

    def parse(value: str) -> str:
        _require(value.lower() in choices)
        return value.lower()

    return read(env, name, parse, default=default, expected="one of " + ", ".join(choices))


def env_list(
    env: Mapping[str, str],
    name: str,
    *,
    default: tuple[str, ...],
    check: Callable[[str], bool] | None = None,
    expected: str = "a comma-separated list",
) -> list[str]:
    """A comma-separated list (blanks around items dropped); each item must pass `check`."""

    def parse(value: str) -> list[str]:
        items = [item.strip() for item in value.split(",") if item.strip()]
        _require(check is None or all(check(item) for item in items))
        return items

    return read(env, name, parse, default=list(default), expected=expected)


def env_url(
    env: Mapping[str, str],
    name: str,
    *,
    default: str,
    schemes: Collection[str],
    expected: str,
) -> str:
    """A URL with one of `schemes` and a host (a path for `unix:`), and a valid port if any."""

    def parse(value: str) -> str:
        parts = urlsplit(value)
        _require(parts.scheme.lower() in schemes)
        _require(bool(parts.path) if parts.scheme.lower() == "unix" else bool(parts.hostname))
        parts.port  # noqa: B018 -- raises ValueError for a port that is not 0..65535
        return value

    return read(env, name, parse, default=default, expected=expected)


def env_path(
    env: Mapping[str, str],
    name: str,
    *,
    kind: Literal["file", "directory", "any"] = "any",
) -> Path | None:
    """A path, `~` expanded and made absolute; None when unset. `kind` says what must be there."""

    def parse(value: str) -> Path | None:
        path = Path(value).expanduser().absolute()
        _require(kind != "file" or path.is_file())
        _require(kind != "directory" or path.is_dir())
        return path

    forms = {
        "file": "the path of an existing file",
        "directory": "the path of an existing directory",
        "any": "a path",
    }
    return read(env, name, parse, default=None, expected=forms[kind])


def env_prefixed(env: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Every `PREFIX<KEY>` variable as `{KEY: value}`, values as given (they are often tokens)."""
    return {
        name.removeprefix(prefix): value for name, value in env.items() if name.startswith(prefix)
    }


# --- value checks shared by several variables


def is_host(value: str) -> bool:
    """A host name or an IP address: no scheme, no port, no path."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return _HOST_NAME.fullmatch(value) is not None and ".." not in value
    return True


def is_email(value: str) -> bool:
    """`support@vendor.example` or `Support <support@vendor.example>`."""
    _display_name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    return bool(local and at) and is_host(domain) and not any(c.isspace() for c in address)


def is_dotted_path(value: str) -> bool:
    """A Python import path such as `django.core.mail.backends.smtp.EmailBackend`."""
    return _DOTTED_PATH.fullmatch(value) is not None


def is_bind_address(value: str) -> bool:
    """What gunicorn listens on: `HOST`, `HOST:PORT`, `[IPv6]:PORT`, `unix:PATH` or `fd://N`."""
    if value.startswith("unix:"):
        return len(value) > len("unix:")
    if value.startswith("fd://"):
        return value.removeprefix("fd://").isdigit()
    if value.startswith("["):
        address, bracket, port = value[1:].partition("]")
        if not bracket or not _is_ipv6(address):
            return False
        return port == "" or (port.startswith(":") and _is_port(port[1:]))
    host, colon, port = value.rpartition(":")
    if not colon:
        return is_host(value)
    return is_host(host) and ":" not in host and _is_port(port)


def _is_ipv6(value: str) -> bool:
    try:
        return ipaddress.ip_address(value).version == 6
    except ValueError:
        return False


def _is_port(value: str) -> bool:
    return value.isdigit() and 1 <= int(value) <= 65535


def is_allowed_host(value: str) -> bool:
    """An ALLOWED_HOSTS entry: `support.example.com`, `.example.com`, `[::1]` or `*`."""
    return _ALLOWED_HOST.fullmatch(value) is not None


def is_origin(value: str) -> bool:
    """A CSRF trusted origin: scheme and host (and port), no path: `https://help.example.com`."""
    return _ORIGIN.fullmatch(value) is not None


def is_queue_name(value: str) -> bool:
    return _QUEUE_NAME.fullmatch(value) is not None


def is_imap_folder(value: str) -> bool:
    """IMAP folder names here are ASCII on one line (rmadesk.mail.imap sends them as given)."""
    return value.isascii() and not any(c in value for c in "\r\n")


# --- settings with rules of their own


def data_dir(env: Mapping[str, str]) -> Path:
    """The data directory (`RMADESK_DATA_DIR`, default `./var`), made absolute and created."""
    path = env_path(env, "RMADESK_DATA_DIR") or Path(DEFAULT_DATA_DIR).absolute()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        given = env.get("RMADESK_DATA_DIR", "").strip() or f"{DEFAULT_DATA_DIR} (the default)"
        raise EnvironmentValueError(
            "RMADESK_DATA_DIR",
            given,
            f"a directory rmadesk can create ({error.strerror or error})",
        ) from None
    return path


def policy_path(env: Mapping[str, str]) -> Path | None:
    """The vendor policy file (`RMADESK_POLICY`), or None for the built-in default policy.

    Must exist; its content is read later, by the policy loader, which reports a broken file with
    the key at fault.
    """
    return env_path(env, "RMADESK_POLICY", kind="file")


def secret_key(env: Mapping[str, str], directory: Path) -> str:
    """`SECRET_KEY` from the environment, else the one kept in `<data dir>/secret_key`.

    The file is generated on first use (mode 0600) and reused afterwards, so sessions and
    password-reset links survive restarts without anyone having to invent a key. It is written
    to a temporary name and hard-linked into place, so two processes starting at once agree on
    one key and neither ever reads a half-written file.
    """
    from_env = env_secret(env, "SECRET_KEY").strip()
    if from_env:
        return from_env
    path = directory / SECRET_KEY_FILE
    if path.exists():
        return _read_secret_key(path)
    key = "".join(secrets.choice(SECRET_KEY_CHARACTERS) for _ in range(SECRET_KEY_LENGTH))
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
    url = read(
        env,
        "DATABASE_URL",
        _database_url,
        default=f"sqlite:///{directory / SQLITE_FILE}",
        expected=DATABASE_FORM,
    )
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


def _database_url(value: str) -> str:
    _require(urlsplit(value).scheme.lower() in DATABASE_SCHEMES)
    dj_database_url.parse(value)  # ValueError (ParseError) for a port or a quoting it cannot read
    return value


TASKS_BACKENDS = ("database", "rq")


def tasks_backend(env: Mapping[str, str]) -> str:
    """`RMADESK_TASKS_BACKEND`: `database` (default) or `rq`; anything else is an error."""
    return env_choice(env, "RMADESK_TASKS_BACKEND", TASKS_BACKENDS, default="database")


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
    return env_int(
        env,
        "RMADESK_WEB_TIMEOUT",
        default=DEFAULT_WEB_TIMEOUT_SECONDS,
        minimum=1,
        unit="seconds",
    )


def bind(env: Mapping[str, str]) -> list[str]:
    """`RMADESK_BIND`: where `rmadesk serve` listens; comma-separated; default `127.0.0.1:8000`.

    Loopback by default: the proxy in front (nginx) is what faces the network, and the
    `X-Forwarded-Proto` header rmadesk trusts must only ever come from it.
    """
    return env_list(
        env,
        "RMADESK_BIND",
        default=(DEFAULT_BIND,),
        check=is_bind_address,
        expected="HOST:PORT, [IPv6]:PORT or unix:PATH, comma-separated",
    )


def ssl_redirect(env: Mapping[str, str], *, debug: bool) -> bool:
    """`RMADESK_SSL_REDIRECT`: send plain-HTTP requests to HTTPS; default on unless debugging."""
    return env_bool(env, "RMADESK_SSL_REDIRECT", default=not debug)


def hsts_seconds(env: Mapping[str, str], *, debug: bool) -> int:
    """`RMADESK_HSTS_SECONDS`: the HSTS max-age; default one year, 0 (no header) when debugging.

    0 while debugging so a developer's browser never learns to refuse plain http://localhost.
    """
    return env_int(
        env,
        "RMADESK_HSTS_SECONDS",
        default=0 if debug else ONE_YEAR_SECONDS,
        minimum=0,
        unit="seconds",
    )
