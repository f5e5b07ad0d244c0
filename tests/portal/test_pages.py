"""Every portal page answers 200 for its customer with the exact values the policy gives.

Now is Wednesday 25 November 2026, 16:00 PST (conftest), the day before Thanksgiving; Acme's
M50-000042 shipped 2026-01-15 with a 3-year warranty and Acme is on Gold until 2028-12-31.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages

from rmadesk.billing.services import accrue_late_fees, issue_credit_note, record_payment
from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.onsite.models import Appointment
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import issue_label, open_rma, ship_replacement
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services import close_ticket, reply
from tests.billing.factories import finance_user, invoice
from tests.factories import AssetFactory, ContractFactory, CustomerFactory, ProductModelFactory
from tests.portal.conftest import NOW, PASSWORD, logged_in, make_customer
from tests.tickets.factories import pacific, ticket_on

pytestmark = pytest.mark.django_db

ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]


def page(response: Any) -> str:
    """The page's text with HTML entities decoded (the customer's apostrophes)."""
    return html.unescape(response.content.decode())


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def timeline_of(body: str) -> list[tuple[str, str]]:
    """An RMA page's timeline as (step, date) pairs, in the page's order."""
    timeline = body.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    return [
        (
            item.split("<strong>", 1)[1].split("</strong>", 1)[0],
            item.split('">', 2)[-1].split("<")[0],
        )
        for item in timeline.split("<li")[1:]
        if "<time" in item
    ]


# ------------------------------------------------------------------------------ systems


def test_my_systems_in_plain_words_W6(alice, acme):
    AssetFactory(
        customer=acme.customer,
        serial="M60-000007",
        model=ProductModelFactory(name="FreeNAS Mini", advance_exchange=False),
        shipped_on=dt.date(2026, 11, 10),
        warranty_years=1,
        extended_to_years=2,
        onsite="4h",
    )
    response = alice.get("/portal/")
    assert response.status_code == 200
    body = page(response)
    # M50-000042: shipped 2026-01-15, 3 years; Gold contract to 2028-12-31; no on-site.
    assert "Covered until 15 Jan 2029" in body
    assert "Gold, until 31 Dec 2028" in body
    assert "No on-site service" in body
    assert "Advance exchange offered" in body
    assert "Money back until 14 Feb 2026 — passed" in body
    # M60-000007: shipped 2026-11-10, extended to 2 years (W1), 4-hour on-site (W3), R5, F3.
    assert "Covered until 10 Nov 2028" in body
    assert "4-hour on-site, around the clock" in body
    assert '<td data-label="Advance exchange">No advance exchange for FreeNAS Mini</td>' in body
    assert "Money back until 10 Dec 2026 — 15 days left" in body


def test_my_systems_shows_only_the_customers_own(alice, globex):
    body = page(alice.get("/portal/"))
    assert "M50-000042" in body
    assert "M50-000099" not in body


# ------------------------------------------------------------------------------ promise


def test_promise_gold_S2_skips_thanksgiving_L3_T2(alice, acme):
    response = alice.get("/portal/tickets/promise", {"serial": "M50-000042", "severity": "S2"})
    assert response.status_code == 200
    body = page(response)
    assert (
        "<strong>First response by Fri 27 Nov 2026, 08:00 PST (-08:00)</strong> — "
        "4 business hours, Thanksgiving Day skipped" in body
    )
    assert "Gold plan, severity S2, if you open the ticket now." in body
    assert "Due Fri 27 Nov 2026 08:00 PST (rule T8)." in body


def test_promise_outside_hours_counts_from_the_next_opening_T5(alice, acme):
    with clock.frozen_at(pacific(2026, 11, 28, 10, 0)):  # Saturday
        body = page(
            alice.get("/portal/tickets/promise", {"serial_typed": " M50-000042 ", "severity": "S3"})
        )
    assert (
        "First response by Mon 30 Nov 2026, 14:00 PST (-08:00)</strong> — 8 business hours, "
        "counted from the next opening, Mon 30 Nov 2026, 06:00 PST (-08:00)" in body
    )


def test_promise_in_the_customers_own_zone_T1(db):
    berlin = make_customer(
        "Berliner Daten", "M50-000500", "eva@berlin.example", country="DE", zone="Europe/Berlin"
    )
    client = logged_in(berlin.email)
    body = page(client.get("/portal/tickets/promise", {"serial": "M50-000500", "severity": "S2"}))
    assert "First response by Fri 27 Nov 2026, 17:00 CET (+01:00)" in body


def test_promise_refuses_truecommand_S1_with_rule_L3(db):
    initech = make_customer("Initech", "TC-000001", "peter@initech.example")
    initech.asset.model = ProductModelFactory(name="TrueCommand", product_line="truecommand")
    initech.asset.save()
    ContractFactory(customer=initech.customer, plan="truecommand")
    client = logged_in(initech.email)
    body = page(client.get("/portal/tickets/promise", {"serial": "TC-000001", "severity": "S1"}))
    assert (
        "TrueCommand (licensed, with support) S1 cannot be opened: S1 is not applicable to "
        "TrueCommand; open an S2 for a production problem.</p>" in body
    )
    assert "<summary>Details</summary><small>Policy rule L3</small>" in body
    assert 'data-rule="L3"' in body


def test_promise_free_licence_S4_has_no_due_time_L3(db):
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="truecommand-free")
    AssetFactory(
        customer=customer,
        serial="TCF-1",
        model=ProductModelFactory(name="TrueCommand", product_line="truecommand"),
    )
    add_user(email="f@free.example", role="customer", customer_id=customer.pk, password=PASSWORD)
    client = logged_in("f@free.example")
    body = page(client.get("/portal/tickets/promise", {"serial": "TCF-1", "severity": "S4"}))
    assert "<strong>No due time</strong> — TrueCommand (free licence) S4: no service level" in body
    refused = page(client.get("/portal/tickets/promise", {"serial": "TCF-1", "severity": "S2"}))
    assert "community support only.</p>" in refused
    assert "Policy rule L3" in refused


def test_promise_for_a_serial_of_another_customer_names_no_record(alice, globex):
    body = page(alice.get("/portal/tickets/promise", {"serial": "M50-000099", "severity": "S2"}))
    assert "No system with serial M50-000099 among yours." in body
    assert "First response" not in body


def test_promise_asks_for_both_choices(alice, acme):
    body = page(alice.get("/portal/tickets/promise", {"serial": "M50-000042"}))
    assert "Choose a system and a severity" in body


# --------------------------------------------------------------------------- open ticket


def test_new_ticket_page_shows_the_severity_definitions_L2(alice, acme):
    response = alice.get("/portal/tickets/new", {"serial": "M50-000042", "severity": "S2"})
    assert response.status_code == 200
    body = page(response)
    for text in (
        "No data or severe performance degradation, critically disrupting the business.",
        "Decreased production performance or intermittent errors.",
        "A problem or defect with minimal impact.",
        "A request for information or an administrative request.",
    ):
        assert text in body
    assert '<option value="M50-000042" selected>' in body
    assert 'hx-get="/portal/tickets/promise"' in body
    assert "First response by Fri 27 Nov 2026, 08:00 PST (-08:00)" in body  # prefilled


def test_open_a_ticket_from_the_portal(alice, acme):
    response = alice.post(
        "/portal/tickets/new",
        {
            "serial": "M50-000042",
            "severity": "S2",
            "subject": "Pool degraded",
            "body": "Disk 3 shows checksum errors.",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    assert (ticket.channel, ticket.severity, ticket.plan) == ("portal", "S2", "gold")
    assert ticket.opened_by == acme.user
    assert flashed(response) == [
        f"Ticket {ticket.number} opened. First response by Fri 27 Nov 2026, 08:00 PST (-08:00)."
    ]


def test_typed_serial_wins_over_the_select(alice, acme):
    AssetFactory(customer=acme.customer, serial="M50-000043")
    alice.post(
        "/portal/tickets/new",
        {
            "serial": "M50-000042",
            "serial_typed": "M50-000043",
            "severity": "S3",
            "subject": "Fan noise",
            "body": "Loud fan.",
        },
    )
    assert Ticket.objects.get().asset.serial == "M50-000043"


def test_open_refused_truecommand_S1_shows_rule_L3_and_opens_nothing(db):
    initech = make_customer("Initech", "TC-000001", "peter@initech.example")
    initech.asset.model = ProductModelFactory(name="TrueCommand", product_line="truecommand")
    initech.asset.save()
    ContractFactory(customer=initech.customer, plan="truecommand")
    client = logged_in(initech.email)
    response = client.post(
        "/portal/tickets/new",
        {"serial": "TC-000001", "severity": "S1", "subject": "Down", "body": "All down."},
    )
    assert response.status_code == 400
    assert "S1 is not applicable to TrueCommand" in page(response)
    assert "<details><summary>Details</summary><small>Policy rule L3" in page(response)
    assert not Ticket.objects.exists()


def test_open_with_a_serial_of_another_customer_is_refused(alice, acme, globex):
    response = alice.post(
        "/portal/tickets/new",
        {"serial_typed": "M50-000099", "severity": "S2", "subject": "x", "body": "y"},
    )
    assert response.status_code == 400
    assert "No system with serial M50-000099 among yours." in page(response)
    assert not Ticket.objects.exists()


def test_open_needs_subject_and_body(alice, acme):
    response = alice.post("/portal/tickets/new", {"serial": "M50-000042", "severity": "S2"})
    assert response.status_code == 400
    assert page(response).count("This field is required.") == 2
    assert not Ticket.objects.exists()


# ------------------------------------------------------------------------------ tickets


def test_my_tickets_list_with_countdown(alice, acme):
    ticket = ticket_on(acme.asset, actor=acme.user, severity="S2", subject="Pool degraded")
    response = alice.get("/portal/tickets/")
    assert response.status_code == 200
    body = page(response)
    assert f'<a href="/portal/tickets/{ticket.number}/">{ticket.number}</a>' in body
    assert "Pool degraded" in body
    assert "open: we owe you an answer" in body
    assert '<span class="badge S2">S2</span>' in body
    # Fri 27 Nov 2026 08:00 PST is 16:00 UTC: the countdown carries the instant, shown locally.
    assert (
        '<time datetime="2026-11-27T16:00:00+00:00" data-countdown data-due-in="due in {}" '
        'data-overdue-by="overdue by {}" data-units="d h min" '
        'title="Fri 27 Nov 2026, 08:00 PST (-08:00)">' in body
    )


def test_ticket_page_public_thread_never_internal_notes(alice, acme, agent):
    ticket = ticket_on(acme.asset, actor=acme.user, body="Disk 3 shows errors.")
    reply(actor=agent, ticket=ticket, body="Customer sounds upset, check logs", public=False)
    response = alice.get(f"/portal/tickets/{ticket.number}/")
    assert response.status_code == 200
    body = page(response)
    assert "Disk 3 shows errors." in body
    assert "Customer sounds upset" not in body
    assert "Due Fri 27 Nov 2026, 08:00 PST (-08:00)" in body
    assert "4 business hours, Pacific business hours" in body
    assert "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day) (rule T2)." in body
    assert f'action="/portal/tickets/{ticket.number}/reply"' in body
    assert f"/portal/appointments/new?ticket={ticket.number}" in body

    reply(actor=agent, ticket=ticket, body="Please send a debug file.", public=True)
    body = page(alice.get(f"/portal/tickets/{ticket.number}/"))
    assert "Please send a debug file." in body
    assert "Met Wed 25 Nov 2026, 16:00 PST (-08:00)" in body  # first response met (L3)


def test_reply_from_the_portal(alice, acme):
    ticket = ticket_on(acme.asset, actor=acme.user)
    response = alice.post(f"/portal/tickets/{ticket.number}/reply", {"body": "Here is more."})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    message = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert message is not None
    assert (message.body, message.is_public, message.kind) == ("Here is more.", True, "customer")
    assert flashed(response) == ["Your reply was added."]


def test_reply_to_a_closed_ticket_is_refused_with_409_conflict(alice, acme, agent):
    ticket = ticket_on(acme.asset, actor=acme.user)
    close_ticket(actor=agent, ticket=ticket, reason="Fixed", out_of_scope="data recovery")
    body = page(alice.get(f"/portal/tickets/{ticket.number}/"))
    assert (
        "Closed as out of scope, because our support does not cover this: data recovery. "
        "Fixed" in body
    )
    response = alice.post(f"/portal/tickets/{ticket.number}/reply", {"body": "But..."})
    assert response.status_code == 409  # the ticket's state refuses it
    assert f"ticket {ticket.number} is closed (closed as out of scope)" in page(response)


# --------------------------------------------------------------------------------- RMAs


@pytest.fixture
def exchange(acme, agent) -> Rma:
    ticket = ticket_on(acme.asset, actor=acme.user)
    return open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)


def test_rma_list_and_page(alice, exchange):
    body = page(alice.get("/portal/rmas/"))
    assert f'<a href="/portal/rmas/{exchange.number}/">{exchange.number}</a>' in body
    assert "advance exchange" in body
    assert "Fri 25 Dec 2026, 16:00 PST (-08:00)" in body  # R1: 30 days
    response = alice.get(f"/portal/rmas/{exchange.number}/")
    assert response.status_code == 200
    body = page(response)
    assert "We are waiting for your confirmations before we send the return label." in body
    assert "HDD 16TB" in body
    assert f'action="/portal/rmas/{exchange.number}/confirm"' in body
    assert "The label is issued once you confirm the items below." in body


def test_label_before_R6_is_404_with_the_rule(alice, exchange):
    response = alice.get(f"/portal/rmas/{exchange.number}/label.pdf")
    assert response.status_code == 404
    assert (
        "No label yet: first confirm that your data is backed up and that you removed any "
        "removable media (USB drives, SD cards); the label is issued after your confirmations."
        in page(response)
    )
    assert "Policy rule R6" in page(response)


def test_confirm_R6_then_download_the_label(alice, exchange, agent):
    response = alice.post(
        f"/portal/rmas/{exchange.number}/confirm",
        {"data_backed_up": "on", "removable_media_removed": "on"},
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert (exchange.data_backed_up, exchange.status) == (True, "confirmed")
    assert flashed(response) == [
        "Thank you: your confirmations are complete; the return label comes next."
    ]
    issue_label(actor=agent, rma=exchange)
    label = alice.get(f"/portal/rmas/{exchange.number}/label.pdf")
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF")
    assert label["Content-Disposition"] == (
        f'attachment; filename="rma-{exchange.number}-label.pdf"'
    )


def test_confirm_a_repair_needs_all_four_R6(alice, acme, agent):
    ticket = ticket_on(acme.asset, actor=acme.user)
    repair = open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS)
    response = alice.post(
        f"/portal/rmas/{repair.number}/confirm", {"data_backed_up": "on", "insured": "on"}
    )
    assert response.status_code == 302
    assert flashed(response) == [
        "Saved. Before the label we still need to know that you removed any removable media "
        "(USB drives, SD cards) and that the system travels in its original or equivalent "
        "packaging."
    ]
    repair.refresh_from_db()
    assert (repair.status, repair.insured, repair.original_packaging) == ("issued", True, False)


def test_confirm_after_the_label_is_refused_with_rule_R6(alice, exchange, agent):
    alice.post(
        f"/portal/rmas/{exchange.number}/confirm",
        {"data_backed_up": "on", "removable_media_removed": "on"},
    )
    issue_label(actor=agent, rma=exchange)
    response = alice.post(f"/portal/rmas/{exchange.number}/confirm", {})
    assert response.status_code == 409
    assert "Policy rule R6" in page(response)
    exchange.refresh_from_db()
    assert exchange.data_backed_up is True


def test_advance_exchange_timeline_R4(alice, exchange, agent):
    alice.post(
        f"/portal/rmas/{exchange.number}/confirm",
        {"data_backed_up": "on", "removable_media_removed": "on"},
    )
    ship_replacement(actor=agent, rma=exchange, shipped_at=NOW)
    body = page(alice.get(f"/portal/rmas/{exchange.number}/"))
    steps = timeline_of(body)
    assert steps[1:4] == [
        ("Replacement shipped", "Wed 25 Nov 2026, 16:00 PST (-08:00)"),
        (
            "Last day to ship the defective part with the prepaid label",
            "Sat 05 Dec 2026, 16:00 PST (-08:00)",
        ),
        ("Defective part must arrive (invoice date)", "Wed 09 Dec 2026, 16:00 PST (-08:00)"),
    ]
    assert "Download the label (PDF)" in body


def test_R6_the_rma_page_asks_for_the_removable_media_and_says_no_liability(alice, exchange):
    body = page(alice.get(f"/portal/rmas/{exchange.number}/"))
    assert 'name="removable_media_removed"' in body
    assert "I have removed any removable media" in body
    assert "The vendor takes no liability for lost data or software" in body


def test_N1_the_customer_sees_the_promised_delivery_date(alice, exchange, agent):
    alice.post(
        f"/portal/rmas/{exchange.number}/confirm",
        {"data_backed_up": "on", "removable_media_removed": "on"},
    )
    # Identified when the RMA was issued, Wed 25 Nov 2026 16:00 PST: after the noon cut-off;
    # Thu 26 is Thanksgiving: ships Fri 27 Nov, delivered Mon 30 Nov (rule N1).
    ship_replacement(actor=agent, rma=exchange, shipped_at=NOW)
    body = page(alice.get(f"/portal/rmas/{exchange.number}/"))
    assert "Delivery promised on <strong>Monday 30 November 2026</strong>" in body


# --------------------------------------------------------------------------- money back


def test_money_back_within_the_window_opens_an_S4_request_F3(alice, acme):
    AssetFactory(customer=acme.customer, serial="M50-NEW", shipped_on=dt.date(2026, 11, 10))
    assert alice.get("/portal/money-back").status_code == 200
    response = alice.post("/portal/money-back", {"serial": "M50-NEW", "reason": "Too small"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    assert (ticket.severity, ticket.subject) == ("S4", "Money-back return for M50-NEW")
    first = ticket.messages.get().body
    assert "must arrive back by 2026-12-10 with its manuals, media and documentation" in first
    assert "restocking fee 20% = 5000.00 USD; refund 20000.00 USD" in first
    assert "Customer's reason: Too small" in first
    event = AuditEvent.objects.get(verb="money_back.requested")
    assert event.ticket_number == ticket.number
    assert event.rules == ["F3", "F4"]


def test_money_back_after_the_window_is_refused_F3(alice, acme):
    body = page(alice.get("/portal/money-back"))
    assert "within 30\ncalendar days" in body
    response = alice.post("/portal/money-back", {"serial": "M50-000042"})
    assert response.status_code == 400
    assert (
        "M50-000042 shipped 2026-01-15: its 30-day money-back window ended 2026-02-14, so it "
        "can no longer arrive back in time.</p>" in page(response)
    )
    assert "Policy rule F3" in page(response)
    assert not Ticket.objects.exists()


def test_money_back_for_software_is_refused_F3(alice, acme):
    AssetFactory(
        customer=acme.customer,
        serial="TC-NEW",
        shipped_on=dt.date(2026, 11, 20),
        model=ProductModelFactory(name="TrueCommand", product_line="truecommand"),
    )
    response = alice.post("/portal/money-back", {"serial": "TC-NEW"})
    assert response.status_code == 400
    refused = page(response)
    assert "TC-NEW: software is not eligible for the money-back guarantee.</p>" in refused
    assert "Policy rule F3" in refused
    assert not Ticket.objects.exists()


# --------------------------------------------------------------------------- appointments


def test_book_an_onsite_visit_W5(alice, acme):
    acme.asset.onsite = "4h"
    acme.asset.save()
    ticket = ticket_on(acme.asset, actor=acme.user)
    response = alice.get("/portal/appointments/new", {"ticket": ticket.number})
    assert response.status_code == 200
    body = page(response)
    assert "at least 48 hours ahead" in body
    assert "Fri 27 Nov 2026, 16:00 PST (-08:00)" in body  # earliest start now (W5)

    too_soon = alice.post(
        "/portal/appointments/new", {"ticket": ticket.number, "starts_at": "2026-11-26T16:00"}
    )
    assert too_soon.status_code == 400
    assert (
        "Appointments must be booked at least 48 hours ahead: requested Wed 25 Nov 2026 16:00 "
        "PST, so the earliest start is Fri 27 Nov 2026 16:00 PST.</p>" in page(too_soon)
    )
    assert "Policy rule W5" in page(too_soon)
    assert not Appointment.objects.exists()

    booked = alice.post(
        "/portal/appointments/new", {"ticket": ticket.number, "starts_at": "2026-11-28T10:00"}
    )
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.starts_at == pacific(2026, 11, 28, 10, 0)
    assert flashed(booked) == ["On-site visit booked for Sat 28 Nov 2026, 10:00 PST (-08:00)."]


def test_onsite_without_the_option_is_refused_W3(alice, acme):
    ticket = ticket_on(acme.asset, actor=acme.user)
    response = alice.post(
        "/portal/appointments/new", {"ticket": ticket.number, "starts_at": "2026-11-30T10:00"}
    )
    assert response.status_code == 400
    assert "on-site service is not part of the standard warranty" in page(response)
    assert "Policy rule W3" in page(response)
    assert not Appointment.objects.exists()


# ----------------------------------------------------------------------------- invoices


def test_invoices_with_late_fees_and_status_F2(alice, acme):
    # Due 2026-09-02 (30-day terms): two full months overdue on 2026-11-25 → 3.0% = 30.00.
    overdue = invoice(customer=acme.customer, at=pacific(2026, 8, 3, 10, 0))
    accrue_late_fees(now=NOW)
    paid = invoice(customer=acme.customer, at=pacific(2026, 11, 2, 10, 0), amount="200.00")
    record_payment(actor=finance_user(), invoice=paid, amount=Decimal("200.00"))
    credited = invoice(customer=acme.customer, at=pacific(2026, 11, 3, 10, 0), amount="80.00")
    issue_credit_note(
        actor=finance_user(), invoice=credited, amount=Decimal("80.00"), reason="Goodwill"
    )
    current = invoice(customer=acme.customer, at=pacific(2026, 11, 20, 10, 0), amount="50.00")

    response = alice.get("/portal/invoices/")
    assert response.status_code == 200
    body = page(response)
    assert "1.5% of its unpaid principal" in body
    rows = {
        overdue.number: ("overdue", "1000.00 USD", "30.00 USD", "1030.00 USD"),
        paid.number: ("paid", "200.00 USD", "0.00 USD", "0.00 USD"),
        credited.number: ("credited", "80.00 USD", "0.00 USD", "0.00 USD"),
        current.number: ("open", "50.00 USD", "0.00 USD", "50.00 USD"),
    }
    for number, (status, amount, fees, balance) in rows.items():
        start = body.index(f'<a href="/portal/invoices/{number}/">')
        row = body[start : body.index("</tr>", start)]
        assert f'<span class="badge invoice-{status}">{status}</span>' in row
        # each amount cell carries its label for the phone's cards (data-label)
        assert [amount, fees, f"<strong>{balance}</strong>"] == [
            part.split(">", 1)[1].split("</td>")[0] for part in row.split('<td class="num"')[1:]
        ]

    detail = alice.get(f"/portal/invoices/{overdue.number}/")
    assert detail.status_code == 200
    text = page(detail)
    assert "Due 2026-09-02, 2 full months overdue on 2026-11-25" in text
    assert (
        "Month 2 (ended 2026-11-02): 1.5% of the principal unpaid at its end, 1000.00 USD = "
        "15.00 USD."
    ) in text
    assert "rounded half-up to the cent at the end: 30.00 USD." in text
    assert "Policy rules F2, F4" in text
