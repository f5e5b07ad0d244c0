"""Inbound mail: a known contact's mail opens a ticket, replies thread, machines are ignored.

Exact outcomes for each rule of `rmadesk.mail.inbound` (see its docstring): tickets, threading
by headers then by `[#number]` (never by subject text alone), idempotency, auto-replies, held
mail (linking it: test_held.py), severity from the subject (L2, L3), attachments and their limits.
"""

from __future__ import annotations

from typing import Any

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.mail import inbound as service
from rmadesk.mail.held import held_messages
from rmadesk.mail.inbound import ingest, ingest_message
from rmadesk.mail.models import InboundMessage, MailAttachment, OutboxMessage
from rmadesk.tickets.attachments import open_attachment
from rmadesk.tickets.models import Attachment, Message, ServiceClock, Ticket
from rmadesk.tickets.services import close_ticket, reply, wait_on_customer
from tests.mail.inbound.builders import (
    ACME_ADDRESS,
    BOB,
    GLOBEX_CONTACT,
    GLOBEX_SERIAL,
    JANE,
    NOW,
    SECOND_SERIAL,
    SERIAL,
    STRANGER,
    eml,
    pacific,
)
from tests.tickets.factories import asset_on_plan, user

pytestmark = pytest.mark.django_db


def only_ticket() -> Ticket:
    return Ticket.objects.get()


# --------------------------------------------------------------------------- new tickets


def test_a_contacts_mail_naming_a_serial_opens_an_email_ticket_at_s3(world):
    inbound = ingest_message(eml())
    ticket = only_ticket()
    assert inbound.status == "ticket_opened"
    assert inbound.ticket == ticket and inbound.customer == world.acme
    assert (ticket.number, ticket.channel, ticket.severity, ticket.asset) == (
        100001,
        "email",
        "S3",
        world.asset,
    )
    assert ticket.subject == f"Pool degraded on {SERIAL}"
    assert ticket.opened_at == NOW
    first = Message.objects.get(ticket=ticket)
    assert inbound.ticket_message == first
    assert first.kind == "customer" and first.is_public
    # Jane has no login: the customer's intake user writes for her, and the text says who.
    assert first.body == (
        f"Email from Jane Roe <{JANE}>:\n\n"
        "One disk of the pool shows read errors since this morning."
    )
    assert first.author.username == f"email-intake-{world.acme.pk}@rmadesk.invalid"
    assert not first.author.is_active and not first.author.has_usable_password()
    clock = ServiceClock.objects.get(ticket=ticket, kind="first_response")
    assert clock.due_at == pacific(2026, 11, 18, 18, 0)  # gold S3: 8 business hours (L3)
    assert inbound.reason == (
        f"serial {SERIAL} named in the message; severity S3: no severity in the subject: "
        "S3 by default"
    )
    assert AuditEvent.objects.filter(verb="mail.received", subject_id=str(inbound.pk)).exists()


def test_the_sender_is_acknowledged_with_the_ticket_number_threaded_on_their_mail(world):
    ingest_message(eml())
    ack = OutboxMessage.objects.get(ticket_number=100001)
    assert ack.to == [JANE]
    assert "[#100001]" in ack.subject
    assert ack.headers.get("In-Reply-To") == "<m1@acme.example>"


def test_a_contact_with_a_login_writes_as_themselves(world):
    ingest_message(eml(sender=f"Bob Smith <{BOB}>"))
    first = Message.objects.get(ticket=only_ticket())
    assert first.author == world.bob
    assert first.body == "One disk of the pool shows read errors since this morning."
    assert only_ticket().opened_by == world.bob


@pytest.mark.parametrize(
    "sender", ["JANE.ROE@ACME.EXAMPLE", f"<{ACME_ADDRESS}>", "Bob@Acme.Example"]
)
def test_senders_are_matched_case_insensitively_on_contacts_accounts_and_the_customer(
    world, sender
):
    assert ingest_message(eml(sender=sender)).status == "ticket_opened"
    assert only_ticket().customer == world.acme


def test_the_first_serial_of_the_senders_customer_wins_and_others_serials_are_ignored(world):
    body = f"Globex's {GLOBEX_SERIAL} is fine; our {SECOND_SERIAL.lower()} and {SERIAL} are not."
    ingest_message(eml(subject="Two boxes failing", body=body))
    assert only_ticket().asset == world.second_asset


@pytest.mark.parametrize(
    ("subject", "severity"),
    [
        (f"S1 {SERIAL} pool offline", "S1"),
        (f"[Sev 2] {SERIAL} slow", "S2"),
        (f"Severity: 4 - licence question {SERIAL}", "S4"),
        (f"URGENT production down {SERIAL}", "S1"),
        (f"Data loss on {SERIAL}", "S1"),
        (f"Question about {SERIAL}", "S3"),
    ],
)
def test_l2_the_severity_comes_from_the_subject_else_s3(world, subject, severity):
    ingest_message(eml(subject=subject))
    assert only_ticket().severity == severity


def test_l3_a_severity_the_plan_refuses_falls_back_to_the_next_lower_one(world):
    asset = asset_on_plan("truecommand", serial="TC-ACME-1", customer=world.acme)
    inbound = ingest_message(eml(subject=f"S1 {asset.serial} dashboard down"))
    assert (inbound.status, only_ticket().severity) == ("ticket_opened", "S2")
    assert inbound.reason == (
        "serial TC-ACME-1 named in the message; severity S2: the subject names 'S1' "
        "(S1 refused: TrueCommand (licensed, with support) S1 cannot be opened: S1 is not "
        "applicable to TrueCommand; open an S2 for a production problem (rule L3))"
    )


def test_l1_no_contract_in_force_holds_the_mail_with_the_rule(world):
    world.acme.contracts.all().delete()
    inbound = ingest_message(eml())
    assert inbound.status == "held_refused"
    assert inbound.reason == (
        f"a new ticket on serial {SERIAL} was refused: Acme Storage has no support contract in "
        "force on 2026-11-18: a ticket needs a plan (rule L1)"
    )
    assert not Ticket.objects.exists()


def test_a_known_sender_without_a_serial_of_theirs_is_held_for_an_agent(world):
    inbound = ingest_message(eml(subject="Help!", body=f"Our {GLOBEX_SERIAL} died."))
    assert inbound.status == "held_no_serial"
    assert inbound.customer == world.acme
    assert inbound.reason == (
        "no serial number of Acme Storage found in the message: link it to a serial"
    )
    assert not Ticket.objects.exists()


def test_an_unknown_sender_is_held_never_dropped(world):
    inbound = ingest_message(eml(sender=f"Someone <{STRANGER}>"))
    assert inbound.status == "held_unknown_sender"
    assert inbound.reason == (
        f"{STRANGER} is not a contact of any customer: link it to a customer and serial"
    )
    assert inbound.text == "One disk of the pool shows read errors since this morning."
    assert bytes(inbound.raw) == eml(sender=f"Someone <{STRANGER}>")
    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()  # no mail back to a stranger (no backscatter)
    assert list(held_messages(user("agent"))) == [inbound]


# ------------------------------------------------------------------------------ threading


@pytest.fixture
def opened(world) -> Ticket:
    ingest_message(eml())
    return only_ticket()


def test_a_reply_threads_by_in_reply_to_on_the_customers_mail(opened):
    inbound = ingest_message(
        eml(
            subject="Re: something else entirely",
            body="Here are the logs.",
            message_id="<m2@acme.example>",
            headers={"In-Reply-To": "<m1@acme.example>"},
        )
    )
    assert (inbound.status, inbound.ticket) == ("threaded", opened)
    assert inbound.reason == f"answers a message of ticket {opened.number}"
    latest = Message.objects.filter(ticket=opened).last()
    assert latest == inbound.ticket_message
    assert latest.kind == "customer"
    assert latest.body.endswith("Here are the logs.")
    assert Ticket.objects.count() == 1


def test_a_reply_threads_by_references_on_our_notification(opened):
    ours = OutboxMessage.objects.get(ticket_number=opened.number).message_id
    assert ours.startswith("<rmadesk.")
    inbound = ingest_message(
        eml(
            subject="Re: your ticket",
            message_id="<m3@acme.example>",
            headers={"References": f"<unrelated@elsewhere> {ours}"},
        )
    )
    assert (inbound.status, inbound.ticket) == ("threaded", opened)


def test_a_reply_threads_by_the_ticket_number_in_the_subject(opened):
    inbound = ingest_message(
        eml(subject=f"Re: [#{opened.number}] Pool", body="Still broken.", message_id="<m4@a>")
    )
    assert (inbound.status, inbound.ticket) == ("threaded", opened)
    assert inbound.reason == f"the subject names ticket [#{opened.number}] of the sender's customer"


def test_p3_a_ticket_number_of_another_customer_does_not_thread(world, opened):
    inbound = ingest_message(
        eml(
            sender=GLOBEX_CONTACT,
            subject=f"Re: [#{opened.number}]",
            body="no serial here",
            message_id="<g1@globex.example>",
        )
    )
    assert inbound.status == "held_no_serial"
    assert Message.objects.filter(ticket=opened).count() == 1


def test_subject_text_alone_never_threads(opened):
    inbound = ingest_message(
        eml(subject=f"Re: Pool degraded on {SERIAL}", body="Same again", message_id="<m5@a>")
    )
    assert inbound.status == "ticket_opened"  # a new ticket, not a reply to the first
    assert Ticket.objects.count() == 2


def test_a_stranger_answering_a_ticket_is_held_with_the_ticket_named(opened):
    inbound = ingest_message(
        eml(
            sender=STRANGER,
            subject="Re: your ticket",
            message_id="<s1@example.net>",
            headers={"In-Reply-To": "<m1@acme.example>"},
        )
    )
    assert inbound.status == "held_unknown_sender"
    assert inbound.ticket_hint == opened.number
    assert Message.objects.filter(ticket=opened).count() == 1


def test_l5_the_customers_reply_resumes_a_ticket_waiting_on_them(opened):
    agent = user("agent")
    reply(actor=agent, ticket=opened, body="Please send the debug file.", public=True)
    wait_on_customer(actor=agent, ticket=opened)
    ingest_message(eml(subject=f"Re: [#{opened.number}]", body="Attached.", message_id="<m6@a>"))
    opened.refresh_from_db()
    assert opened.status == "open"
    assert ServiceClock.objects.get(ticket=opened, kind="next_update").state == "running"


def test_a_reply_to_a_closed_ticket_is_held_with_the_services_reason(opened):
    close_ticket(actor=user("agent"), ticket=opened, reason="fixed")
    inbound = ingest_message(
        eml(subject=f"Re: [#{opened.number}]", body="Broken again", message_id="<m7@a>")
    )
    assert inbound.status == "held_refused"
    assert inbound.reason == (
        f"a reply to ticket {opened.number} was refused: ticket {opened.number} is closed "
        "(resolved)"
    )
    assert inbound.ticket_hint == opened.number


# ---------------------------------------------------------------------- machines and loops


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, JANE, "Auto-Submitted: auto-replied"),
        (
            {"Auto-Submitted": "auto-generated; type=vacation"},
            JANE,
            "Auto-Submitted: auto-generated",
        ),
        ({"Precedence": "bulk"}, JANE, "Precedence: bulk"),
        ({"Precedence": "Junk"}, JANE, "Precedence: junk"),
        ({"Precedence": "list"}, JANE, "Precedence: list"),
        ({"X-Autoreply": "yes"}, JANE, "x-autoreply header present"),
        ({"X-Autorespond": "Out of office"}, JANE, "x-autorespond header present"),
        ({}, "MAILER-DAEMON@mx.acme.example", "sent by mailer-daemon@mx.acme.example"),
        ({}, "postmaster@acme.example", "sent by postmaster@acme.example"),
        ({}, "support@rmadesk.example", "sent from rmadesk's own address"),
        # Exchange's out-of-office reply: a null return path and no marking header at all.
        ({"Return-Path": "<>"}, JANE, "null return path <>: a bounce or an automatic reply"),
        # iCloud's vacation reply marks itself only with X-Apple-Action.
        ({"X-Apple-Action": "vacation"}, JANE, "x-apple-action header present"),
        ({}, "no-reply@notifications.acme.example", "sent by no-reply@notifications.acme"),
        ({}, "noreply@acme.example", "sent by noreply@acme.example"),
        ({}, "do_not_reply@acme.example", "sent by do_not_reply@acme.example"),
        ({}, "bounces+12345@lists.acme.example", "sent by bounces+12345@lists.acme.example"),
    ],
)
def test_auto_replies_bounces_and_loops_make_no_ticket_and_no_reply(
    opened, headers, sender, reason
):
    inbound = ingest_message(
        eml(
            sender=sender,
            subject=f"Re: [#{opened.number}] Out of office",
            message_id="<auto@acme.example>",
            headers={"In-Reply-To": "<m1@acme.example>", **headers},
        )
    )
    assert inbound.status == "ignored_auto"
    assert inbound.reason.startswith(reason)
    assert inbound.ticket is None
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(ticket=opened).count() == 1
    assert OutboxMessage.objects.count() == 1  # only the first acknowledgement


def test_our_own_message_id_coming_back_is_a_loop(world):
    inbound = ingest_message(eml(message_id="<rmadesk.0f1e2d@rmadesk.example>"))
    assert inbound.status == "ignored_auto"
    assert "mail loop" in inbound.reason
    assert not Ticket.objects.exists()


def test_auto_submitted_no_is_a_person(world):
    assert ingest_message(eml(headers={"Auto-Submitted": "no"})).status == "ticket_opened"


def test_a_delivery_status_report_is_a_bounce(world):
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
        b"To: support@rmadesk.example\nSubject: Undelivered Mail Returned to Sender\n"
        b"Message-ID: <bounce1@mx.example.net>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nThe mail to jane could not be delivered.\n"
        b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        b"Final-Recipient: rfc822; jane@acme.example\nAction: failed\nStatus: 5.1.1\n"
        b"--B--\n"
    )
    inbound = ingest_message(raw)
    assert inbound.status == "ignored_auto"
    assert inbound.reason == "a delivery or read report (multipart/report)"
    assert "could not be delivered" in inbound.text


# ---------------------------------------------------------------------------- idempotency


def test_the_same_message_twice_makes_one_ticket(world):
    first = ingest(eml())
    again = ingest(eml())
    assert (first.created, again.created) == (True, False)
    assert again.inbound.pk == first.inbound.pk
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert InboundMessage.objects.get().deliveries == 2
    assert OutboxMessage.objects.count() == 1


def test_the_same_message_id_through_another_relay_is_the_same_message(world):
    ingest_message(eml())
    relayed = b"Received: from relay2.example by mx.example; Wed, 18 Nov 2026 18:00:05 +0000\n"
    again = ingest(relayed + eml())
    assert not again.created
    assert Ticket.objects.count() == 1


def test_without_a_message_id_the_content_hash_decides(world):
    one = ingest(eml(message_id=None))
    same = ingest(eml(message_id=None))
    other = ingest(eml(message_id=None, body=f"A different problem with {SERIAL}."))
    assert (one.created, same.created, other.created) == (True, False, True)
    assert one.inbound.message_id is None
    assert same.inbound.pk == one.inbound.pk
    assert Ticket.objects.count() == 2


def test_the_same_reply_twice_adds_one_message(opened):
    raw = eml(subject=f"Re: [#{opened.number}]", body="Logs attached", message_id="<r@a>")
    ingest_message(raw)
    ingest_message(raw)
    assert Message.objects.filter(ticket=opened).count() == 2


def test_a_duplicate_inserted_concurrently_returns_the_winners_row(world, monkeypatch):
    """The race: another delivery commits between our look-up and our insert."""
    winner = ingest_message(eml())
    monkeypatch.setattr(service, "_existing", _missing_once(service._existing))
    again = ingest(eml())
    assert not again.created
    assert again.inbound.pk == winner.pk
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def _missing_once(real: Any) -> Any:
    calls = {"n": 0}

    def lookup(message_id: str | None, digest: str) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(message_id, digest)

    return lookup


# ---------------------------------------------------------------------------- attachments


def _with_attachments(*files: tuple[str, str, bytes]) -> bytes:
    import base64

    parts = [
        f"--XYZ\nContent-Type: text/plain; charset=utf-8\n\nDebug files for {SERIAL} attached.\n"
    ]
    for name, ctype, data in files:
        encoded = base64.encodebytes(data).decode("ascii")
        parts.append(
            f"--XYZ\nContent-Type: {ctype}\nContent-Disposition: attachment; "
            f'filename="{name}"\nContent-Transfer-Encoding: base64\n\n{encoded}'
        )
    head = (
        f"From: Jane Roe <{JANE}>\nTo: support@rmadesk.example\nSubject: Debug for {SERIAL}\n"
        "Message-ID: <att@acme.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\n\n'
    )
    return (head + "".join(parts) + "--XYZ--\n").encode("ascii")


def test_attachments_are_stored_and_shown_on_the_ticket(world, settings, tmp_path):
    pdf = b"%PDF-1.4 debug report\n" * 100
    inbound = ingest_message(_with_attachments(("debug.pdf", "application/pdf", pdf)))
    stored = MailAttachment.objects.get(inbound=inbound)
    assert (stored.filename, stored.content_type, stored.size) == (
        "debug.pdf",
        "application/pdf",
        len(pdf),
    )
    assert (tmp_path / "attachments" / stored.path).read_bytes() == pdf
    assert stored.path == f"sha256/{stored.sha256[:2]}/{stored.sha256}"
    on_ticket = Attachment.objects.get(ticket=inbound.ticket)
    assert (on_ticket.path, on_ticket.sha256) == (stored.path, stored.sha256)
    assert (on_ticket.name, on_ticket.content_type) == ("debug.pdf", "application/pdf")
    assert on_ticket.message == inbound.ticket_message
    with open_attachment(on_ticket) as handle:
        assert handle.read() == pdf
    [event] = AuditEvent.objects.filter(verb="ticket.attachment_added")
    assert event.ticket_number == inbound.ticket.number
    assert event.changes["via"] == "email" and event.changes["attachment"] == on_ticket.pk
    # A kept file is the message's attachment, not a line of its text.
    assert "debug.pdf" not in inbound.ticket_message.body
    assert inbound.ticket_message.body == (
        f"Email from Jane Roe <{JANE}>:\n\nDebug files for {SERIAL} attached."
    )


def test_an_oversize_attachment_is_dropped_with_a_note_on_the_ticket(world, settings):
    settings.RMADESK_MAIL_MAX_ATTACHMENT_BYTES = 1000
    inbound = ingest_message(
        _with_attachments(
            ("small.txt", "text/plain", b"ok"), ("big.log", "application/x", b"x" * 5000)
        )
    )
    big = MailAttachment.objects.get(filename="big.log")
    assert (big.path, big.size) == ("", 5000)
    assert big.dropped_reason == "not kept: over the 1000 bytes limit for one attachment"
    assert inbound.ticket_message.body.endswith(
        "Files in this email that were not attached (the original email keeps them):\n"
        "- big.log (application/x, 5 KB): not kept: over the 1000 bytes limit for one attachment"
    )
    assert "small.txt" not in inbound.ticket_message.body
    assert Attachment.objects.filter(ticket=inbound.ticket).count() == 1


def test_a_mailed_file_is_judged_by_the_rule_of_every_door(world, tmp_path):
    """The name's allowed ending and the content decide, whatever type the mail declares; a
    refused file is not kept and the message says why."""
    exe = b"MZ\x90\x00" + b"\x00" * 200
    inbound = ingest_message(
        _with_attachments(
            ("zpool.log", "text/x-log", b"pool: tank\n"),
            ("bundle.tgz", "application/x-compressed-tar", b"\x1f\x8b\x08\x00" + b"x" * 40),
            ("setup.log", "text/plain", exe),
            ("invite.html", "text/html", b"<script>alert(1)</script>"),
        )
    )
    assert inbound.status == "ticket_opened"
    kept = Attachment.objects.filter(ticket=inbound.ticket).order_by("id")
    assert [(a.name, a.content_type, a.message_id) for a in kept] == [
        ("zpool.log", "text/plain", inbound.ticket_message_id),
        ("bundle.tgz", "application/gzip", inbound.ticket_message_id),
    ]
    refused = {m.filename: m for m in MailAttachment.objects.filter(inbound=inbound, path="")}
    assert refused["setup.log"].dropped_reason == (
        "not kept: the content is not UTF-8 text without NUL bytes as its name (.log) says."
    )
    assert refused["invite.html"].dropped_reason.startswith(
        "not kept: files ending in .html are not accepted; attach one of .cfg, .conf, .csv,"
    )
    body = inbound.ticket_message.body
    assert body.endswith(
        "Files in this email that were not attached (the original email keeps them):\n"
        "- setup.log (text/plain, 204 bytes): not kept: the content is not UTF-8 text without "
        "NUL bytes as its name (.log) says.\n"
        f"- invite.html (text/html, 25 bytes): {refused['invite.html'].dropped_reason}"
    )
    assert "zpool.log" not in body and "bundle.tgz" not in body


def test_a_huge_attachment_over_25_mb_is_dropped_and_the_ticket_still_opens(world, tmp_path):
    huge = bytes(range(256)) * (26 * 1024 * 4)  # 26 MiB
    inbound = ingest_message(_with_attachments(("disk.img", "application/octet-stream", huge)))
    assert inbound.status == "ticket_opened"
    dropped = MailAttachment.objects.get(inbound=inbound)
    assert dropped.size == 26 * 1024 * 1024
    assert dropped.dropped_reason == "not kept: over the 25.0 MB limit for one attachment"
    assert not any(p.is_file() for p in (tmp_path / "attachments").rglob("*"))


def test_a_message_over_the_size_limit_is_rejected_keeping_its_head(world, settings):
    settings.RMADESK_MAIL_MAX_MESSAGE_BYTES = 2000
    raw = eml(body="x" * 5000)
    inbound = ingest_message(raw)
    assert inbound.status == "rejected"
    assert inbound.reason.startswith("the message is 5 KB, over the 2 KB limit")
    assert inbound.raw_size == len(raw)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the message is empty"),
        (b"\n\n  \n", "the message is empty"),
        (b"%PDF-1.4\n\x00\x01\x02 binary junk", "not an RFC 5322 message: no header fields"),
    ],
)
def test_what_is_not_a_mail_is_rejected_and_kept(world, raw, reason):
    inbound = ingest_message(raw)
    assert (inbound.status, inbound.reason) == ("rejected", reason)
    assert bytes(inbound.raw) == raw


def test_html_mail_is_sanitised_and_read_as_text(world):
    html = (
        "<html><head><script>steal()</script></head><body onload='x()'>"
        f"<p>Controller of <b>{SERIAL}</b> rebooted.</p>"
        "<iframe src='https://evil.example'></iframe>"
        "<a href='javascript:alert(1)' onclick='y()'>click</a></body></html>"
    )
    inbound = ingest_message(eml(body=html, content_type="text/html; charset=utf-8"))
    assert inbound.status == "ticket_opened"
    assert inbound.text == f"Controller of {SERIAL} rebooted.\nclick"
    for bad in ("<script", "steal", "<iframe", "onload", "onclick", "javascript:"):
        assert bad not in inbound.html_sanitised
    assert f"<b>{SERIAL}</b>" in inbound.html_sanitised
