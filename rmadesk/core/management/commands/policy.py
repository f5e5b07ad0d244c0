"""`policy` as a Django management command (for `call_command`); `rmadesk policy` skips Django.

See `rmadesk.core.policy_command` for the command itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.core.policy_command import (
    PolicyCommandError,
    add_policy_arguments,
    run_policy_command,
)


class Command(BaseCommand):
    help = "Show, check and query the support policy (POLICY.md rules as the system runs them)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_policy_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run_policy_command(options, active=settings.RMADESK_POLICY, stdout=self.stdout)
        except PolicyCommandError as error:
            raise CommandError(str(error), returncode=2) from None
