"""One mail thread, both ways: a customer's email opens a ticket, the acknowledgement (with the
number) answers it, their client's reply threads onto the ticket, the agent's answer threads.

Intake is `rmadesk.mail.inbound.ingest` (helper M1's), outbound is the outbox against a real
SMTP server; what the customer's mail client would send back is built from what it received.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from rmadesk.core import clock
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.outbox import deliver_outbox
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services import reply
from tests.mail.outbound.conftest import Received, SmtpServer
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_morning():
    with clock.frozen_at(pacific(2026, 11, 2, 9, 0)):
        yield


def customer_mail(*, subject: str, body: str, message_id: str, answering: Received | None = None):
    mail = EmailMessage()
    mail["From"] = "Ann Admin <ann@acme.example>"
    mail["To"] = "support@vendor.example"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail["Date"] = "Mon, 02 Nov 2026 09:00:00 -0800"
    if answering is not None:  # what a mail client does when the user presses Reply
        mail["In-Reply-To"] = answering.message_id
        mail["References"] = answering.message_id
    mail.set_content(body)
    return mail.as_bytes()


def test_an_email_opens_a_ticket_the_number_goes_back_and_the_thread_holds(smtp: SmtpServer):
    asset = asset_on_plan("gold", serial="M50-000042")
    Contact.objects.create(customer=asset.customer, name="Ann Admin", email="ann@acme.example")

    first = customer_mail(
        subject="Pool degraded on M50-000042",
        body="Serial M50-000042: drive 3 shows UNAVAIL.",
        message_id="<first.1@acme.example>",
    )
    result = ingest(first)
    assert result.inbound.status == "ticket_opened", result.inbound.reason
    ticket = Ticket.objects.get()
    assert deliver_outbox() == 1
    [ack] = smtp.messages
    assert ack.rcpt_tos == ["ann@acme.example"]
    assert f"[#{ticket.number}]" in ack.subject
    assert f"opened ticket #{ticket.number}" in ack.text()
    assert "Our promise: a first response by" in ack.text()
    assert ack.message["In-Reply-To"] == "<first.1@acme.example>"  # threads on her mail

    # The same message delivered again makes nothing, and mails nothing.
    assert ingest(first).created is False
    assert deliver_outbox() == 0

    # She answers our acknowledgement from her mail client: it threads onto the ticket.
    answer = customer_mail(
        subject=f"Re: {ack.subject}",
        body="Here is zpool status.",
        message_id="<second.2@acme.example>",
        answering=ack,
    )
    assert ingest(answer).inbound.status == "threaded"
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(ticket=ticket, body__contains="zpool status").exists()
    assert deliver_outbox() == 0  # a customer's reply mails nobody

    # The agent's public reply goes back to her, in the same thread.
    reply(actor=user("agent"), ticket=ticket, body="Replace drive 3, please.", public=True)
    assert deliver_outbox() == 1
    agent_reply = smtp.messages[-1]
    assert agent_reply.rcpt_tos == ["ann@acme.example"]
    assert agent_reply.subject == f"Re: [#{ticket.number}] {ticket.subject}"
    assert agent_reply.message["In-Reply-To"] == "<first.1@acme.example>"
    assert OutboxMessage.objects.count() == 2


def test_our_own_notification_coming_back_opens_nothing(smtp: SmtpServer):
    asset = asset_on_plan("gold", serial="M50-000043")
    contact = user("customer", asset.customer)
    from rmadesk.tickets.services import open_ticket

    open_ticket(
        actor=contact,
        serial="M50-000043",
        severity="S3",
        subject="Question",
        body="M50-000043 question",
        channel="portal",
    )
    deliver_outbox()
    [ack] = smtp.messages
    # A forwarding loop delivers our acknowledgement to the support mailbox.
    looped = ack.message.as_bytes()
    result = ingest(looped)
    assert result.inbound.status == "ignored_auto", result.inbound.reason
    assert Ticket.objects.count() == 1
    assert deliver_outbox() == 0
