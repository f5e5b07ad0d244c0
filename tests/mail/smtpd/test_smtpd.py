"""`rmadesk mail smtpd`: a real SMTP conversation (smtplib) with the listener, mail in, tickets out.

The listener answers 250 only after the ticket is committed, and 451 when ingestion failed, so a
sending server never drops a message rmadesk did not keep.
"""

from __future__ import annotations

import email.policy
import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from rmadesk.core.services import add_user
from rmadesk.mail.models import InboundMessage
from rmadesk.mail.smtpd import Listener
from rmadesk.tickets.models import Message, Ticket
from tests.jobs.installation import DatabaseTemplates
from tests.tickets.factories import asset_on_plan

# The listener ingests in its own thread, on its own database connection: committed data only.
pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "ops@acme.example"
SUPPORT = "support@rmadesk.example"


def mail(
    *,
    body: str,
    message_id: str | None = "<smtp.1@acme.example>",
    sender: str = CUSTOMER,
    subject: str = "Pool degraded",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ops Team <{sender}>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Date"] = "Wed, 18 Nov 2026 09:58:00 -0800"
    if message_id is not None:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes(policy=email.policy.SMTP)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener("127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def customer_asset() -> Any:
    asset = asset_on_plan("gold", serial="TN-SMTP-0001")
    add_user(email=CUSTOMER, role="customer", customer_id=asset.customer_id)
    return asset


def send(port: int, raw: bytes, *, sender: str = CUSTOMER) -> Any:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("mx.acme.example")
        client.mail(sender)
        client.rcpt(SUPPORT)
        return client.data(raw)


def test_a_customer_email_sent_to_the_listener_opens_a_ticket(listener, customer_asset):
    code, reply = send(listener.port, mail(body=f"Serial {customer_asset.serial}: disk errors."))

    assert code == 250, reply
    assert b"ticket_opened" in reply
    ticket = Ticket.objects.get()  # committed before the 250
    assert (ticket.channel, ticket.asset_id) == ("email", customer_asset.pk)
    inbound = InboundMessage.objects.get()
    assert (inbound.source, inbound.ticket_id, inbound.status) == (
        "smtp",
        ticket.pk,
        "ticket_opened",
    )
    assert bytes(inbound.raw).startswith(f"Return-Path: <{CUSTOMER}>\r\n".encode())
    assert "disk errors" in Message.objects.get(ticket=ticket).body


def test_the_same_message_sent_twice_makes_one_ticket(listener, customer_asset):
    raw = mail(body=f"Serial {customer_asset.serial}: disk errors.")
    assert send(listener.port, raw)[0] == 250
    assert send(listener.port, raw)[0] == 250  # the sender's retry after a lost 250
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get().deliveries == 2


def test_a_bounce_from_the_null_sender_opens_no_ticket(listener, customer_asset):
    raw = mail(
        body=f"Delivery to {CUSTOMER} failed permanently. Serial {customer_asset.serial}.",
        sender="mailer-daemon@acme.example",
        subject="Undelivered Mail Returned to Sender",
        message_id="<bounce.1@acme.example>",
    )
    code, reply = send(listener.port, raw, sender="")
    assert code == 250, reply
    assert InboundMessage.objects.get().status == "ignored_auto"
    assert bytes(InboundMessage.objects.get().raw).startswith(b"Return-Path: <>\r\n")
    assert not Ticket.objects.exists()


def test_an_auto_reply_opens_no_ticket(listener, customer_asset):
    raw = mail(
        body=f"Out of office. Serial {customer_asset.serial}.",
        subject="Automatic reply: Pool degraded",
        message_id="<ooo.1@acme.example>",
        Auto_Submitted="auto-replied",
    )
    assert send(listener.port, raw)[0] == 250
    assert InboundMessage.objects.get().status == "ignored_auto"
    assert not Ticket.objects.exists()


def test_a_failed_ingestion_answers_451_so_the_sender_keeps_the_message(customer_asset):
    calls: list[bytes] = []

    def unavailable(raw: bytes) -> Any:
        calls.append(raw)
        raise RuntimeError("database unavailable")

    server = Listener("127.0.0.1", 0, ingest=unavailable)
    server.start()
    try:
        with (
            pytest.raises(smtplib.SMTPDataError) as refused,
            smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client,
        ):
            client.sendmail(CUSTOMER, [SUPPORT], mail(body="Serial TN-SMTP-0001."))
    finally:
        server.stop()
    assert refused.value.smtp_code == 451
    assert len(calls) == 1
    assert not InboundMessage.objects.exists() and not Ticket.objects.exists()


@pytest.mark.own_database
def test_rmadesk_mail_smtpd_command_listens_until_sigterm(
    tmp_path: Path, database_templates: DatabaseTemplates
):
    """The real command in its own process, on a fresh SQLite database in a temporary data dir."""
    database_templates.sqlite_copy(tmp_path / "smtpd.sqlite3")  # as `rmadesk migrate` leaves it
    env = {
        **os.environ,
        "RMADESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'smtpd.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "rmadesk.config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "rmadesk.cli"]
    process = subprocess.Popen(
        [*command, "mail", "smtpd", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("rmadesk mail smtpd listening on 127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1])
        # An unknown sender: held for an agent, never dropped (and no customer data needed).
        code, reply = send(
            port,
            mail(body="Hello, who do I talk to?", sender="stranger@elsewhere.example"),
            sender="stranger@elsewhere.example",
        )
        assert code == 250, reply
        assert b"held_unknown_sender" in reply
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "rmadesk mail smtpd stopped" in out
    with sqlite3.connect(tmp_path / "smtpd.sqlite3") as db:
        rows = db.execute("SELECT source, status, from_address FROM mail_inboundmessage").fetchall()
    assert rows == [("smtp", "held_unknown_sender", "stranger@elsewhere.example")]


def test_the_listener_stops_cleanly_and_frees_its_port():
    server = Listener("127.0.0.1", 0)
    server.start()
    port = server.port
    server.stop()
    time.sleep(0.1)
    with pytest.raises(OSError):
        smtplib.SMTP("127.0.0.1", port, timeout=5)
