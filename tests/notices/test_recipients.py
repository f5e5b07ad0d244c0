"""Who hears of what: the assignee, else the plan's team, never the person who did it."""

from __future__ import annotations

import pytest

from rmadesk.core.events import dispatch, from_payload
from rmadesk.core.models import AuditEvent, Team
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.notices.models import Notice
from rmadesk.notices.services import set_preferences
from rmadesk.rmas.services import open_rma, receive_return
from rmadesk.tickets.services import assign_ticket, mark_solved, reopen_ticket, reply
from tests.notices.conftest import NOW, mailed, noticed

pytestmark = pytest.mark.django_db


def test_a_portal_ticket_without_assignee_goes_to_the_plans_team_by_app_and_mail(desk):
    ticket = desk.open()
    # Premium serves gold: Ann and Ben; Cid (Basic), the clerk and the manager hear nothing.
    assert noticed("new_ticket") == ["ann@vendor.example", "ben@vendor.example"]
    assert mailed("new_ticket") == [["ann@vendor.example"], ["ben@vendor.example"]]
    notice = Notice.objects.get(recipient=desk.ann)
    assert notice.text == (f"New ticket #{ticket.number} from Acme Storage (S2): Pool degraded")
    assert (notice.ticket_number, notice.rma_number, notice.read_at) == (ticket.number, None, None)
    assert notice.created_at == NOW
    mail = OutboxMessage.objects.get(to=["ann@vendor.example"])
    assert mail.subject == f"[#{ticket.number}] New ticket (S2, Acme Storage): Pool degraded"
    assert "Customer: Acme Storage" in mail.text_body
    assert "One disk failed." in mail.text_body
    # Gold S2: 4 hours on Pacific business hours from 10:00 PST (T5), in Ann's zone (T1).
    assert "First response due: Wed 18 Nov 2026 14:00 PST" in mail.text_body
    assert f"/console/tickets/{ticket.number}/" in mail.text_body
    assert mail.headers["Auto-Submitted"] == "auto-generated"


def test_the_agent_who_opens_a_ticket_is_not_told_of_it(desk):
    desk.open(actor=desk.ann)
    assert noticed() == ["ben@vendor.example"]
    assert mailed() == [["ben@vendor.example"]]


def test_without_a_team_for_the_plan_the_managers_hear(desk):
    Team.objects.filter(name="Premium").update(plans=["silver"])
    retired = add_user(email="retired@vendor.example", role="manager")
    retired.is_active = False
    retired.save()
    desk.open()
    assert noticed() == ["lead@vendor.example"]  # not the agents, not the retired manager


def test_team_members_who_left_or_are_not_staff_hear_nothing(desk):
    desk.ben.is_active = False
    desk.ben.save()
    Team.objects.get(name="Premium").members.add(desk.contact)
    desk.open()
    assert noticed() == ["ann@vendor.example"]


def test_a_customer_reply_goes_to_the_assignee_only(desk):
    ticket = desk.open()
    assign_ticket(actor=desk.manager, ticket=ticket, assignee=desk.cid)
    Notice.objects.all().delete()
    OutboxMessage.objects.filter(kind__startswith="notice_").delete()
    reply(actor=desk.contact, ticket=ticket, body="Here is the debug file.", public=True)
    assert noticed() == ["cid@vendor.example"]
    assert mailed("customer_reply") == [["cid@vendor.example"]]
    notice = Notice.objects.get()
    assert notice.kind == "customer_reply"
    assert notice.text == f"Acme Storage replied on #{ticket.number}: Pool degraded"
    mail = OutboxMessage.objects.get(kind="notice_customer_reply")
    assert "Here is the debug file." in mail.text_body


def test_a_customer_reply_to_an_inactive_assignee_goes_to_the_team(desk):
    ticket = desk.open()
    assign_ticket(actor=desk.manager, ticket=ticket, assignee=desk.cid)
    desk.cid.is_active = False
    desk.cid.save()
    reply(actor=desk.contact, ticket=ticket, body="Any news?", public=True)
    assert noticed("customer_reply") == ["ann@vendor.example", "ben@vendor.example"]


def test_an_agents_public_reply_and_a_plain_note_notify_nobody(desk):
    ticket = desk.open()
    Notice.objects.all().delete()
    reply(actor=desk.ann, ticket=ticket, body="Looking at it.", public=True)
    reply(actor=desk.ann, ticket=ticket, body="Probably the HBA.", public=False)
    assert noticed() == []


@pytest.mark.parametrize(
    ("choice", "in_app", "by_mail"),
    [("both", True, True), ("in_app", True, False), ("mail", False, True), ("off", False, False)],
)
def test_each_user_chooses_per_kind(desk, choice, in_app, by_mail):
    set_preferences(actor=desk.ben, choices={"new_ticket": choice})
    desk.open()
    assert ("ben@vendor.example" in noticed()) is in_app
    assert (["ben@vendor.example"] in mailed()) is by_mail
    # Ann never chose: both.
    assert "ann@vendor.example" in noticed() and ["ann@vendor.example"] in mailed()


def test_a_choice_for_one_kind_leaves_the_others(desk):
    set_preferences(actor=desk.ann, choices={"customer_reply": "off"})
    desk.open()
    assert noticed() == ["ann@vendor.example", "ben@vendor.example"]


def test_an_event_handed_out_twice_notifies_and_mails_each_recipient_once(desk):
    ticket = desk.open()
    row = AuditEvent.objects.get(verb="ticket.opened", ticket_number=ticket.number)
    event = from_payload(row.event_type, row.payload or {}, audit_id=row.pk)
    assert dispatch(event)
    assert noticed() == ["ann@vendor.example", "ben@vendor.example"]
    assert OutboxMessage.objects.filter(kind="notice_new_ticket").count() == 2


def test_a_mailed_ticket_notifies_the_team(desk):
    Contact.objects.create(customer=desk.customer, name="Alice", email="alice@acme.example")
    raw = (
        b"From: Alice <alice@acme.example>\nTo: support@rmadesk.example\n"
        b"Subject: ACME-0001 pool degraded\nMessage-ID: <pool@acme.example>\n\n"
        b"Serial ACME-0001: one disk failed.\n"
    )
    outcome = ingest_message(raw)
    assert outcome.ticket_id is not None, outcome.reason
    assert noticed("new_ticket") == ["ann@vendor.example", "ben@vendor.example"]


def test_a_package_received_goes_to_the_assignee_not_the_clerk(desk):
    ticket = desk.open()
    assign_ticket(actor=desk.manager, ticket=ticket, assignee=desk.ben)
    rma = open_rma(
        actor=desk.ben,
        ticket=ticket,
        kind="advance_exchange",
        items=[{"part": "4 TB drive", "serial": "WD-77", "unit_price": "189.00"}],
    )
    Notice.objects.all().delete()
    OutboxMessage.objects.filter(kind__startswith="notice_").delete()
    receive_return(actor=desk.clerk, label_rma_number=rma.number, received_at=NOW)
    assert noticed("package_received") == ["ben@vendor.example"]
    assert mailed("package_received") == [["ben@vendor.example"]]
    notice = Notice.objects.get()
    assert (notice.ticket_number, notice.rma_number) == (ticket.number, rma.number)
    assert notice.text == f"The package for RMA {rma.number} arrived (Acme Storage): Pool degraded"


def test_a_package_for_an_unassigned_ticket_goes_to_the_team_and_no_clerk(desk):
    ticket = desk.open()
    rma = open_rma(
        actor=desk.ann,
        ticket=ticket,
        kind="advance_exchange",
        items=[{"part": "4 TB drive", "serial": "WD-77", "unit_price": "189.00"}],
    )
    other_clerk = add_user(email="clerk2@vendor.example", role="clerk")
    Team.objects.get(name="Premium").members.add(desk.clerk)
    receive_return(actor=desk.clerk, label_rma_number=rma.number, received_at=NOW)
    # The clerk on the team booked it in (not told); the other clerk is on no team.
    assert noticed("package_received") == ["ann@vendor.example", "ben@vendor.example"]
    assert other_clerk.notices.count() == 0


def test_L5_a_ticket_the_customer_reopens_is_heard_as_a_customer_reply(desk):
    ticket = desk.open()
    assign_ticket(actor=desk.manager, ticket=ticket, assignee=desk.cid)
    mark_solved(actor=desk.contact, ticket=ticket)
    Notice.objects.all().delete()
    OutboxMessage.objects.filter(kind__startswith="notice_").delete()
    reopen_ticket(actor=desk.contact, ticket=ticket)
    assert noticed("customer_reply") == ["cid@vendor.example"]
    notice = Notice.objects.get()
    assert notice.text == f"Acme Storage reopened #{ticket.number}: Pool degraded"
    mail = OutboxMessage.objects.get(kind="notice_customer_reply")
    assert "Next update due: Wed 18 Nov 2026 14:00 PST" in mail.text_body
