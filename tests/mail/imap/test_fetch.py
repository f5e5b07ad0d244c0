"""`rmadesk mail fetch` against a real IMAP server (Dovecot over TLS): mail in, tickets out.

Messages are put in the mailbox with IMAP APPEND (as a mail server would deliver them, with their
arrival time), then fetched by `fetch_mailbox` exactly as in production. The invariant under
test: a message is flagged \\Seen (or moved) only after its ticket is committed, and fetching it
again never makes a second ticket.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from rmadesk.core.services import add_user
from rmadesk.mail import imap
from rmadesk.mail.imap import FetchReport, ImapError, fetch_mailbox
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Message, Ticket
from tests.mail.imap.dovecot import Dovecot, free_port
from tests.tickets.factories import asset_on_plan, pacific

# fetch_mailbox refuses to run inside a transaction (it marks messages after their commit), and
# the ticket must really be committed before the flag: these tests run on committed data.
pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "ops@acme.example"
ARRIVED = pacific(2026, 11, 18, 10, 0)  # a Wednesday, during Pacific business hours


class Crash(BaseException):
    """A process dying between the commit and the flag (not an Exception: nothing catches it)."""


def mail(
    *,
    message_id: str | None = "<first.1@acme.example>",
    sender: str = CUSTOMER,
    subject: str = "Pool degraded on our array",
    body: str = "",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ops Team <{sender}>"
    msg["To"] = "support@rmadesk.example"
    msg["Subject"] = subject
    msg["Date"] = "Wed, 18 Nov 2026 09:58:00 -0800"
    if message_id is not None:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body or "Hello,\n\nA question.\n\nOps")
    return msg.as_bytes(policy=email.policy.SMTP)


@pytest.fixture
def customer_asset() -> Any:
    asset = asset_on_plan("gold", serial="TN-IMAP-0001")
    add_user(email=CUSTOMER, role="customer", customer_id=asset.customer_id)
    return asset


def customer_mail(asset: Any, **kwargs: Any) -> bytes:
    kwargs.setdefault(
        "body", f"Hello,\n\nOne disk of serial {asset.serial} shows errors.\n\nOps Team"
    )
    return mail(**kwargs)


def seen(mailbox: Dovecot, folder: str = "INBOX") -> list[bool]:
    return [r"\Seen" in flags for _, flags in mailbox.messages(folder)]


# ---------------------------------------------------------------------------------- tickets


def test_a_customer_email_in_the_mailbox_opens_a_ticket(mailbox, customer_asset):
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    assert seen(mailbox) == [False]

    report = fetch_mailbox(mailbox.config())

    assert report.ok and report.found == 1
    (fetched,) = report.ingested
    assert fetched.status == "ticket_opened"
    ticket = Ticket.objects.get()
    assert fetched.ticket_number == ticket.number
    assert (ticket.channel, ticket.customer_id, ticket.asset_id) == (
        "email",
        customer_asset.customer_id,
        customer_asset.pk,
    )
    inbound = InboundMessage.objects.get()
    assert (inbound.source, inbound.ticket_id, inbound.from_address) == (
        "imap",
        ticket.pk,
        CUSTOMER,
    )
    assert inbound.message_id == "<first.1@acme.example>"
    assert inbound.received_at == ARRIVED  # the server's arrival time (INTERNALDATE)
    assert "shows errors" in Message.objects.get(ticket=ticket).body
    assert seen(mailbox) == [True]  # flagged after the commit, and left in place


def test_the_same_message_fetched_twice_makes_one_ticket(mailbox, customer_asset):
    raw = customer_mail(customer_asset)
    mailbox.append(raw, received_at=ARRIVED)
    mailbox.append(raw, received_at=ARRIVED + dt.timedelta(minutes=5))  # delivered again

    first = fetch_mailbox(mailbox.config())
    again = fetch_mailbox(mailbox.config())

    assert first.found == 2 and first.ok
    assert [f.ticket_number for f in first.ingested] == [Ticket.objects.get().number] * 2
    assert again.found == 0 and again.ingested == []
    assert InboundMessage.objects.get().deliveries == 2
    assert seen(mailbox) == [True, True]


def test_a_crash_after_the_commit_leaves_the_message_unseen_and_the_refetch_makes_no_second_ticket(
    mailbox, customer_asset, monkeypatch
):
    real_ingest = imap.ingest
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)

    def commit_then_die(raw: bytes, **kwargs: Any) -> Any:
        real_ingest(raw, **kwargs)  # committed
        raise Crash

    monkeypatch.setattr(imap, "ingest", commit_then_die)
    with pytest.raises(Crash):
        fetch_mailbox(mailbox.config())
    assert Ticket.objects.count() == 1
    assert seen(mailbox) == [False]  # the flag never came: the next fetch reads it again

    monkeypatch.setattr(imap, "ingest", real_ingest)
    report = fetch_mailbox(mailbox.config())
    assert report.found == 1 and report.ok
    assert Ticket.objects.count() == 1  # idempotent: the same ticket, not a second one
    assert report.ingested[0].ticket_number == Ticket.objects.get().number
    assert seen(mailbox) == [True]


def test_a_failed_ingestion_leaves_the_message_unseen_and_the_others_are_fetched(
    mailbox, customer_asset, monkeypatch
):
    real_ingest = imap.ingest
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    mailbox.append(
        customer_mail(customer_asset, message_id="<second.2@acme.example>", subject="Fan noise"),
        received_at=ARRIVED + dt.timedelta(minutes=1),
    )
    flags_during_ingest: list[list[bool]] = []

    def fail_the_first(raw: bytes, **kwargs: Any) -> Any:
        flags_during_ingest.append(seen(mailbox))
        if b"<first.1@acme.example>" in raw:
            raise RuntimeError("database unavailable")
        return real_ingest(raw, **kwargs)

    monkeypatch.setattr(imap, "ingest", fail_the_first)
    report = fetch_mailbox(mailbox.config())

    assert flags_during_ingest == [[False, False], [False, False]]  # nothing marked before
    assert not report.ok
    assert [uid for uid, _ in report.failed] == [mailbox.messages()[0][0]]
    assert "database unavailable" in report.failed[0][1]
    assert [f.status for f in report.ingested] == ["ticket_opened"]
    assert Ticket.objects.get().subject == "Fan noise"
    assert seen(mailbox) == [False, True]

    monkeypatch.setattr(imap, "ingest", real_ingest)
    retry = fetch_mailbox(mailbox.config())
    assert retry.found == 1 and retry.ok
    assert Ticket.objects.count() == 2
    assert seen(mailbox) == [True, True]


def test_an_auto_reply_makes_no_ticket(mailbox, customer_asset):
    mailbox.append(
        customer_mail(
            customer_asset,
            message_id="<ooo.1@acme.example>",
            subject="Out of office: Re: [#100001] Pool degraded",
            body="I am out of the office until Monday.",
            Auto_Submitted="auto-replied",
        ),
        received_at=ARRIVED,
    )

    report = fetch_mailbox(mailbox.config())

    assert [f.status for f in report.ingested] == ["ignored_auto"]
    assert report.ingested[0].ticket_number is None
    assert not Ticket.objects.exists()
    assert seen(mailbox) == [True]  # handled: not fetched again


def test_the_reply_from_the_customers_mail_client_threads_onto_its_ticket(mailbox, customer_asset):
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    fetch_mailbox(mailbox.config())
    ticket = Ticket.objects.get()
    mailbox.append(
        mail(
            message_id="<reply.2@acme.example>",
            subject="Re: Pool degraded on our array",
            body="The second disk failed too.",
            In_Reply_To="<first.1@acme.example>",
            References="<first.1@acme.example>",
        ),
        received_at=ARRIVED + dt.timedelta(hours=1),
    )

    report = fetch_mailbox(mailbox.config())

    assert [(f.status, f.ticket_number) for f in report.ingested] == [("threaded", ticket.number)]
    assert Ticket.objects.count() == 1
    bodies = [m.body for m in Message.objects.filter(ticket=ticket)]
    assert len(bodies) == 2 and "second disk failed" in bodies[1]


# ---------------------------------------------------------------------------- connection


def test_starttls_fetches_like_implicit_tls(mailbox, customer_asset):
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    report = fetch_mailbox(mailbox.config(security="starttls"))
    assert [f.status for f in report.ingested] == ["ticket_opened"]
    assert seen(mailbox) == [True]


def test_a_processed_folder_receives_the_message_after_the_commit(mailbox, customer_asset):
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    report = fetch_mailbox(mailbox.config(processed_folder="rmadesk/processed"))
    assert [f.status for f in report.ingested] == ["ticket_opened"]
    assert mailbox.messages() == []
    assert seen(mailbox, "rmadesk/processed") == [True]
    assert fetch_mailbox(mailbox.config(processed_folder="rmadesk/processed")).found == 0


@pytest.mark.parametrize("missing", [{"MOVE"}, {"MOVE", "UIDPLUS"}])
def test_the_processed_folder_also_works_without_move(
    mailbox, customer_asset, monkeypatch, missing
):
    # Servers without MOVE (RFC 6851): COPY, flag \Deleted, then UID EXPUNGE (UIDPLUS) or,
    # lacking that too, one EXPUNGE at the end.
    real_login = imap._login_and_select

    def without_move(client: Any, config: Any) -> None:
        real_login(client, config)
        client.capabilities = tuple(c for c in client.capabilities if c not in missing)

    monkeypatch.setattr(imap, "_login_and_select", without_move)
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    fetch_mailbox(mailbox.config(processed_folder="Done"))
    assert mailbox.messages() == []
    assert seen(mailbox, "Done") == [True]


def test_an_untrusted_certificate_is_refused_before_anything_is_read(mailbox, customer_asset):
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    untrusted = mailbox.config()
    untrusted = imap.ImapConfig(**{**untrusted.__dict__, "ca_file": ""})  # the system's CAs
    with pytest.raises(ImapError, match="over TLS"):
        fetch_mailbox(untrusted)
    assert not InboundMessage.objects.exists()
    assert seen(mailbox) == [False]


def test_a_wrong_password_is_a_clear_error(mailbox):
    wrong = imap.ImapConfig(**{**mailbox.config().__dict__, "password": "nope"})
    with pytest.raises(ImapError, match="login"):
        fetch_mailbox(wrong)


def test_clear_text_imap_is_not_an_option():
    config = imap.ImapConfig(host="127.0.0.1", user="u", password="p", security="none")
    with pytest.raises(ImapError, match="tls or starttls"):
        fetch_mailbox(config)


def test_unconfigured_imap_names_the_missing_settings():
    with pytest.raises(ImapError, match="RMADESK_IMAP_HOST, RMADESK_IMAP_USER"):
        fetch_mailbox(imap.ImapConfig(host="", user="", password=""))


def test_fetch_refuses_to_run_inside_a_transaction(mailbox):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        fetch_mailbox(mailbox.config())


# ------------------------------------------------------------------------------- command


def test_rmadesk_mail_fetch_reads_the_settings_and_reports(mailbox, customer_asset):
    mailbox.append(customer_mail(customer_asset), received_at=ARRIVED)
    mailbox.append(
        customer_mail(
            customer_asset, message_id="<ooo@acme.example>", Auto_Submitted="auto-replied"
        ),
        received_at=ARRIVED,
    )
    config = mailbox.config()
    out = StringIO()
    with override_settings(
        RMADESK_IMAP_HOST=config.host,
        RMADESK_IMAP_PORT=config.port,
        RMADESK_IMAP_USER=config.user,
        RMADESK_IMAP_PASSWORD=config.password,
        RMADESK_IMAP_SSL="tls",
        RMADESK_IMAP_FOLDER="INBOX",
        RMADESK_IMAP_PROCESSED_FOLDER="",
        RMADESK_IMAP_CA_FILE=config.ca_file,
    ):
        call_command("mail", "fetch", stdout=out)
    text = out.getvalue()
    number = Ticket.objects.get().number
    assert "2 unseen" in text
    assert f"ticket_opened #{number}" in text
    assert "ignored_auto" in text
    assert seen(mailbox) == [True, True]


def test_rmadesk_mail_fetch_without_settings_exits_2():
    with (
        override_settings(RMADESK_IMAP_HOST="", RMADESK_IMAP_USER="", RMADESK_IMAP_PASSWORD=""),
        pytest.raises(CommandError, match="IMAP is not configured") as failed,
    ):
        call_command("mail", "fetch")
    assert failed.value.returncode == 2


def test_rmadesk_mail_fetch_with_the_server_down_exits_75():
    with (
        override_settings(
            RMADESK_IMAP_HOST="127.0.0.1",
            RMADESK_IMAP_PORT=free_port(),  # nothing listens there
            RMADESK_IMAP_USER="u",
            RMADESK_IMAP_PASSWORD="p",
            RMADESK_IMAP_SSL="tls",
        ),
        pytest.raises(CommandError, match="IMAP fetch failed") as failed,
    ):
        call_command("mail", "fetch")
    assert failed.value.returncode == 75


def test_fetch_report_counts():
    report = FetchReport(found=3)
    report.ingested = [
        imap.Fetched(1, "ticket_opened", 100001),
        imap.Fetched(2, "ticket_opened", 100002),
        imap.Fetched(3, "ignored_auto", None),
    ]
    assert report.counts() == {"ticket_opened": 2, "ignored_auto": 1}
    assert report.ok
