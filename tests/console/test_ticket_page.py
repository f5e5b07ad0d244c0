"""A ticket in the console: thread, clocks with their explanation (T8), and every action as a
small form calling one ticket or RMA service; refusals shown with their rule and status."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from rmadesk.core.models import AuditEvent
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import open_rma
from rmadesk.tickets.models import Attachment, Message, ServiceClock, Ticket
from rmadesk.tickets.services import create_canned_reply, open_ticket
from tests.billing.factories import invoice
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html, text_of
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def test_ticket_page_shows_thread_clocks_with_their_explanation_and_countdown(desk):
    response = client_for(desk.agent).get(f"/console/tickets/{desk.on_track.number}/")
    assert response.status_code == 200
    page = html(response)
    assert f"#{desk.on_track.number} Slow replication" in page
    assert "Replication lags." in page  # the first message
    clock = ServiceClock.objects.get(ticket=desk.on_track, kind="first_response")
    assert clock.explanation  # T8: the policy core's sentences, stored with the clock
    for line in clock.explanation:
        assert escape(line) in page
    assert 'Due <span class="due">Wed 18 Nov 2026, 13:00 PST (-08:00)</span>' in page
    assert '<time datetime="2026-11-18T21:00:00+00:00" data-countdown' in page
    assert "Target: 4 business hours" in page
    assert "<strong>Ticket opened</strong>" in page  # the history, in plain words
    assert "<code>ticket.opened</code>" in page  # its raw key behind "details"
    for action in ("severity", "wait", "assign", "close", "reply", "call", "rma"):
        assert f'action="/console/tickets/{desk.on_track.number}/{action}"' in page


def test_internal_notes_are_marked_in_the_thread(desk):
    client = client_for(desk.agent)
    client.post(
        f"/console/tickets/{desk.on_track.number}/reply",
        {"body": "Customer seems upset.", "visibility": "internal"},
    )
    page = html(client.get(f"/console/tickets/{desk.on_track.number}/"))
    assert '<article class="message note">' in page
    assert "internal note — not shown to the customer" in page


def test_l7_changing_severity_retargets_the_due_time_shown(desk):
    client = client_for(desk.agent)
    response = client.post(f"/console/tickets/{desk.on_track.number}/severity", {"severity": "S1"})
    assert response.status_code == 302
    assert response["Location"] == f"/console/tickets/{desk.on_track.number}/"
    page = html(client.get(response["Location"]))
    assert "Severity changed to S1: the clocks were re-targeted (rule L7)." in page
    # Gold S1: 2 hours, 24x7, from the change at 10:00 (L7)
    assert 'Due <span class="due">Wed 18 Nov 2026, 12:00 PST (-08:00)</span>' in page
    assert "severity S2 became S1 (rule L7)" in page
    assert "<strong>Severity changed</strong>" in page
    assert fresh(desk.on_track).next_due_at.isoformat() == "2026-11-18T20:00:00+00:00"
    queue = html(client.get("/console/"))
    assert "Wed 18 Nov 2026, 12:00 PST (-08:00)" in queue


def test_l5_wait_on_customer_and_resume(desk):
    client = client_for(desk.agent)
    number = desk.paused.number
    page = html(client.get(f"/console/tickets/{number}/"))
    assert "Paused since Mon 16 Nov 2026, 10:05 PST (-08:00) (rule L5)." in page
    assert f'action="/console/tickets/{number}/resume"' in page
    response = client.post(f"/console/tickets/{number}/resume")
    assert response.status_code == 302
    page = html(client.get(f"/console/tickets/{number}/"))
    # Gold S3, 8 business hours: 5 minutes used before the pause (reply Mon 10:00, waiting from
    # 10:05), 7 h 55 min remain from the resume at 10:00 → 17:55 today (L5, T5)
    assert 'Due <span class="due">Wed 18 Nov 2026, 17:55 PST (-08:00)</span>' in page
    assert fresh(desk.paused).status == "open"
    client.post(f"/console/tickets/{number}/wait")
    assert fresh(desk.paused).status == "waiting_on_customer"
    assert fresh(desk.paused).next_due_at is None


def test_assign_to_an_agent_and_unassign(desk):
    client = client_for(desk.agent)
    other = make_user("agent")
    number = desk.on_track.number
    response = client.post(f"/console/tickets/{number}/assign", {"assignee": str(other.pk)})
    assert response.status_code == 302
    assert fresh(desk.on_track).assignee == other
    assert f"Assigned to {other.email}." in html(client.get(response["Location"]))
    client.post(f"/console/tickets/{number}/assign", {"assignee": ""})
    assert fresh(desk.on_track).assignee is None


def test_assigning_to_a_clerk_is_refused_with_400(desk):
    clerk = make_user("clerk")
    response = client_for(desk.agent).post(
        f"/console/tickets/{desk.on_track.number}/assign", {"assignee": str(clerk.pk)}
    )
    assert response.status_code == 400
    assert "choose an agent or a manager" in html(response)
    assert fresh(desk.on_track).assignee is None


def test_p1_close_as_resolved_or_out_of_scope_naming_a_reason(desk):
    client = client_for(desk.agent)
    response = client.post(
        f"/console/tickets/{desk.soon.number}/close",
        {"out_of_scope": "data recovery", "reason": "We cannot recover deleted files."},
    )
    assert response.status_code == 302
    closed = fresh(desk.soon)
    assert (closed.status, closed.out_of_scope_reason) == ("out_of_scope", "data recovery")
    page = html(client.get(response["Location"]))
    assert "Closed as out of scope: data recovery (rule P1)." in page
    client.post(f"/console/tickets/{desk.on_track.number}/close", {"reason": "Fixed."})
    assert fresh(desk.on_track).status == "resolved"


def test_p1_an_unknown_out_of_scope_reason_is_refused_on_the_page(desk):
    response = client_for(desk.agent).post(
        f"/console/tickets/{desk.soon.number}/close",
        {"out_of_scope": "we are busy", "reason": "No."},
    )
    assert response.status_code == 400
    page = text_of(html(response))
    assert "'we are busy' is not an out-of-scope reason; name one of: data recovery" in page
    assert "(rule P1)" in page
    assert "No." in html(response)  # the typed reason stays in the form
    assert fresh(desk.soon).status == "open"


def test_reply_meets_the_first_response_and_starts_the_next_update(desk):
    client = client_for(desk.agent)
    response = client.post(
        f"/console/tickets/{desk.on_track.number}/reply",
        {"body": "We are on it.", "visibility": "public"},
    )
    assert response.status_code == 302
    message = Message.objects.filter(ticket=desk.on_track).order_by("-id").first()
    assert (message.body, message.is_public, message.kind) == ("We are on it.", True, "reply")
    page = html(client.get(response["Location"]))
    assert "Reply sent to the customer." in page
    assert fresh(desk.on_track).status == "open"  # "Send" alone changes no status
    # next update: 4 business hours from the reply at 10:00 (L5)
    assert 'Due <span class="due">Wed 18 Nov 2026, 14:00 PST (-08:00)</span>' in page


def test_an_empty_reply_is_refused(desk):
    before = Message.objects.count()
    response = client_for(desk.agent).post(
        f"/console/tickets/{desk.on_track.number}/reply", {"body": "  ", "visibility": "public"}
    )
    assert response.status_code == 400
    assert "body is required" in html(response)
    assert Message.objects.count() == before


def test_a_phone_call_is_logged_as_an_internal_note(desk):
    client = client_for(desk.agent)
    response = client.post(
        f"/console/tickets/{desk.on_track.number}/call",
        {"body": "Customer called: replication fine again."},
    )
    assert response.status_code == 302
    message = Message.objects.filter(ticket=desk.on_track).order_by("-id").first()
    assert message.body == "Phone call: Customer called: replication fine again."
    assert message.is_public is False
    # no clock moved: still due 13:00
    assert fresh(desk.on_track).next_due_at.isoformat() == "2026-11-18T21:00:00+00:00"
    assert "Phone call logged." in html(client.get(response["Location"]))


def test_r1_open_an_rma_from_the_ticket(desk):
    client = client_for(desk.agent)
    response = client.post(
        f"/console/tickets/{desk.on_track.number}/rma",
        {
            "kind": "advance_exchange",
            "part_1": "HDD 16TB",
            "serial_1": "ZL0001",
            "unit_price_1": "450.00",
            "part_2": "Drive sled",
            "unit_price_2": "18.50",
        },
    )
    assert response.status_code == 302
    rma = Rma.objects.get(ticket=desk.on_track)
    assert rma.number == desk.on_track.number  # P3, R1
    assert rma.kind == "advance_exchange"
    assert [(i.part, i.serial, str(i.unit_price)) for i in rma.items.all()] == [
        ("HDD 16TB", "ZL0001", "450.00"),
        ("Drive sled", "", "18.50"),
    ]
    page = html(client.get(response["Location"]))
    assert (
        f"RMA {rma.number} opened (advance exchange), valid until "
        "Fri 18 Dec 2026, 10:00 PST (-08:00) (rule R1)."
    ) in page
    assert f'href="/console/rmas/{rma.number}/"' in page


def test_f4_an_rma_price_not_exact_to_the_cent_is_refused(desk):
    response = client_for(desk.agent).post(
        f"/console/tickets/{desk.on_track.number}/rma",
        {"kind": "repair", "part_1": "PSU", "unit_price_1": "12.345"},
    )
    assert response.status_code == 400
    page = html(response)
    assert "a unit price is exact to the cent" in page and "(rule F4)" in page
    assert 'value="12.345"' in page  # the typed row stays
    assert not Rma.objects.exists()


def test_a_role_that_may_not_act_sees_the_refusal_with_403_and_nothing_changes(desk):
    clerk = make_user("clerk")
    events = AuditEvent.objects.count()
    response = client_for(clerk).post(
        f"/console/tickets/{desk.on_track.number}/severity", {"severity": "S1"}
    )
    assert response.status_code == 403
    assert "changing a ticket&#x27;s severity needs the role agent or manager" in html(response)
    assert fresh(desk.on_track).severity == "S2"
    assert AuditEvent.objects.count() == events


def test_a_closed_ticket_shows_no_actions(desk):
    client = client_for(desk.agent)
    client.post(f"/console/tickets/{desk.soon.number}/close", {"reason": "Fixed."})
    page = html(client.get(f"/console/tickets/{desk.soon.number}/"))
    assert "Closed Wed 18 Nov 2026, 10:00 PST (-08:00)" in page
    assert f'action="/console/tickets/{desk.soon.number}/severity"' not in page
    response = client.post(f"/console/tickets/{desk.soon.number}/severity", {"severity": "S2"})
    assert response.status_code == 409
    assert "is closed (resolved)" in html(response)


def test_missing_tickets_and_too_long_numbers_are_404(desk):
    client = client_for(desk.agent)
    assert client.get("/console/tickets/999999/").status_code == 404
    assert client.get(f"/console/tickets/{'9' * 19}/").status_code == 404
    assert client.post("/console/tickets/999999/reply", {"body": "x"}).status_code == 404


def test_action_urls_answer_405_to_a_get(desk):
    assert (
        client_for(desk.agent).get(f"/console/tickets/{desk.soon.number}/reply").status_code == 405
    )


# ------------------------------------------------------------------------- the context panel


def _section(page: str, title_id: str) -> str:
    """The list after the heading with this id (the context panel's lists)."""
    return re.search(rf'aria-labelledby="{title_id}">(.*?)</ul>', page, flags=re.S).group(1)


def test_the_context_panel_shows_contract_entitlement_tickets_rmas_and_invoices(desk):
    open_rma(
        actor=desk.agent,
        ticket=desk.breached,
        kind="repair",
        items=[{"part": "PSU", "unit_price": "99.00"}],
    )
    bill = invoice(customer=desk.customer, at=desk.breached.opened_at, amount="250.00")
    client = client_for(desk.agent)
    client.post(f"/console/tickets/{desk.soon.number}/close", {"reason": "Fixed."})
    page = html(client.get(f"/console/tickets/{desk.on_track.number}/"))
    text = text_of(page)
    assert "Contract Gold, 01 Jan 2025 – 31 Dec 2028" in text
    assert "Serial ACME-0001" in text
    assert "Entitlement gold support; no on-site service;" in text
    assert '<dd id="warranty-end">under warranty until 15 Jan 2029</dd>' in page  # W1, W6
    others = _section(page, "others-title")
    assert re.findall(r'href="/console/tickets/(\d+)/"', others) == [
        str(desk.breached.number),  # open ones, newest first
        str(desk.paused.number),
        str(desk.soon.number),  # then the recently closed
    ]
    assert "resolved 18 Nov 2026" in text_of(others)
    rmas = _section(page, "rmas-title")
    assert f'href="/console/rmas/{desk.breached.number}/">RMA {desk.breached.number}</a>' in rmas
    assert "issued" in text_of(rmas)
    invoices = _section(page, "invoices-title")
    assert f'href="/console/invoices/{bill.number}/">{bill.number}</a> 250.00 USD due' in invoices


def test_a_ticket_page_costs_the_same_queries_however_long_the_customers_history(
    desk, django_assert_num_queries
):
    client = client_for(desk.agent)
    url = f"/console/tickets/{desk.on_track.number}/"
    client.get(url)  # warm the session and the policy
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    baseline = len(few.captured_queries)
    # session, user, ticket, thread, files, clocks, history, context, the customer's rating...
    assert baseline <= 21
    for n in range(6):
        more = open_ticket(
            actor=desk.agent,
            serial=desk.asset.serial,
            severity="S3",
            subject=f"Question {n}",
            body="?",
            channel="phone",
        )
        open_rma(
            actor=desk.agent, ticket=more, kind="repair", items=[{"part": "F", "unit_price": "1"}]
        )
        invoice(customer=desk.customer, at=NOW, amount="10.00")
        create_canned_reply(actor=desk.agent, title=f"Reply {n}", body="Hi", shared=False)
        client.post(url + "reply", {"body": f"Update {n}", "visibility": "internal"})
    with django_assert_num_queries(baseline):
        page = html(client.get(url))
    assert page.count('href="/console/rmas/') >= 6  # the rows were there to be read
    assert page.count("Update 5") == 1


# ----------------------------------------------------------------- answering in one step


def test_send_and_wait_on_the_customer_with_a_file_in_one_post(desk, settings, tmp_path):
    settings.RMADESK_DATA_DIR = tmp_path
    client = client_for(desk.agent)
    number = desk.on_track.number
    response = client.post(
        f"/console/tickets/{number}/reply",
        {
            "body": "Please run the attached steps.",
            "visibility": "public",
            "then": "wait",
            "attachments": [SimpleUploadedFile("steps.txt", b"1. debug\n", "text/plain")],
        },
    )
    assert response.status_code == 302
    assert fresh(desk.on_track).status == "waiting_on_customer"
    message = Message.objects.filter(ticket=desk.on_track).latest("id")
    assert (message.body, message.is_public) == ("Please run the attached steps.", True)
    assert [a.name for a in Attachment.objects.filter(message=message)] == ["steps.txt"]
    page = html(client.get(response["Location"]))
    assert (
        "Reply sent to the customer with 1 file; the ticket waits on the customer (rule L5)."
    ) in page
    assert f'href="/console/tickets/{number}/attachments/' in page


def test_send_and_close_without_a_reason_changes_nothing_and_keeps_the_text(desk):
    before = (Message.objects.count(), AuditEvent.objects.count())
    response = client_for(desk.agent).post(
        f"/console/tickets/{desk.on_track.number}/reply",
        {"body": "All fixed now.", "visibility": "public", "then": "close"},
    )
    assert response.status_code == 400
    page = html(response)
    assert "reason is required" in page
    assert ">All fixed now.</textarea>" in page  # the reply stays in the box
    assert '<details class="close-options" open>' in page
    assert (Message.objects.count(), AuditEvent.objects.count()) == before
    assert fresh(desk.on_track).status == "open"


def test_send_and_close_with_a_reason(desk):
    client = client_for(desk.agent)
    response = client.post(
        f"/console/tickets/{desk.on_track.number}/reply",
        {
            "body": "Replication is back.",
            "visibility": "public",
            "then": "close",
            "close_reason": "Replication fixed.",
        },
    )
    assert response.status_code == 302
    assert fresh(desk.on_track).status == "resolved"
    assert "Reply sent to the customer; the ticket is closed." in html(
        client.get(response["Location"])
    )


def test_an_internal_note_with_files_is_a_note(desk, settings, tmp_path):
    settings.RMADESK_DATA_DIR = tmp_path
    client = client_for(desk.agent)
    response = client.post(
        f"/console/tickets/{desk.on_track.number}/reply",
        {
            "body": "Looks like the HBA firmware.",
            "visibility": "internal",
            "attachments": [
                SimpleUploadedFile("a.log", b"a\n", "text/plain"),
                SimpleUploadedFile("b.log", b"b\n", "text/plain"),
            ],
        },
    )
    assert response.status_code == 302
    note = Message.objects.filter(ticket=desk.on_track).latest("id")
    assert (note.kind, note.is_public) == ("note", False)
    assert note.attachments.count() == 2
    assert AuditEvent.objects.filter(ticket_number=desk.on_track.number).latest("id").verb == (
        "ticket.attachment_added"
    )
    assert AuditEvent.objects.filter(verb="ticket.note_added").count() == 1
    assert "Internal note added with 2 files (the customer does not see it)." in html(
        client.get(response["Location"])
    )


def test_assign_to_me_in_one_click(desk):
    client = client_for(desk.agent)
    url = f"/console/tickets/{desk.on_track.number}/"
    assert f'action="{url}assign-to-me"' in html(client.get(url))
    response = client.post(url + "assign-to-me")
    assert response.status_code == 302
    assert fresh(desk.on_track).assignee == desk.agent
    page = html(client.get(url))
    assert "Assigned to you." in page
    assert f'action="{url}assign-to-me"' not in page  # it is already mine


def test_assign_to_me_is_refused_for_a_clerk(desk):
    clerk = make_user("clerk")
    response = client_for(clerk).post(f"/console/tickets/{desk.on_track.number}/assign-to-me")
    assert response.status_code == 403
    assert "assigning a ticket needs the role agent or manager" in text_of(html(response))
    assert fresh(desk.on_track).assignee is None


def test_the_keyboard_contract_marks_reply_note_and_assign(desk):
    page = html(client_for(desk.agent).get(f"/console/tickets/{desk.on_track.number}/"))
    assert 'id="reply-body" name="body" rows="6" required data-shortcut="r" ' in page
    assert 'data-shortcut-label="Reply"' in page
    assert 'data-shortcut="n" data-shortcut-label="Internal note"' in page
    assert 'data-shortcut="a" data-shortcut-label="Assign to me"' in page


def test_history_is_in_plain_words_in_the_viewers_zone_with_details_for_staff(desk):
    page = html(client_for(desk.agent).get(f"/console/tickets/{desk.paused.number}/"))
    history = page[page.index('id="history-title"') :]
    assert "Times in America/Los_Angeles" in history
    words = re.findall(r"<strong>([^<]+)</strong>\s*<details", history)
    assert words == [
        "Ticket opened",
        "Agent replied to the customer",
        "Set to wait on the customer",
    ]
    assert '<time datetime="2026-11-16T10:05:00-08:00">Mon 16 Nov 2026, 10:05 PST (-08:00)' in (
        history
    )
    assert "<dt>Key</dt><dd><code>ticket.waiting_on_customer</code></dd>" in history
    assert "<dt>Rules</dt><dd>L5</dd>" in history


# ---------------------------------------------------------------------- canned replies


def test_a_canned_reply_is_inserted_with_its_placeholders_filled(desk):
    canned = create_canned_reply(
        actor=desk.agent,
        title="Ack",
        body="Hello {customer}, about #{ticket}: next update by {due}.",
        shared=False,
    )
    client = client_for(desk.agent)
    page = html(client.get(f"/console/tickets/{desk.on_track.number}/"))
    assert f'<option value="{canned.pk}">Ack</option>' in page
    response = client.get(
        f"/console/tickets/{desk.on_track.number}/canned-reply",
        {"canned": canned.pk, "body": "Hi,"},
    )
    assert response.status_code == 200
    assert (
        f">Hi,\n\nHello Acme Storage, about #{desk.on_track.number}: next update by "
        "Wed 18 Nov 2026 13:00 PST.</textarea>"
    ) in html(response)


def test_a_canned_reply_that_cannot_be_filled_is_refused_and_the_typed_text_stays(desk):
    canned = create_canned_reply(actor=desk.agent, title="RMA", body="RMA {rma}", shared=False)
    response = client_for(desk.agent).get(
        f"/console/tickets/{desk.on_track.number}/canned-reply",
        {"canned": canned.pk, "body": "Typed so far"},
    )
    assert response.status_code == 400
    page = html(response)
    assert f"ticket {desk.on_track.number} has no RMA" in page
    assert ">Typed so far</textarea>" in page


def test_insert_without_choosing_a_canned_reply_says_so(desk):
    response = client_for(desk.agent).get(
        f"/console/tickets/{desk.on_track.number}/canned-reply", {"canned": "", "body": "Hi"}
    )
    assert response.status_code == 400
    assert "choose a canned reply to insert" in html(response)
    assert ">Hi</textarea>" in html(response)


def test_another_agents_personal_canned_reply_is_404(desk):
    canned = create_canned_reply(actor=desk.agent, title="Mine", body="x", shared=False)
    other = client_for(make_user("agent"))
    url = f"/console/tickets/{desk.on_track.number}/canned-reply"
    assert other.get(url, {"canned": canned.pk}).status_code == 404
    assert other.get(url, {"canned": "x"}).status_code == 404
    assert other.get(f"/console/canned-replies/{canned.pk}/").status_code == 404
    assert other.post(f"/console/canned-replies/{canned.pk}/delete").status_code == 404


def test_t1_a_call_logged_on_the_ticket_takes_its_time_in_the_agents_zone(desk):
    client = client_for(desk.agent)
    url = f"/console/tickets/{desk.on_track.number}/"
    assert '<input type="datetime-local" id="call-at" name="called_at"' in html(client.get(url))
    response = client.post(url + "call", {"body": "Called back.", "called_at": "2026-11-18T09:45"})
    assert response.status_code == 302
    call = Message.objects.filter(ticket=desk.on_track).latest("id")
    assert call.at.isoformat() == "2026-11-18T17:45:00+00:00"  # 09:45 PST


def test_t1_a_call_time_the_clocks_skip_is_refused_naming_the_field(desk):
    before = Message.objects.count()
    response = client_for(desk.agent).post(
        f"/console/tickets/{desk.on_track.number}/call",
        {"body": "Called.", "called_at": "2027-03-14T02:15"},
    )
    assert response.status_code == 400
    page = html(response)
    assert "2027-03-14 02:15 does not exist in America/Los_Angeles" in page
    assert '<span class="muted">— field called_at</span>' in page
    assert 'value="2027-03-14T02:15"' in page
    assert Message.objects.count() == before


def test_a_ticket_without_a_serial_shows_its_customers_context(desk):
    loose = TicketFactory(asset=None, customer=desk.customer, subject="Billing question")
    page = html(client_for(desk.agent).get(f"/console/tickets/{loose.number}/"))
    text = text_of(page)
    assert "Contract Gold, 01 Jan 2025 – 31 Dec 2028" in text
    assert "Serial none on this ticket" in text
    assert f'href="/console/tickets/{desk.on_track.number}/"' in _section(page, "others-title")
    assert "none" in text_of(_section(page, "rmas-title"))


def test_a_refused_file_sends_nothing_and_keeps_nothing_and_the_typed_text_stays(desk):
    """One step, one transaction: a file the rule of every door refuses (a .png that is text)
    stops the reply, the files and the wait together; the limits are stated before upload."""
    number = desk.on_track.number
    client = client_for(desk.agent)
    page = html(client.get(f"/console/tickets/{number}/"))
    assert page.count("Up to 5 files of at most 10.0 MB each: ") == 2  # reply and note
    before = (Message.objects.count(), Attachment.objects.count(), AuditEvent.objects.count())
    response = client.post(
        f"/console/tickets/{number}/reply",
        {
            "body": "Here are the steps.",
            "visibility": "public",
            "then": "wait",
            "attachments": [
                SimpleUploadedFile("steps.txt", b"1. debug\n", "text/plain"),
                SimpleUploadedFile("screen.png", b"not a picture\n", "image/png"),
            ],
        },
    )
    assert response.status_code == 400
    assert "screen.png" in html(response)
    assert "Here are the steps." in html(response)  # the typed text stays in the box
    after = (Message.objects.count(), Attachment.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert fresh(desk.on_track).status == desk.on_track.status
