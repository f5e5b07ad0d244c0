"""`policy` as a Django management command; `rmadesk policy` skips Django except to activate.

See `rmadesk.core.policy_command` for the questions, and `rmadesk.config.policy_activation`
for `activate`, the one subcommand that writes (it lives here, above the ticket records it may
re-target).
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.config.policy_activation import run_activate
from rmadesk.core.policy_command import (
    PolicyCommandError,
    add_policy_arguments,
    run_policy_command,
)


def _answer() -> str:
    return sys.stdin.readline()  # EOF (no terminal, no --yes) reads as "no"


class Command(BaseCommand):
    help = (
        "Show, check and query the support policy (POLICY.md rules as the system runs them); "
        "activate a new policy file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_policy_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "activate":
                self.stdout.ending = ""  # its lines end themselves; the question stays on its line
                run_activate(options, stdout=self.stdout, confirm=_answer)
            else:
                run_policy_command(options, active=settings.RMADESK_POLICY, stdout=self.stdout)
        except PolicyCommandError as error:
            raise CommandError(str(error), returncode=2) from None
