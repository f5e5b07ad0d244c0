"""The `rmadesk` command: Django's management commands under one name (`rmadesk migrate`, ...)."""

from __future__ import annotations

import os
import sys

from rmadesk.core.policy_command import main as policy_main


def main() -> None:
    """Run a management command with rmadesk's settings, like `manage.py` would."""
    if sys.argv[1:2] == ["policy"]:
        # Policy questions need no database: answer them without starting Django (see
        # rmadesk.core.policy_command), which makes a batch of 100,000 a second faster.
        sys.exit(policy_main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 -- after the env

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
