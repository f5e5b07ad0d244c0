"""`rmadesk mail held list|show|link|discard`: held mail from the command line.

Every action names the staff user it acts as (`--as EMAIL`, required): reading and resolving
held mail is for agents, managers and admins (`rmadesk.mail.permissions`), and the audit trail
names that user. A refusal prints one line naming the option it is about and exits 2, like bad
input; times are shown in the vendor's zone with their offset (T1).

    rmadesk mail held list --as agent@vendor.example
    rmadesk mail held show 42 --as agent@vendor.example
    rmadesk mail held link 42 --customer "Acme Storage" --serial TN-0001 --remember-sender \\
        --as agent@vendor.example
    rmadesk mail held link 43 --customer 7 --ticket 100042 --as agent@vendor.example
    rmadesk mail held discard 44 --note "phishing" --as agent@vendor.example
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.core.errors import DomainError
from rmadesk.core.permissions import is_staff
from rmadesk.core.policies import active_policy
from rmadesk.customers.models import Customer
from rmadesk.mail.held import (
    discard_held_message,
    held_message_for,
    held_messages,
    link_held_message,
    preview,
    why_held,
)
from rmadesk.mail.management.commands.mail import EX_USAGE_INPUT, Subcommand
from rmadesk.mail.models_inbound import InboundMessage
from rmadesk.policy.errors import PolicyError

# Which option a refusal's field is about.
OPTION_OF = {
    "customer": "--customer",
    "serial": "--serial",
    "ticket": "--ticket",
    "severity": "--severity",
    "remember_sender": "--remember-sender",
    "inbound": "ID",
    "email": "--remember-sender",
}
MAX_ID = 2**63 - 1


def _positive(text: str) -> int:
    """An id or a ticket number: a whole number from 1, else argparse's usage error (exit 2)."""
    value = text.strip().lstrip("#")
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 1")
    return int(value)


def _held_arguments(parser: CommandParser) -> None:
    actions = parser.add_subparsers(dest="held_action", required=True, metavar="ACTION")

    def action(name: str, text: str) -> Any:
        child = actions.add_parser(name, help=text, description=text)
        child.add_argument(
            "--as",
            dest="acting",
            required=True,
            metavar="EMAIL",
            help="the staff user acting (an agent, manager or admin)",
        )
        return child

    listing = action(
        "list", "list the held emails, newest first: id, received, why, sender, subject, preview"
    )
    listing.add_argument("--limit", type=_positive, default=50, help="at most this many (50)")
    show = action("show", "show one held email: its headers, why it is held, text and files")
    show.add_argument("id", type=_positive, metavar="ID", help="the held email's id")
    link = action("link", "link a held email to a customer: a new ticket, or onto a ticket")
    link.add_argument("id", type=_positive, metavar="ID", help="the held email's id")
    link.add_argument(
        "--customer", required=True, help="the customer: its id, its exact name or its email"
    )
    link.add_argument("--serial", default="", help="a serial of the customer: a new ticket on it")
    link.add_argument(
        "--ticket", type=_positive, help="a ticket of the customer: the mail becomes its reply"
    )
    link.add_argument(
        "--severity", default="", help="S1..S4 for a new ticket (default: as the subject asks)"
    )
    link.add_argument(
        "--remember-sender",
        action="store_true",
        help="make the sender a contact of the customer: their next mail is not held",
    )
    discard = action("discard", "discard a held email as spam (kept for the record)")
    discard.add_argument("id", type=_positive, metavar="ID", help="the held email's id")
    discard.add_argument("--note", default="", help="why, for the record")


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=EX_USAGE_INPUT)


def _actor(email: str) -> Any:
    found = (
        get_user_model()
        .objects.filter(email__iexact=email.strip(), is_active=True)
        .select_related("account")
        .order_by("id")
        .first()
    )
    if found is None:
        raise _refuse(f"--as: no active user {email.strip()!r}")
    if not is_staff(found):
        raise _refuse(f"--as: {found.email} is not on the vendor's staff")
    return found


def _customer(text: str) -> int:
    """The customer an agent names: its id, its exact name or its email (any case)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    ids = list(Customer.objects.filter(name__iexact=text).values_list("pk", flat=True))
    if not ids:
        ids = list(Customer.objects.filter(email__iexact=text).values_list("pk", flat=True))
    if len(ids) > 1:
        raise _refuse(f"--customer: {len(ids)} customers are called {text!r}: give its id")
    if not ids:
        raise _refuse(f"--customer: no customer called {text!r} (give its id, name or email)")
    return ids[0]


def _local(at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    return at.astimezone(active_policy().vendor_zone).isoformat(timespec="minutes")


def _sender(found: InboundMessage) -> str:
    address = found.from_address or "no sender address"
    return f"{found.from_name} <{address}>" if found.from_name else address


def _list(command: BaseCommand, user: Any, limit: int) -> None:
    rows = held_messages(user)
    page = list(rows[:limit])
    for found in page:
        command.stdout.write(
            f"{found.pk}\t{_local(found.received_at)}\t{why_held(found.status)}\t"
            f"{_sender(found)}\t{found.subject or '(no subject)'}\t"
            f"{preview(found.text_head, 60)}"  # type: ignore[attr-defined]  # annotated
        )
    total = rows.count()
    shown = f", {len(page)} shown" if total > len(page) else ""
    command.stdout.write(f"{total} held email{'' if total == 1 else 's'}{shown}")


def _show(command: BaseCommand, found: InboundMessage) -> None:
    lines = [
        f"Held email {found.pk}: {why_held(found.status)}",
        f"From: {_sender(found)}",
        f"To: {', '.join(found.to.splitlines()) or '—'}",
        f"Subject: {found.subject or '(no subject)'}",
        f"Received: {_local(found.received_at)}",
        f"Why: {found.reason}",
    ]
    if found.ticket_id and found.ticket is not None:
        lines.append(f"Ticket: {found.ticket.number}")
    for attachment in found.attachments.all():
        note = f": {attachment.dropped_reason}" if attachment.dropped_reason else ""
        lines.append(
            f"File: {attachment.filename} ({attachment.content_type}, {attachment.size} bytes)"
            f"{note}"
        )
    lines += ["", found.text.strip() or "(no text in this email)"]
    command.stdout.write("\n".join(lines))


def _held_run(command: BaseCommand, options: dict[str, Any]) -> None:
    user = _actor(options["acting"])
    action = options["held_action"]
    try:
        if action == "list":
            _list(command, user, options["limit"])
        elif action == "show":
            _show(command, held_message_for(user, options["id"]))
        elif action == "link":
            linked = link_held_message(
                actor=user,
                inbound=options["id"],
                customer=_customer(options["customer"]),
                serial=options["serial"],
                ticket=options["ticket"],
                severity=options["severity"].strip().upper(),
                remember_sender=options["remember_sender"],
            )
            assert linked.ticket is not None
            what = "opened ticket" if linked.status == "ticket_opened" else "added to ticket"
            command.stdout.write(f"held email {linked.pk}: {what} {linked.ticket.number}")
        else:
            found = discard_held_message(actor=user, inbound=options["id"], note=options["note"])
            command.stdout.write(f"held email {found.pk}: discarded as spam (kept for the record)")
    except (DomainError, PolicyError) as error:
        option = OPTION_OF.get(error.field or "", error.field or "")
        rule = f" (rule {error.rule})" if error.rule else ""
        where = f"{option}: " if option else ""
        raise _refuse(f"{where}{error.message}{rule}") from None


HELD = Subcommand(
    name="held",
    help="held mail: list, show, link to a customer, or discard as spam (--as EMAIL)",
    add_arguments=_held_arguments,
    run=_held_run,
)
