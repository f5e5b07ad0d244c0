"""`rmadesk mail ingest [FILE|-]`: one message from a file or a pipe, one line out, exit 0.

Exit 2 with one line when the input cannot be read; 75 (EX_TEMPFAIL) when ingestion failed for
another reason, so the mail server delivers again later.
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
from django.db import OperationalError

from rmadesk.mail.management.commands import mail as command_module
from rmadesk.mail.management.commands.mail import Subcommand
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Ticket
from tests.mail.inbound.builders import JANE, STRANGER, eml

pytestmark = pytest.mark.django_db


def latest() -> int:
    return InboundMessage.objects.latest("id").pk


def run(*args: str, stdin: Any = None) -> str:
    out = io.StringIO()
    options: dict[str, Any] = {"stdout": out}
    if stdin is not None:
        options["stdin"] = stdin
    call_command("mail", "ingest", *args, **options)
    return out.getvalue().strip()


def test_a_file_opens_a_ticket_and_says_its_number(world, tmp_path):
    path = tmp_path / "new.eml"
    path.write_bytes(eml())
    assert run(str(path)) == f"ticket 100001 opened from {JANE} (inbound {latest()})"
    assert Ticket.objects.get().number == 100001


def test_standard_input_is_read_with_a_dash_or_nothing(world):
    first = run("-", stdin=io.BytesIO(eml()))
    assert first == f"ticket 100001 opened from {JANE} (inbound {latest()})"
    assert run(stdin=io.BytesIO(eml())) == f"already ingested, nothing done again: {first}"
    assert Ticket.objects.count() == 1


def test_held_ignored_and_threaded_mail_each_say_so(world):
    held = run(stdin=io.BytesIO(eml(sender=STRANGER, message_id="<a@x>")))
    assert held == (
        f"held (held_unknown_sender): {STRANGER} is not a contact of any customer: link it to a "
        f"customer and serial (inbound {latest()})"
    )
    auto = run(stdin=io.BytesIO(eml(message_id="<b@x>", headers={"Auto-Submitted": "no-x"})))
    assert auto == (
        f"ignored (auto-reply, bounce or loop): Auto-Submitted: no-x (inbound {latest()})"
    )
    run(stdin=io.BytesIO(eml(message_id="<c@x>")))
    follow = run(stdin=io.BytesIO(eml(subject="Re: [#100001]", message_id="<d@x>")))
    assert follow == f"threaded onto ticket 100001 as a reply from {JANE} (inbound {latest()})"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("missing.eml", "cannot read {dir}/missing.eml: No such file or directory"),
        ("", "cannot read {dir}: Is a directory"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(world, tmp_path, argument, message):
    path = str(tmp_path / argument) if argument else str(tmp_path)
    with pytest.raises(CommandError) as raised:
        run(path)
    assert raised.value.returncode == 2
    assert str(raised.value) == message.format(dir=tmp_path)


def test_empty_input_exits_2(world, tmp_path):
    with pytest.raises(CommandError, match=r"^no message: standard input is empty$") as raised:
        run(stdin=io.BytesIO(b"  \n"))
    assert raised.value.returncode == 2
    (tmp_path / "empty.eml").write_bytes(b"")
    with pytest.raises(CommandError, match=r"is empty$"):
        run(str(tmp_path / "empty.eml"))


def test_a_database_failure_exits_75_so_the_mail_server_retries(world, monkeypatch):
    def broken(raw: bytes, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server\nConnection refused")

    monkeypatch.setattr(command_module, "ingest", broken)
    with pytest.raises(CommandError) as raised:
        run(stdin=io.BytesIO(eml()))
    assert raised.value.returncode == 75
    assert str(raised.value) == (
        "temporary failure, deliver again later: could not connect to server Connection refused"
    )


def test_other_subcommands_register_through_the_table(world, monkeypatch):
    """How `fetch` and `smtpd` join: a `Subcommand` in their module, its path in SUBCOMMANDS."""
    monkeypatch.setattr(
        command_module,
        "SUBCOMMANDS",
        (*command_module.SUBCOMMANDS, f"{__name__}.HELLO"),
    )
    out = io.StringIO()
    call_command("mail", "hello", "--name", "M3", stdout=out)
    assert out.getvalue() == "hello M3\n"
    with pytest.raises(CommandError, match="exit 3") as raised:
        call_command("mail", "hello", "--name", "fail", stdout=out)
    assert raised.value.returncode == 3


def _hello_arguments(parser: Any) -> None:
    parser.add_argument("--name", required=True)


def _hello(command: Any, options: dict[str, Any]) -> None:
    if options["name"] == "fail":
        raise CommandError("exit 3", returncode=3)
    command.stdout.write(f"hello {options['name']}")


HELLO = Subcommand(name="hello", help="say hello", add_arguments=_hello_arguments, run=_hello)


# ------------------------------------------------------------------- the real command line


def _cli(args: list[str], tmp_path: Any, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`rmadesk ARGS` in its own process, on the SQLite file `cli.sqlite3` in `tmp_path`."""
    env = {
        **os.environ,
        "RMADESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    rmadesk = [sys.executable, "-m", "rmadesk.cli"]
    return subprocess.run(
        [*rmadesk, *args], input=stdin, capture_output=True, env=env, timeout=120, check=False
    )


@pytest.mark.own_database
def test_the_real_command_reads_a_pipe_and_exits_0(tmp_path, database_templates):
    database_templates.sqlite_copy(tmp_path / "cli.sqlite3")  # as `rmadesk migrate` leaves it
    done = _cli(["mail", "ingest"], tmp_path, stdin=eml(sender=STRANGER))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().splitlines() == [
        f"held (held_unknown_sender): {STRANGER} is not a contact of any customer: link it to a "
        "customer and serial (inbound 1)"
    ]


@pytest.mark.own_database
def test_the_real_command_exits_2_with_one_line_on_unreadable_input(tmp_path):
    missing = tmp_path / "nope.eml"
    done = _cli(["mail", "ingest", str(missing)], tmp_path)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        f"CommandError: cannot read {missing}: No such file or directory"
    ]
