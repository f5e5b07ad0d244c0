"""The `rmadesk` command: Django's management commands under one name (`rmadesk migrate`, ...)."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured

from rmadesk.config.cli_help import help_text
from rmadesk.config.env import policy_path
from rmadesk.core.policy_command import main as policy_main

# What asks for the list of commands: the product's own listing answers (`rmadesk help X` and
# `rmadesk X --help` are still Django's help of command X).
HELP_REQUESTS: tuple[list[str], ...] = ([], ["help"], ["--help"], ["-h"])
# The long-running services log JSON lines for a log collector unless RMADESK_LOG_FORMAT says
# otherwise; every other command (the demo, migrate, a shell) logs readable text.
JSON_LOGGING_COMMANDS = frozenset({"serve", "worker"})
# sysexits.h's EX_CONFIG, which systemd calls "CONFIG": restarting cannot mend a bad setting.
CONFIGURATION_ERROR_STATUS = 78


def main() -> None:
    """Run a management command with rmadesk's settings, like `manage.py` would."""
    if sys.argv[1:2] == ["policy"] and "activate" not in sys.argv[2:]:
        # Policy questions need no database: answer them without starting Django (see
        # rmadesk.core.policy_command), which makes a batch of 100,000 a second faster. Only
        # `policy activate` stores a version and moves tickets: it goes through Django.
        try:
            active = policy_path(os.environ)  # read as the settings read it
        except ImproperlyConfigured as error:
            _refuse(error)
        sys.exit(policy_main(sys.argv[2:], active=active))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    service = sys.argv[1:2] and sys.argv[1] in JSON_LOGGING_COMMANDS and "--status" not in sys.argv
    if service and not os.environ.get("RMADESK_LOG_FORMAT", "").strip():
        os.environ["RMADESK_LOG_FORMAT"] = "json"
    from django.conf import settings  # noqa: PLC0415 -- after the env
    from django.core.management import execute_from_command_line  # noqa: PLC0415 -- the same

    try:
        # Read the settings now, before any command: a bad variable (EnvironmentValueError)
        # stops here with its one line, instead of a traceback from wherever it was first used.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        _refuse(error)
    if sys.argv[1:] in HELP_REQUESTS:
        sys.stdout.write(help_text())
        sys.exit(0)
    execute_from_command_line(sys.argv)


def _refuse(error: ImproperlyConfigured) -> NoReturn:
    print(f"rmadesk: {error}", file=sys.stderr)
    sys.exit(CONFIGURATION_ERROR_STATUS)


if __name__ == "__main__":
    main()
