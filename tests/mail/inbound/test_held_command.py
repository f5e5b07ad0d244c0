"""`rmadesk mail held list|show|link|discard --as EMAIL`: held mail from the command line.

Output lines are exact; a refusal is one line naming the option, exit status 2.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rmadesk.core import clock
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Ticket
from tests.mail.inbound.builders import SECOND_SERIAL, SERIAL, STRANGER, eml, pacific
from tests.tickets.factories import user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mail", "held", *args, stdout=out)
    return out.getvalue().strip()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    return str(error.value)


@pytest.fixture
def agent(world: Any) -> Any:
    return user("agent")


@pytest.fixture
def held(world: Any) -> InboundMessage:
    return ingest_message(
        eml(sender=f"Sam <{STRANGER}>", subject="Disk failure", message_id="<h@x>")
    )


def test_list_shows_held_mail_newest_first_in_the_vendors_zone(agent, held):
    with clock.frozen_at(pacific(2026, 11, 18, 11, 30)):
        second = ingest_message(eml(sender=STRANGER, subject="Again", message_id="<h2@x>"))
    assert run("list", "--as", agent.email) == (
        f"{second.pk}\t2026-11-18T11:30-08:00\tUnknown sender\t{STRANGER}\tAgain\t"
        "One disk of the pool shows read errors since this morning.\n"
        f"{held.pk}\t2026-11-18T10:00-08:00\tUnknown sender\tSam <{STRANGER}>\tDisk failure\t"
        "One disk of the pool shows read errors since this morning.\n"
        "2 held emails"
    )
    assert run("list", "--limit", "1", "--as", agent.email).endswith("2 held emails, 1 shown")


def test_show_prints_the_headers_why_and_the_text(agent, held):
    assert run("show", str(held.pk), "--as", agent.email) == (
        f"Held email {held.pk}: Unknown sender\n"
        f"From: Sam <{STRANGER}>\n"
        "To: support@rmadesk.example\n"
        "Subject: Disk failure\n"
        "Received: 2026-11-18T10:00-08:00\n"
        f"Why: {STRANGER} is not a contact of any customer: link it to a customer and serial\n"
        "\n"
        "One disk of the pool shows read errors since this morning."
    )


def test_link_opens_a_ticket_and_remembers_the_sender(world, agent, held):
    out = run(
        "link",
        str(held.pk),
        "--customer",
        "acme storage",
        "--serial",
        SECOND_SERIAL,
        "--severity",
        "s2",
        "--remember-sender",
        "--as",
        agent.email,
    )
    ticket = Ticket.objects.get()
    assert out == f"held email {held.pk}: opened ticket {ticket.number}"
    assert (ticket.customer, ticket.asset.serial, ticket.severity) == (
        world.acme,
        SECOND_SERIAL,
        "S2",
    )
    assert ticket.opened_by == agent
    assert Contact.objects.filter(customer=world.acme, email=STRANGER).exists()
    assert refused(
        "link",
        str(held.pk),
        "--customer",
        str(world.acme.pk),
        "--serial",
        SERIAL,
        "--as",
        agent.email,
    ) == (f"ID: this email was already linked to ticket {ticket.number} by {agent.email}")


def test_link_onto_a_ticket_and_discard(world, agent, held):
    opened = ingest_message(eml(message_id="<t@x>")).ticket
    out = run(
        "link",
        str(held.pk),
        "--customer",
        world.acme.email,
        "--ticket",
        f"#{opened.number}",
        "--as",
        agent.email,
    )
    assert out == f"held email {held.pk}: added to ticket {opened.number}"
    spam = ingest_message(eml(sender=STRANGER, message_id="<spam@x>", subject="Cheap"))
    assert run("discard", str(spam.pk), "--note", "pills", "--as", agent.email) == (
        f"held email {spam.pk}: discarded as spam (kept for the record)"
    )
    spam.refresh_from_db()
    assert (spam.status, spam.discarded_by) == ("discarded_spam", agent)


def test_bad_input_names_the_option_and_exits_2(world, agent, held):
    pk = str(held.pk)
    assert refused("list", "--as", "nobody@vendor.example") == (
        "--as: no active user 'nobody@vendor.example'"
    )
    assert refused("list", "--as", world.bob.email) == (
        "--as: bob@acme.example is not on the vendor's staff"
    )
    clerk = user("clerk")
    assert refused("list", "--as", clerk.email) == (
        "reading held mail needs the role agent or manager"
    )
    assert refused(
        "link", pk, "--customer", "Nobody Inc", "--serial", SERIAL, "--as", agent.email
    ) == ("--customer: no customer called 'Nobody Inc' (give its id, name or email)")
    assert refused(
        "link", pk, "--customer", "Acme Storage", "--serial", "TN-GLOBEX-0001", "--as", agent.email
    ) == ("--serial: serial TN-GLOBEX-0001 belongs to Globex, not Acme Storage")
    assert refused("link", pk, "--customer", "Acme Storage", "--as", agent.email).startswith(
        "--serial: choose a serial of Acme Storage to open a ticket on"
    )
    assert (
        refused("link", pk, "--customer", "Acme Storage", "--ticket", "999999", "--as", agent.email)
        == "--ticket: no ticket 999999"
    )
    assert refused(
        "link",
        pk,
        "--customer",
        "Acme Storage",
        "--serial",
        SERIAL,
        "--severity",
        "S9",
        "--as",
        agent.email,
    ).startswith("--severity: unknown severity 'S9'")
    assert refused("show", "424242", "--as", agent.email) == "ID: no held email 424242"
    held.refresh_from_db()
    assert held.status == "held_unknown_sender" and not Ticket.objects.exists()


def test_argument_errors_name_the_option(world, agent, held):
    def usage(*args: str) -> str:
        with pytest.raises(CommandError) as error:
            run(*args)  # from the command line, argparse exits 2 (test below)
        return str(error.value)

    assert usage("list") == "Error: the following arguments are required: --as"
    assert usage("link", str(held.pk), "--as", agent.email) == (
        "Error: the following arguments are required: --customer"
    )
    assert usage("show", "abc", "--as", agent.email) == (
        "Error: argument ID: 'abc' is not a number from 1"
    )
    assert usage(
        "link", str(held.pk), "--customer", "1", "--ticket", "x1", "--as", agent.email
    ) == ("Error: argument --ticket: 'x1' is not a number from 1")


def test_the_real_command_exits_2_on_a_missing_option(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "rmadesk.cli", "mail", "held", "link", "7", "--as", "a@b.example"],
        capture_output=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    last = done.stderr.decode().splitlines()[-1]  # "<program> mail held link: error: ..."
    assert last.endswith(" mail held link: error: the following arguments are required: --customer")
