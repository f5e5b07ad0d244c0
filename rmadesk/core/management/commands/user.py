"""`rmadesk user add EMAIL (--staff ROLE | --customer ID) [--token]`: users and API tokens."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.core.choices import STAFF_ROLES, Role
from rmadesk.core.errors import DomainError
from rmadesk.core.services import add_user, issue_token


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

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["staff"] or Role.CUSTOMER
        try:
            user = add_user(
                email=options["email"],
                role=role,
                customer_id=options["customer"],
                password=options["password"],
            )
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        self.stdout.write(f"added {user.email} ({role})")
        if options["token"]:
            self.stdout.write(issue_token(user=user, label="rmadesk user add"))
