"""Console → Sent mail: what the desk sent, newest first, readable without MIME; staff only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.core import clock
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.outbox import Draft, enqueue
from rmadesk.rmas.services import confirm_rma, issue_label, open_rma
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html, text_of

pytestmark = pytest.mark.django_db


def queue(n: int, *, ticket: int | None = None, attachments=(), minutes_ago: int = 0, **kw):
    with clock.frozen_at(NOW - dt.timedelta(minutes=minutes_ago)):
        row = enqueue(
            Draft(
                kind=kw.pop("kind", "agent_reply"),
                dedupe_key=f"test:{n}",
                to=[kw.pop("to", f"it{n}@customer.example")],
                subject=kw.pop("subject", f"Message {n}"),
                text_body=kw.pop("text_body", f"Hello {n}.\n\nThe desk."),
                ticket_number=ticket,
                attachments=list(attachments),
            )
        )
    assert row is not None
    return row


@pytest.fixture
def mails(desk):
    OutboxMessage.objects.all().delete()  # only the ones below, in a known order
    rma = open_rma(
        actor=desk.agent, ticket=desk.on_track, kind="repair",
        items=[{"part": "PSU", "serial": "P1", "unit_price": Decimal("99.00")}],
    )  # fmt: skip
    confirm_rma(actor=desk.agent, rma=rma, data_backed_up=True, original_packaging=True,
                insured=True, removable_media_removed=True)  # fmt: skip
    issue_label(actor=desk.agent, rma=rma)
    OutboxMessage.objects.all().delete()
    old = queue(
        1, ticket=desk.soon.number, minutes_ago=90, subject=f"[#{desk.soon.number}] We are on it"
    )
    OutboxMessage.objects.filter(pk=old.pk).update(
        status="sent", sent_at=NOW - dt.timedelta(minutes=89)
    )
    label = queue(
        2, ticket=rma.number, kind="rma_label_issued", minutes_ago=30,
        subject=f"[#{rma.number}] Your return label", text_body="Print the label attached.",
        attachments=[{"type": "rma_label", "rma": rma.number}],
    )  # fmt: skip
    failed = queue(3, minutes_ago=10, to="nobody@customer.example", subject="Bounced")
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status="failed", attempts=8, last_error="attempt 8: SMTPRecipientsRefused: 550 no such user"
    )
    return {"old": old, "label": label, "failed": failed, "rma": rma}


def rows(page: str) -> list[str]:
    table = page.split('id="sent-mail"')[1].split("</table>", maxsplit=1)[0]
    return [text_of(row).strip() for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)][1:]


@pytest.mark.parametrize("role", ["agent", "manager", "admin", "clerk", "finance"])
def test_every_staff_role_reads_sent_mail_newest_first(mails, desk, role):
    page = html(client_for(make_user(role)).get("/console/mail/sent/"))
    soon, rma = desk.soon.number, mails["rma"].number
    assert rows(page) == [
        "Wed 18 Nov 2026, 09:50 PST (-08:00) nobody@customer.example Bounced — failed",
        f"Wed 18 Nov 2026, 09:30 PST (-08:00) it2@customer.example [#{rma}] Your return label "
        f"#{rma} RMA {rma} queued",
        f"Wed 18 Nov 2026, 08:31 PST (-08:00) it1@customer.example [#{soon}] We are on it "
        f"#{soon} sent",
    ]
    assert f'href="/console/rmas/{rma}/"' in page and f'href="/console/tickets/{soon}/"' in page
    assert 'aria-current="page">Sent mail</a>' in page


def test_the_status_filter_shows_one_state(mails):
    page = html(client_for(make_user("agent")).get("/console/mail/sent/?status=failed"))
    assert [row.split(" ")[7] for row in rows(page)] == ["nobody@customer.example"]


def test_a_message_shows_its_text_and_attachment_names_never_its_mime(mails):
    client = client_for(make_user("agent"))
    label, rma = mails["label"], mails["rma"].number
    page = html(client.get(f"/console/mail/sent/{label.pk}/"))
    assert '<pre class="mail-body" id="message-body">Print the label attached.</pre>' in page
    assert text_of(page.split('id="message-attachments">')[1].split("</td>")[0]) == (
        f"rma-{rma}-label.pdf"
    )
    assert "Content-Type" not in page and "base64" not in page
    source = client.get(f"/console/mail/sent/{label.pk}/source")
    assert source["Content-Type"].startswith("text/plain")
    body = source.content.decode()
    assert f"Subject: [#{rma}] Your return label" in body
    assert f'filename="rma-{rma}-label.pdf"' in body and "application/pdf" in body


def test_a_failed_message_says_why(mails):
    page = html(client_for(make_user("manager")).get(f"/console/mail/sent/{mails['failed'].pk}/"))
    assert "Not delivered: attempt 8: SMTPRecipientsRefused: 550 no such user" in text_of(page)


def test_a_missing_message_is_404(mails):
    client = client_for(make_user("agent"))
    assert client.get("/console/mail/sent/999999/").status_code == 404
    assert client.get("/console/mail/sent/999999/source").status_code == 404


def test_the_list_costs_the_same_queries_for_3_or_60_messages(mails):
    client = client_for(make_user("agent"))
    client.get("/console/mail/sent/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/console/mail/sent/")
    for n in range(60):
        queue(
            100 + n,
            ticket=mails["rma"].number,
            attachments=[{"type": "invoice", "invoice": f"INV-{n}"}],
        )
    with CaptureQueriesContext(connection) as many:
        page = html(client.get("/console/mail/sent/"))
    assert len(many) == len(few)
    assert "Page 1 of 2" in page
