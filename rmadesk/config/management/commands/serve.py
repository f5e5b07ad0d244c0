"""`rmadesk serve`: the production web server (gunicorn, in this process), behind a TLS proxy.

gunicorn runs in-process through its `BaseApplication` rather than as the `gunicorn` program, so
`rmadesk serve` works wherever `rmadesk` does (no second script on PATH) and reads the same
settings. Before it listens it collects the static files (WhiteNoise serves them with hashed
names from the manifest) and refuses to start on an unmigrated database: a web process on an old
schema would fail request by request instead of once, here, with the fix in the message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]
from gunicorn.util import import_app  # type: ignore[import-untyped]

from rmadesk.core.policies import ensure_active_policy_recorded

WSGI_APPLICATION = "rmadesk.config.wsgi:application"
# Exit status when migrations are missing: distinct from 1 (any other error) so a deploy script
# or a systemd `RestartPreventExitStatus=2` can tell "run rmadesk migrate" from a crash.
UNMIGRATED_EXIT_STATUS = 2
# gunicorn's access log, plus the client address the proxy passes on (the peer is the proxy).
# The last field is the request id (X-Request-ID) that the application's own log lines carry.
ACCESS_LOG_FORMAT = (
    '%(h)s %({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
    " %({x-request-id}o)s"
)


def json_logging() -> dict[str, Any]:
    """gunicorn's own lines (start, stop, access) as JSON lines too: access on stdout, the rest
    on stderr, never twice through the root logger."""
    handler = {"class": "logging.StreamHandler", "formatter": "generic", "filters": ["request"]}
    return {
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
        "filters": {"request": {"()": "rmadesk.web.logs.RequestContextFilter"}},
        "handlers": {
            "console": {**handler, "stream": "ext://sys.stdout"},
            "error_console": {**handler, "stream": "ext://sys.stderr"},
        },
        "formatters": {"generic": {"()": "rmadesk.web.logs.JsonLinesFormatter"}},
    }


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Serve rmadesk in production with gunicorn: collects the static files, checks that the "
        "database is migrated, then listens on RMADESK_BIND (127.0.0.1:8000) behind a "
        "TLS-terminating proxy. Stops gracefully on SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            action="append",
            metavar="ADDRESS",
            help="HOST:PORT or unix:PATH to listen on; repeatable (default RMADESK_BIND)",
        )
        parser.add_argument(
            "--workers",
            type=_positive_int,
            help=f"worker processes (default RMADESK_WEB_WORKERS: {settings.RMADESK_WEB_WORKERS})",
        )
        parser.add_argument(
            "--threads",
            type=_positive_int,
            help=(
                f"threads per worker (default RMADESK_WEB_THREADS: {settings.RMADESK_WEB_THREADS})"
            ),
        )
        parser.add_argument(
            "--timeout",
            type=_positive_int,
            metavar="SECONDS",
            help=(
                "kill and replace a worker stuck this long on one request "
                f"(default RMADESK_WEB_TIMEOUT: {settings.RMADESK_WEB_TIMEOUT})"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _refuse_unmigrated_database()
        # L6: the version new tickets get is stored with its text before the first request.
        ensure_active_policy_recorded()
        if settings.DEBUG:
            self.stderr.write(
                "Warning: RMADESK_DEBUG is on: error pages show code and settings to anyone. "
                "Set RMADESK_DEBUG=0 in production."
            )
        # Quietly, every start: the manifest must match the code being served, and an upgrade
        # brings new files. Files already collected and unchanged are not copied again.
        call_command("collectstatic", interactive=False, verbosity=0)
        # gunicorn forks its workers from this process: a connection opened above must not be
        # shared by them (PostgreSQL would see several processes talking on one socket).
        connections.close_all()

        config = gunicorn_config(
            bind=options["bind"] or settings.RMADESK_BIND,
            workers=options["workers"] or settings.RMADESK_WEB_WORKERS,
            threads=options["threads"] or settings.RMADESK_WEB_THREADS,
            timeout=options["timeout"] or settings.RMADESK_WEB_TIMEOUT,
        )
        self.stdout.write(
            f"rmadesk serve: {', '.join(config['bind'])}, "
            f"{_count(config['workers'], 'worker')} × {_count(config['threads'], 'thread')}"
        )
        self.stdout.flush()
        # Runs until SIGTERM or SIGINT, then exits (status 0) after the requests in hand finish.
        WebServer(config).run()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _refuse_unmigrated_database() -> None:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        raise CommandError(f"cannot read the database: {error}") from error
    if plan:
        apps = sorted({migration.app_label for migration, _backwards in plan})
        raise CommandError(
            f"the database has {len(plan)} unapplied migration(s) (apps: {', '.join(apps)}). "
            "Run `rmadesk migrate`, then start `rmadesk serve` again.",
            returncode=UNMIGRATED_EXIT_STATUS,
        )


def gunicorn_config(*, bind: list[str], workers: int, threads: int, timeout: int) -> dict[str, Any]:
    """The gunicorn settings `rmadesk serve` runs with."""
    return {
        "wsgi_app": WSGI_APPLICATION,
        "bind": list(bind),
        "workers": workers,
        # More than one thread makes gunicorn use its threaded worker by itself.
        "threads": threads,
        "timeout": timeout,
        # A worker finishing a request on SIGTERM gets as long as a request may take at most.
        "graceful_timeout": timeout,
        "accesslog": "-",  # stdout: the journal or the container log collects it
        "errorlog": "-",  # stderr
        "access_log_format": ACCESS_LOG_FORMAT,
        "loglevel": "info",
        "proc_name": "rmadesk-web",
        # gunicorn ≥ 25 opens a control socket at one fixed path per user: two servers on a
        # machine (or a test next to a real one) would fight over it, and nothing here uses it.
        "control_socket_disable": True,
        **({"logconfig_dict": json_logging()} if settings.RMADESK_LOG_FORMAT == "json" else {}),
    }


class WebServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with the given settings, serving rmadesk's WSGI application."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        super().__init__(prog="rmadesk serve")

    def load_config(self) -> None:
        for name, value in self.config.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        # Imported in each worker after the fork (preload_app is off), as the `gunicorn` program
        # does, by name: the master never sets Django up for the workers to inherit.
        return import_app(WSGI_APPLICATION)
