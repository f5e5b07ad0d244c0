"""The `rmadesk` command: Django's management commands under one name (`rmadesk migrate`, ...)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command with rmadesk's settings, like `manage.py` would."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 -- after the env

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
