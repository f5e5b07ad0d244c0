"""Notifications end to end: a service changes something, the outbox mails a real SMTP server.

Every test drives the services (open, reply, RMA, label, invoice, breach scan) and then the
outbox worker (`deliver_outbox`) against aiosmtpd, and reads what the server received.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from rmadesk.billing.services import accrue_late_fees, issue_invoice
from rmadesk.core import clock
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.mail.notifications import notification_verbs
from rmadesk.mail.outbox import (
    deliver_outbox,
    is_own_message_id,
    ticket_number_for_message_id,
)
from rmadesk.rmas.services import confirm_rma, issue_label, open_rma, ship_replacement
from rmadesk.tickets.services import (
    assign_ticket,
    change_severity,
    close_ticket,
    mark_breached_clocks,
    open_ticket,
    reply,
    wait_on_customer,
)
from tests.mail.outbound.conftest import SmtpServer
from tests.rmas.pdf_reading import pdf_text
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db

MONDAY_9 = pacific(2026, 11, 2, 9, 0)  # Mon 2 Nov 2026 09:00 PST, a business day


@pytest.fixture(autouse=True)
def _monday_morning():
    with clock.frozen_at(MONDAY_9):
        yield


@pytest.fixture
def gold() -> dict[str, Any]:
    asset = asset_on_plan("gold", serial="M50-000042")
    asset.customer.name = "Acme Storage"
    asset.customer.email = "it@acme.example"
    asset.customer.save()
    return {
        "asset": asset,
        "customer": asset.customer,
        "contact": user("customer", asset.customer),
        "agent": user("agent"),
    }


def open_by_contact(gold: dict[str, Any], **fields: Any) -> Any:
    values = {
        "serial": "M50-000042",
        "severity": "S2",
        "subject": "Pool degraded",
        "body": "Drive 3 shows UNAVAIL since this morning.",
        "channel": "portal",
    }
    return open_ticket(actor=gold["contact"], **(values | fields))


def deliver() -> int:
    return deliver_outbox(now=clock.now())


# ------------------------------------------------------------------------ ticket opened


def test_customer_opening_a_ticket_gets_one_mail_with_the_number_and_the_promise(
    smtp: SmtpServer, gold
):
    ticket = open_by_contact(gold)
    assert deliver() == 1
    [mail] = smtp.messages
    assert mail.rcpt_tos == [gold["contact"].email]
    assert mail.message["From"] == "support@vendor.example"
    assert mail.subject == f"[#{ticket.number}] Pool degraded"
    text = mail.text()
    assert f"opened ticket #{ticket.number}" in text
    # Gold S2: 4 business hours from Monday 09:00 PST (L3, T2), in the customer's zone (T1).
    assert "Our promise: a first response by Mon 02 Nov 2026 13:00 PST" in text
    assert "4 business hours, on Pacific business hours" in text
    # The clock explains itself (T8), in words: customers read no rule IDs (issue 14).
    assert "How we computed it:" in text and "- Due Mon 02 Nov 2026 13:00 PST." in text
    assert "(rule" not in text
    assert "Drive 3 shows UNAVAIL" in text
    assert f"#{ticket.number}" in mail.html() and "Mon 02 Nov 2026 13:00 PST" in mail.html()
    # Our own Message-ID, an automatic message, the first of its thread.
    row = OutboxMessage.objects.get()
    assert mail.message_id == row.message_id
    assert row.message_id.startswith("<rmadesk.") and row.message_id.endswith(
        "@mail.vendor.example>"
    )
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message["In-Reply-To"] is None
    assert (row.status, row.attempts, row.kind, row.ticket_number) == (
        OutboxStatus.SENT,
        1,
        "ticket_opened",
        ticket.number,
    )
    assert is_own_message_id(mail.message_id)
    assert ticket_number_for_message_id(mail.message_id) == ticket.number


def test_a_second_delivery_run_sends_nothing_more(smtp: SmtpServer, gold):
    open_by_contact(gold)
    open_by_contact(gold, subject="Fan noise", severity="S3")
    assert deliver() == 2
    assert deliver() == 0
    assert deliver_outbox(now=clock.now() + dt.timedelta(days=2)) == 0
    assert len(smtp.messages) == 2
    assert len(set(smtp.collector.message_ids())) == 2


def test_an_agent_opening_a_phone_ticket_mails_the_customers_address(smtp: SmtpServer, gold):
    ticket = open_ticket(
        actor=gold["agent"],
        serial="M50-000042",
        severity="S1",
        subject="Controller down",
        body="Caller: Ann, controller B unresponsive.",
        channel="phone",
    )
    deliver()
    [mail] = smtp.messages
    assert mail.rcpt_tos == ["it@acme.example"]
    # Gold S1: 2 hours, 24x7 (T4).
    assert "a first response by Mon 02 Nov 2026 11:00 PST" in mail.text()
    assert f"[#{ticket.number}]" in mail.subject


def test_an_after_hours_voicemail_says_when_the_clock_starts(smtp: SmtpServer):
    asset_on_plan("bronze", serial="B-1")
    with clock.frozen_at(pacific(2026, 11, 2, 20, 0)):  # Monday 20:00 PST: after hours (L4)
        ticket = open_ticket(
            actor=user("agent"),
            serial="B-1",
            severity="S2",
            subject="Slow pool",
            body="voicemail",
            channel="phone",
        )
        deliver()
    assert ticket.channel == "voicemail"
    text = smtp.messages[0].text()
    assert "a voicemail outside our support hours" in text
    assert "The clock starts at our next opening, Tue 03 Nov 2026 06:00 PST" in text


def test_no_service_level_is_said_plainly(smtp: SmtpServer):
    asset = asset_on_plan("truecommand-free", serial="TC-1")
    contact = user("customer", asset.customer)
    open_ticket(
        actor=contact,
        serial="TC-1",
        severity="S4",
        subject="Licence question",
        body="How many drives?",
        channel="portal",
    )
    deliver()
    text = smtp.messages[0].text()
    assert "no service level" in text and "Our promise" not in text


def test_times_are_in_the_customers_zone(smtp: SmtpServer):
    asset = asset_on_plan("gold", serial="DE-1", country="DE", zone="Europe/Berlin")
    contact = user("customer", asset.customer)
    open_ticket(
        actor=contact,
        serial="DE-1",
        severity="S1",
        subject="Down",
        body="Down.",
        channel="portal",
    )
    deliver()
    text = smtp.messages[0].text()
    assert "a first response by Mon 02 Nov 2026 20:00 CET" in text  # 11:00 PST = 20:00 CET
    assert "Times are shown in Europe/Berlin." in text


# --------------------------------------------------------------------- replies, threading


def test_a_public_reply_carries_the_number_and_threads_on_the_first_mail(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    with clock.frozen_at(pacific(2026, 11, 2, 10, 0)):
        reply(
            actor=gold["agent"],
            ticket=ticket,
            body="Please send the output of zpool status.",
            public=True,
        )
        assert deliver() == 2
    first, answer = smtp.messages
    assert answer.subject == f"Re: [#{ticket.number}] Pool degraded"
    assert answer.message["In-Reply-To"] == first.message_id
    assert answer.message["References"] == first.message_id
    assert answer.rcpt_tos == [gold["contact"].email]
    assert "Please send the output of zpool status." in answer.text()
    assert "zpool status" in answer.html()
    # A person wrote it: not marked automatic. The next update is owed 4 business hours later.
    assert answer.message["Auto-Submitted"] is None
    assert "Our next update is due by Mon 02 Nov 2026 14:00 PST" in answer.text()


def test_an_internal_note_sends_no_mail(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    deliver()
    before = OutboxMessage.objects.count()
    reply(actor=gold["agent"], ticket=ticket, body="Customer is on old firmware.", public=False)
    reply(actor=gold["contact"], ticket=ticket, body="Any news?", public=True)
    assert OutboxMessage.objects.count() == before
    assert deliver() == 0
    assert len(smtp.messages) == 1
    assert all("old firmware" not in m.text() for m in smtp.messages)


def test_severity_change_waiting_and_closing_each_mail_the_customer(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    agent = gold["agent"]
    with clock.frozen_at(pacific(2026, 11, 2, 9, 30)):
        change_severity(actor=agent, ticket=ticket, severity="S1")
    with clock.frozen_at(pacific(2026, 11, 2, 9, 45)):
        reply(actor=agent, ticket=ticket, body="Which firmware do you run?", public=True)
        wait_on_customer(actor=agent, ticket=ticket)
    with clock.frozen_at(pacific(2026, 11, 2, 11, 0)):
        close_ticket(actor=agent, ticket=ticket, reason="Drive replaced; pool healthy.")
        assert deliver() == 6
    kinds = list(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == [
        "ticket_opened",
        "severity_changed",
        "agent_reply",
        "waiting_on_customer",
        "ticket_closed",
        "rating_asked",  # issue 16: after the closing mail, the one question
    ]
    opened, severity, _, waiting, closed, _asked = smtp.messages
    assert severity.subject == f"[#{ticket.number}] Severity changed to S1: Pool degraded"
    # L7: re-targeted from the change, Gold S1 is 2 hours 24x7: 09:30 → 11:30.
    assert "first response is now due by Mon 02 Nov 2026 11:30 PST" in severity.text()
    assert "Which firmware do you run?" in waiting.text()
    assert "the ticket resumes as soon as your answer arrives." in waiting.text()  # L5
    assert "Drive replaced; pool healthy." in closed.text()
    for mail in (severity, waiting, closed):
        assert f"[#{ticket.number}]" in mail.subject
        assert mail.message["In-Reply-To"] == opened.message_id
        assert mail.rcpt_tos == [gold["contact"].email]


def test_nothing_is_queued_before_the_commit_and_a_rolled_back_change_queues_nothing(gold):
    with pytest.raises(RuntimeError), transaction.atomic():
        open_by_contact(gold)
        # The service's transaction is inside the caller's: nothing is committed yet, so the
        # event is not published and no mail is queued.
        assert OutboxMessage.objects.count() == 0
        raise RuntimeError("the caller's transaction fails after the service")
    assert OutboxMessage.objects.count() == 0


def test_the_mail_is_queued_when_the_callers_transaction_commits(gold):
    with transaction.atomic():
        open_by_contact(gold)
        assert OutboxMessage.objects.count() == 0
    assert OutboxMessage.objects.count() == 1


# --------------------------------------------------------------------- mail-opened tickets


def test_a_ticket_opened_from_mail_answers_the_sender_and_threads_on_their_message(
    smtp: SmtpServer, gold
):
    # What mail intake passes when the mail opens the ticket (rmadesk.mail.inbound.answering).
    ticket = open_by_contact(
        gold,
        channel="email",
        requester="ann@acme.example",
        mail_thread_id="<abc.123@acme.example>",
    )
    deliver()
    [ack] = smtp.messages
    assert ack.rcpt_tos == ["ann@acme.example"]
    assert ack.message["In-Reply-To"] == "<abc.123@acme.example>"
    assert ack.message["References"] == "<abc.123@acme.example>"
    assert f"[#{ticket.number}]" in ack.subject


def test_later_mail_threads_on_the_inbound_message_that_opened_the_ticket(smtp: SmtpServer, gold):
    ticket = open_by_contact(
        gold,
        channel="email",
        requester="bob@acme.example",
        mail_thread_id="<first@acme.example>",
    )
    reply(actor=gold["agent"], ticket=ticket, body="Looking into it.", public=True)
    deliver()
    answer = smtp.messages[-1]
    assert answer.message["In-Reply-To"] == "<first@acme.example>"
    assert answer.rcpt_tos == ["bob@acme.example"]


# ------------------------------------------------------------------------------- RMAs


def test_R6_the_rma_and_label_mails_ask_for_the_media_and_say_no_liability(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    agent = gold["agent"]
    items = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]
    rma = open_rma(actor=agent, ticket=ticket, kind="repair", items=items)
    deliver()
    issued = " ".join(smtp.messages[-1].text().split())
    assert "you removed any removable media (USB drives, SD cards)" in issued
    assert "The vendor takes no liability for lost data or software" in issued
    confirm_rma(
        actor=agent,
        rma=rma,
        data_backed_up=True,
        original_packaging=True,
        insured=True,
        removable_media_removed=True,
    )
    issue_label(actor=agent, rma=rma)
    deliver()
    label = smtp.messages[-1]
    assert label.subject == f"[#{ticket.number}] Return label for RMA {rma.number}"
    assert "The vendor takes no liability for lost data or software" in " ".join(
        label.text().split()
    )


def test_N1_the_replacement_mail_says_the_promised_delivery(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    agent = gold["agent"]
    items = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]
    rma = open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=items)
    confirm_rma(
        actor=agent,
        rma=rma,
        data_backed_up=True,
        original_packaging=False,
        insured=False,
        removable_media_removed=True,
    )
    # Identified when the RMA was issued, Mon 2 Nov 2026 09:00 PST, before the noon cut-off:
    # ships that day, delivered the next business day, Tue 3 Nov (N1).
    ship_replacement(actor=agent, rma=rma, shipped_at=pacific(2026, 11, 2, 11, 0))
    deliver()
    shipped = smtp.messages[-1]
    assert shipped.subject == f"[#{ticket.number}] Replacement shipped for RMA {rma.number}"
    assert "It is promised for delivery on Tuesday 03 November 2026" in shipped.text()


def test_rma_issued_then_the_label_attached_when_it_is_issued(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    agent = gold["agent"]
    items = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]
    rma = open_rma(actor=agent, ticket=ticket, kind="repair", items=items)
    deliver()
    issued = smtp.messages[-1]
    assert issued.subject == f"[#{ticket.number}] RMA {rma.number} issued"
    assert "valid until Wed 02 Dec 2026 09:00 PST" in issued.text()  # R1: 30 days
    assert "your data is backed up" in issued.text()  # R6 still missing
    assert issued.attachments() == []
    confirm_rma(
        actor=gold["contact"],
        rma=rma,
        data_backed_up=True,
        original_packaging=True,
        insured=True,
        removable_media_removed=True,
    )
    issue_label(actor=agent, rma=rma)
    deliver()
    label = smtp.messages[-1]
    assert label.subject == f"[#{ticket.number}] Return label for RMA {rma.number}"
    [(filename, content)] = label.attachments()
    assert filename == f"rma-{rma.number}-label.pdf"
    assert content.startswith(b"%PDF")
    assert f"RMA {rma.number}" in pdf_text(content)  # R2: the number is on the label
    assert label.message["In-Reply-To"] == smtp.messages[0].message_id
    # The R6 confirmation itself mails nothing.
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [
        "ticket_opened",
        "rma_issued",
        "return_label",
    ]


# ---------------------------------------------------------------------------- invoices


def test_invoice_issued_and_late_fee_added_mail_the_customers_address(smtp: SmtpServer, gold):
    customer = gold["customer"]
    customer.payment_terms_days = 0
    customer.save()
    finance = user("finance")
    invoice = issue_invoice(
        actor=finance,
        customer=customer,
        kind="service",
        lines=[{"description": "On-site visit", "amount": Decimal("1000.00")}],
    )
    deliver()
    [mail] = smtp.messages
    assert mail.rcpt_tos == ["it@acme.example"]
    assert mail.subject == f"Invoice {invoice.number}"
    assert "On-site visit: 1,000.00 USD" in mail.text()
    assert "Due: 2026-11-02 (payment upfront)" in mail.text()  # F1
    # F2: two full months overdue on 2027-01-02 → 2 × 1.5% of 1000.00.
    assert accrue_late_fees(now=pacific(2027, 1, 2, 12, 0)) == 2
    deliver()
    fee = smtp.messages[-1]
    assert fee.subject == f"Late fee added to invoice {invoice.number}"
    assert "- 15.00 USD" in fee.text()
    assert "Balance now due: 1,030.00 USD" in fee.text()


# ------------------------------------------------------------------------ breach alerts


def test_a_breach_alerts_the_assignee_and_every_manager_not_the_customer(smtp: SmtpServer, gold):
    ticket = open_by_contact(gold)
    agent = gold["agent"]
    manager = user("manager")
    assign_ticket(actor=agent, ticket=ticket, assignee=agent)
    deliver()
    assert mark_breached_clocks(now=pacific(2026, 11, 2, 13, 1)) == 1
    assert deliver() == 1
    alert = smtp.messages[-1]
    assert sorted(alert.rcpt_tos) == sorted([agent.email, manager.email])
    assert alert.subject.startswith(f"[#{ticket.number}] BREACHED: first response")
    assert "was due Mon 02 Nov 2026 13:00 PST" in alert.text()
    assert alert.message["Auto-Submitted"] == "auto-generated"
    assert gold["contact"].email not in alert.rcpt_tos


def test_every_notification_verb_has_a_builder_the_docs_name():
    assert notification_verbs() == [
        "clock.breached",
        "invoice.issued",
        "invoice.late_fee_accrued",
        "rma.denied",
        "rma.label_expiring",
        "rma.label_issued",
        "rma.opened",
        "rma.part_not_returned",
        "rma.replacement_shipped",
        "ticket.closed",
        "ticket.opened",
        "ticket.rating_asked",
        "ticket.repair_quote_recorded",
        "ticket.replied",
        "ticket.severity_changed",
        "ticket.waiting_on_customer",
    ]
