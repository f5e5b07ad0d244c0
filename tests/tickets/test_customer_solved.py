"""The customer marks their own ticket solved and may reopen it within the policy's period
(rmadesk's reading of L5), through the API with a customer's token and the services.

Gold S2 (4 business hours on T2): opened Monday 16 November 2026 09:00 Pacific, first response
due 13:00. Marked solved at 10:00, the clocks stop; reopenable until Monday 30 November 10:00
(`reopen_within_days = 14`).
"""

from __future__ import annotations

import pytest

from rmadesk.core import clock
from rmadesk.core.errors import PermissionDenied
from rmadesk.core.models import AuditEvent
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.selectors import reopen_until
from rmadesk.tickets.services import close_ticket, mark_breached_clocks, mark_solved
from tests.factories import CustomerFactory
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

OPENED = pacific(2026, 11, 16, 9, 0)
SOLVED = pacific(2026, 11, 16, 10, 0)


@pytest.fixture
def ticket():
    with clock.frozen_at(OPENED):
        return ticket_on(asset_on_plan("gold"), severity="S2")


def solve(contact, ticket, at=SOLVED):
    with clock.frozen_at(at):
        return contact(ticket.customer).post(f"/tickets/{ticket.number}/mark-solved", {})


def reopen(contact, ticket, at):
    with clock.frozen_at(at):
        return contact(ticket.customer).post(f"/tickets/{ticket.number}/reopen", {})


def test_L5_the_customer_marks_the_ticket_solved_and_its_clocks_stop(ticket, contact):
    answer = solve(contact, ticket)
    assert answer.status == 200, answer.body
    assert (answer.body["status"], answer.body["closed_by_customer"]) == ("resolved", True)
    assert answer.body["close_reason"] == "solved by the customer"
    found = Ticket.objects.get()
    assert (found.closed_at, found.next_due_at, found.is_breached) == (SOLVED, None, False)
    assert reopen_until(found) == pacific(2026, 11, 30, 10, 0)
    first = ServiceClock.objects.get(kind="first_response")
    assert (first.state, first.stopped_at) == ("met", SOLVED)
    # The due time (13:00) passes: the breach scan flags nothing on the solved ticket.
    assert mark_breached_clocks(now=pacific(2026, 11, 16, 14, 0)) == 0
    assert ServiceClock.objects.get(kind="first_response").state == "met"
    assert Ticket.objects.get().is_breached is False
    event = AuditEvent.objects.get(verb="ticket.solved_by_customer")
    assert (event.rules, event.changes["status"]) == (["L5"], ["open", "resolved"])
    closing = Message.objects.filter(ticket=found).last()
    assert (closing.kind, closing.body) == ("customer", "Closed by the customer (solved).")
    mail = OutboxMessage.objects.get(kind="ticket_closed")
    assert "Closed by the customer (solved)." in mail.text_body


def test_L5_reopened_within_the_period_the_next_update_is_owed_from_the_reopen(ticket, contact):
    solve(contact, ticket)
    # Friday 20 November 10:00: four business hours on T2 later is 14:00 the same day.
    answer = reopen(contact, ticket, pacific(2026, 11, 20, 10, 0))
    assert answer.status == 200, answer.body
    assert (answer.body["status"], answer.body["closed_at"]) == ("open", None)
    assert (answer.body["closed_by_customer"], answer.body["reopen_until"]) == (False, None)
    update = ServiceClock.objects.get(kind="next_update")
    assert (update.state, update.due_at) == ("running", pacific(2026, 11, 20, 14, 0))
    assert "(rule L5)" in update.explanation[0]
    assert Ticket.objects.get().next_due_at == pacific(2026, 11, 20, 14, 0)
    assert ServiceClock.objects.get(kind="first_response").state == "met"
    event = AuditEvent.objects.get(verb="ticket.reopened")
    assert (event.rules, event.changes["status"]) == (["L5"], ["resolved", "open"])


def test_L5_reopening_at_the_last_instant_is_allowed(ticket, contact):
    solve(contact, ticket)
    assert reopen(contact, ticket, pacific(2026, 11, 30, 10, 0)).status == 200


def test_L5_after_the_period_reopening_is_refused_with_what_to_do(ticket, contact):
    solve(contact, ticket)
    answer = reopen(contact, ticket, pacific(2026, 11, 30, 10, 1))
    assert (answer.status, answer.body["rule"], answer.body["field"]) == (409, "L5", "closed_at")
    assert answer.body["error"] == (
        f"ticket {ticket.number} could be reopened until Mon 30 Nov 2026 10:00 PST: open a new "
        f"ticket and mention ticket {ticket.number}"
    )
    assert Ticket.objects.get().status == "resolved"
    assert not AuditEvent.objects.filter(verb="ticket.reopened").exists()


def test_L5_a_ticket_staff_closed_is_not_reopened_by_the_customer(ticket, contact):
    with clock.frozen_at(SOLVED):
        close_ticket(actor=user("agent"), ticket=ticket, reason="Replaced the disk.")
    answer = reopen(contact, ticket, pacific(2026, 11, 17, 10, 0))
    assert (answer.status, answer.body["rule"], answer.body["field"]) == (409, "L5", "status")
    assert "was closed by our staff" in answer.body["error"]
    assert Ticket.objects.get().status == "resolved"


def test_another_customer_cannot_close_or_reopen_it_and_nothing_changes(ticket, contact):
    other = contact(CustomerFactory(name="Globex"))
    before = (AuditEvent.objects.count(), Message.objects.count())
    with clock.frozen_at(SOLVED):
        closing = other.post(f"/tickets/{ticket.number}/mark-solved", {})
    assert (closing.status, closing.body["error"]) == (404, "not found")
    assert Ticket.objects.get().status == "open"
    assert (AuditEvent.objects.count(), Message.objects.count()) == before
    solve(contact, ticket)
    before = (AuditEvent.objects.count(), Message.objects.count())
    with clock.frozen_at(pacific(2026, 11, 17, 10, 0)):
        reopening = other.post(f"/tickets/{ticket.number}/reopen", {})
    assert reopening.status == 404
    assert Ticket.objects.get().status == "resolved"
    assert (AuditEvent.objects.count(), Message.objects.count()) == before


def test_staff_close_with_a_reason_not_by_marking_solved(ticket, staff):
    with clock.frozen_at(SOLVED):
        answer = staff("agent").post(f"/tickets/{ticket.number}/mark-solved", {})
    assert (answer.status, answer.body["field"]) == (403, "status")
    assert Ticket.objects.get().status == "open"


def test_a_customer_cannot_backdate_marking_solved(ticket):
    contact = user("customer", ticket.customer)
    with clock.frozen_at(SOLVED), pytest.raises(PermissionDenied, match="staff"):
        mark_solved(actor=contact, ticket=ticket, at=OPENED)
    assert Ticket.objects.get().status == "open"
