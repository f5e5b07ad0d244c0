"""`rmadesk user add|enroll|unlock`: users, their API tokens, second factor and lockouts.

- `add EMAIL (--staff ROLE | --customer ID) [--password P] [--token]`: a staff user is enrolled
  for the second factor at once: the authenticator's otpauth:// URI is printed (and a QR code
  when the output is a terminal), with the recovery codes, so they can sign in from day one.
- `enroll EMAIL`: a new authenticator and recovery codes for an existing user (a lost phone),
  replacing the old ones.
- `unlock EMAIL`: lift the sign-in lockout of an account (every address).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rmadesk.core.choices import STAFF_ROLES, Role
from rmadesk.core.errors import DomainError
from rmadesk.core.services import add_user, issue_token
from rmadesk.core.signin import Enrollment, enroll_authenticator, needs_second_factor, unlock


class OneLineParser(CommandParser):
    """Refuses bad arguments in one line with exit status 2, without argparse's usage dump."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: error: {message}\n")
        raise CommandError(f"Error: {message}", returncode=2)


class Command(BaseCommand):
    help = "Add a staff user or a customer contact, optionally printing a new API token."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=OneLineParser)
        add = sub.add_parser("add", help="add a user")
        add.add_argument("email")
        who = add.add_mutually_exclusive_group(required=True)
        who.add_argument(
            "--staff",
            choices=sorted(role.value for role in STAFF_ROLES),
            metavar="ROLE",
            help=f"a staff role: {', '.join(sorted(role.value for role in STAFF_ROLES))}",
        )
        who.add_argument("--customer", type=int, metavar="ID", help="a contact of customer ID")
        add.add_argument("--password", help="a password for the web pages (optional)")
        add.add_argument("--token", action="store_true", help="print a new API token")
        enroll = sub.add_parser("enroll", help="a new authenticator and recovery codes")
        enroll.add_argument("email")
        unlock_ = sub.add_parser("unlock", help="lift an account's sign-in lockout")
        unlock_.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "unlock":
                removed = unlock(email=options["email"])
                self.stdout.write(
                    f"unlocked {options['email']} ({removed} failed sign-ins cleared)"
                )
            elif options["subcommand"] == "enroll":
                self._enroll(options["email"])
            else:
                self._add(options)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None

    def _add(self, options: dict[str, Any]) -> None:
        role = options["staff"] or Role.CUSTOMER
        with transaction.atomic():
            user = add_user(
                email=options["email"],
                role=role,
                customer_id=options["customer"],
                password=options["password"],
            )
            enrollment = enroll_authenticator(user=user) if needs_second_factor(user) else None
        self.stdout.write(f"added {user.email} ({role})")
        if enrollment is not None:
            self._show(enrollment)
        if options["token"]:  # last, so a script takes the last line
            self.stdout.write(issue_token(user=user, label="rmadesk user add"))

    def _enroll(self, email: str) -> None:
        user = get_user_model().objects.filter(username=email).first()
        if user is None:
            raise CommandError(f"no user {email}", returncode=2)
        self._show(enroll_authenticator(user=user))

    def _show(self, enrollment: Enrollment) -> None:
        """The authenticator to add (URI, QR code on a terminal) and the recovery codes."""
        self.stdout.write("second factor: add this to an authenticator app (TOTP)")
        self.stdout.write(enrollment.uri)
        if self.stdout.isatty() and sys.stdout.isatty():
            segno.make(enrollment.uri, error="m").terminal(out=sys.stdout, compact=True)
        self.stdout.write(f"secret (to type in): {enrollment.secret}")
        self.stdout.write("recovery codes (each works once; keep them safe):")
        self.stdout.write(" ".join(enrollment.recovery_codes))
