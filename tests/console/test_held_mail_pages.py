"""The console's Held mail pages: the list, one email with its link form, link and discard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models import InboundMessage
from rmadesk.tickets.models import Attachment, Ticket
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.RMADESK_DATA_DIR = tmp_path
    settings.DEFAULT_FROM_EMAIL = "support@rmadesk.example"


def mail(n: int = 1, *, sender: str = "Sam Stranger <sam@example.net>", body: str = "") -> bytes:
    text = body or f"Our pool {n} went degraded overnight & the box beeps."
    return (
        f"From: {sender}\nTo: support@rmadesk.example\nSubject: Pool degraded {n}\n"
        f"Message-ID: <held{n}@example.net>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        f"--B\nContent-Type: text/plain\n\n{text}\n"
        "--B\nContent-Type: text/plain\nContent-Disposition: attachment; "
        'filename="zpool.log"\n\npool: tank DEGRADED\n--B--\n'
    ).encode()


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in
            re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]  # fmt: skip


def test_the_list_shows_sender_subject_why_when_preview_and_files(desk):
    held = ingest_message(mail())
    response = client_for(desk.agent).get("/console/mail/held/")
    assert response.status_code == 200
    page = html(response)
    assert "1 email waits for an agent, newest first" in page
    assert rows_of(page) == [
        "Wed 18 Nov 2026, 10:00 PST (-08:00) Sam Stranger sam@example.net Pool degraded 1 "
        "Unknown sender Our pool 1 went degraded overnight &amp; the box beeps. Files: zpool.log"
    ]
    assert f'<a href="/console/mail/held/{held.pk}/">Pool degraded 1</a>' in page
    # the nav link is the current page; it loads the count of held mail when the page opens
    assert (
        '<a href="/console/mail/held/" aria-current="page">Held mail<span '
        'hx-get="/console/mail/held/count" hx-trigger="load, every 60s" hx-swap="innerHTML">'
        "</span></a>"
    ) in page
    count = client_for(desk.agent).get("/console/mail/held/count")
    assert html(count).strip() == (
        '<span class="badge S4">1</span><span class="visually-hidden"> waiting</span>'
    )


def test_the_list_is_newest_first_and_says_so_when_empty(desk):
    client = client_for(desk.agent)
    assert "No held mail: every email found its customer." in html(
        client.get("/console/mail/held/")
    )
    for n in (1, 2, 3):
        with clock.frozen_at(NOW + dt.timedelta(minutes=n)):
            ingest_message(mail(n))
    subjects = re.findall(r">Pool degraded (\d)</a>", html(client.get("/console/mail/held/")))
    assert subjects == ["3", "2", "1"]


def test_the_list_runs_a_fixed_number_of_queries(desk):
    client = client_for(desk.agent)
    for n in range(3):
        ingest_message(mail(n))
    with CaptureQueriesContext(connection) as few:
        client.get("/console/mail/held/")
    for n in range(3, 20):
        ingest_message(mail(n))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/console/mail/held/")
    assert html(response).count('<a href="/console/mail/held/') == 20 + 1  # rows + the nav link
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_one_email_shows_its_text_files_and_the_link_form(desk):
    held = ingest_message(mail(body="Line one\nLine <two>"))
    page = html(client_for(desk.agent).get(f"/console/mail/held/{held.pk}/"))
    assert "<h1>Pool degraded 1</h1>" in page
    assert "<p><strong>Unknown sender</strong></p>" in page
    assert '<div class="mail-text">Line one<br>Line &lt;two&gt;</div>' in page
    assert 'zpool.log <span class="muted">(text/plain, 19\xa0bytes)</span>' in page
    assert f'<option value="{desk.customer.pk}">Acme Storage</option>' in page
    assert '<option value="">as the subject asks: S3</option>' in page
    assert "Remember sam@example.net: their next email goes straight" in page
    assert ">Link</button>" in page and ">Discard as spam</button>" in page


def test_choosing_a_customer_offers_its_serials(desk):
    held = ingest_message(mail())
    client = client_for(desk.agent)
    response = client.get(
        f"/console/mail/held/{held.pk}/",
        {"customer": desk.customer.pk},
        headers={"HX-Request": "true"},
    )
    assert html(response).strip() == (
        '<datalist id="held-serials"><option value="ACME-0001"></option></datalist>'
    )
    for nonsense in ("x", "9" * 30, "0"):
        empty = client.get(
            f"/console/mail/held/{held.pk}/", {"customer": nonsense}, headers={"HX-Request": "true"}
        )
        assert html(empty).strip() == '<datalist id="held-serials"></datalist>'
    assert client.get(f"/console/mail/held/{held.pk}/", {"customer": "9" * 30}).status_code == 200


def test_linking_opens_the_ticket_and_lands_on_it(desk):
    held = ingest_message(mail())
    client = client_for(desk.agent)
    response = client.post(
        f"/console/mail/held/{held.pk}/link",
        {"customer": str(desk.customer.pk), "serial": "ACME-0001", "remember_sender": "on"},
    )
    ticket = Ticket.objects.get(subject="Pool degraded 1")
    assert response.status_code == 302
    assert response["Location"] == f"/console/tickets/{ticket.number}/"
    page = html(client.get(response["Location"]))
    assert f"The email opened ticket {ticket.number}." in page
    assert "Our pool 1 went degraded overnight &amp; the box beeps." in page
    assert "zpool.log" in page
    assert (ticket.customer, ticket.asset.serial) == (desk.customer, "ACME-0001")
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert Contact.objects.filter(customer=desk.customer, email="sam@example.net").exists()
    # afterwards the email's page says who linked it, and offers no form
    after = html(client.get(f"/console/mail/held/{held.pk}/"))
    assert (
        f"Linked by {desk.agent.email} on Wed 18 Nov 2026, 10:00 PST (-08:00) to "
        f'<a href="/console/tickets/{ticket.number}/">ticket #{ticket.number}</a>.'
    ) in after
    assert ">Link</button>" not in after


def test_linking_onto_a_ticket_number_adds_the_customers_reply(desk):
    held = ingest_message(mail())
    response = client_for(desk.agent).post(
        f"/console/mail/held/{held.pk}/link",
        {"customer": str(desk.customer.pk), "ticket": f"#{desk.on_track.number}"},
    )
    assert response["Location"] == f"/console/tickets/{desk.on_track.number}/"
    [reply] = desk.on_track.messages.filter(kind="customer")
    assert reply.body.startswith("Email from Sam Stranger <sam@example.net>:\n\nOur pool 1")


def test_a_held_reply_says_which_ticket_it_answers_and_goes_there_by_default(desk):
    answered = desk.on_track.mail_thread_id
    held = ingest_message(
        mail().replace(b"MIME-Version", f"In-Reply-To: {answered}\nMIME-Version".encode())
    )
    assert held.ticket_hint == desk.on_track.number
    client = client_for(desk.agent)
    page = html(client.get(f"/console/mail/held/{held.pk}/"))
    assert (
        f"This email answers ticket #{desk.on_track.number}: with no serial and no ticket "
        "number, it is added there."
    ) in page
    assert 'name="ticket" inputmode="numeric" value=""' in page
    response = client.post(
        f"/console/mail/held/{held.pk}/link", {"customer": str(desk.customer.pk)}
    )
    assert response["Location"] == f"/console/tickets/{desk.on_track.number}/"


def test_a_refused_link_stays_on_the_page_with_the_message_and_the_input(desk):
    held = ingest_message(mail())
    response = client_for(desk.agent).post(
        f"/console/mail/held/{held.pk}/link",
        {"customer": str(desk.customer.pk), "serial": "NOPE-9", "remember_sender": "on"},
    )
    assert response.status_code == 400
    page = html(response)
    assert "<strong>Refused (link):</strong> no asset with serial &#x27;NOPE-9&#x27;" in page
    assert 'name="serial" list="held-serials" value="NOPE-9"' in page
    assert 'name="remember_sender" value="on" checked' in page
    assert f'<option value="{desk.customer.pk}" selected>Acme Storage</option>' in page
    bad_number = client_for(desk.agent).post(
        f"/console/mail/held/{held.pk}/link", {"customer": "abc", "serial": "ACME-0001"}
    )
    assert bad_number.status_code == 400
    assert "abc is not a number" in html(bad_number)
    held.refresh_from_db()
    assert (
        held.status == "held_unknown_sender"
        and not Contact.objects.filter(email="sam@example.net").exists()
    )


def test_a_second_agent_linking_the_same_email_gets_409_naming_who_did(desk):
    held = ingest_message(mail())
    data = {"customer": str(desk.customer.pk), "serial": "ACME-0001"}
    client_for(desk.agent).post(f"/console/mail/held/{held.pk}/link", data)
    ticket = Ticket.objects.get(subject="Pool degraded 1")
    late = client_for(make_user("agent")).post(f"/console/mail/held/{held.pk}/link", data)
    assert late.status_code == 409
    assert f"this email was already linked to ticket {ticket.number} by {desk.agent.email}" in html(
        late
    )
    assert AuditEvent.objects.filter(verb="mail.linked").count() == 1


def test_discarding_goes_back_to_the_list(desk):
    held = ingest_message(mail())
    client = client_for(desk.agent)
    response = client.post(f"/console/mail/held/{held.pk}/discard", {"note": "phishing"})
    assert (response.status_code, response["Location"]) == (302, "/console/mail/held/")
    page = html(client.get("/console/mail/held/"))
    assert "The email from sam@example.net was discarded as spam." in page
    assert "No held mail" in page
    assert InboundMessage.objects.get().status == "discarded_spam"
    kept = html(client.get(f"/console/mail/held/{held.pk}/"))
    assert (
        f"Discarded as spam by {desk.agent.email} on Wed 18 Nov 2026, 10:00 PST (-08:00). "
        "The email is kept for the record."
    ) in kept


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_clerks_and_finance_get_403_and_no_nav_link(desk, role):
    held = ingest_message(mail())
    client = client_for(make_user(role))
    for response in (
        client.get("/console/mail/held/"),
        client.get(f"/console/mail/held/{held.pk}/"),
        client.post(f"/console/mail/held/{held.pk}/discard"),
        client.post(
            f"/console/mail/held/{held.pk}/link",
            {"customer": str(desk.customer.pk), "serial": "ACME-0001"},
        ),
    ):
        assert response.status_code == 403
        assert "needs the role agent or manager" in html(response)
        assert "/console/mail/held/" not in html(response).split("<main", 1)[0]
    assert html(client.get("/console/mail/held/count")).strip() == ""
    assert InboundMessage.objects.get().status == "held_unknown_sender"


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_nav_link(desk, role):
    ingest_message(mail())
    client = client_for(make_user(role))
    assert '<a href="/console/mail/held/">Held mail<span' in html(client.get("/console/queue/"))
    assert '<span class="badge S4">1</span>' in html(client.get("/console/mail/held/count"))


def test_a_missing_or_placed_email_is_404(desk):
    # the customer's own address naming its serial: intake opens a ticket, nothing is held
    placed = ingest_message(mail(sender=desk.customer.email, body="ACME-0001 is degraded."))
    assert placed.status == "ticket_opened"
    client = client_for(desk.agent)
    assert client.get(f"/console/mail/held/{placed.pk}/").status_code == 404
    assert client.get(f"/console/mail/held/{placed.pk + 100}/").status_code == 404
    assert client.post(f"/console/mail/held/{placed.pk + 100}/discard").status_code == 404
