"""Bulk actions on the queue's checked tickets: each ticket through its own service call, with
its own audit event; a refused ticket is reported in plain words and the others still change.
And where each staff role lands after logging in, at / and at /console/."""

from __future__ import annotations

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.tickets import services as ticket_services
from rmadesk.tickets.models import Ticket
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html
from tests.signin import sign_in_with_password

pytestmark = pytest.mark.django_db


def bulk(client, data, back="assignee=none&sort=number"):
    return client.post("/console/queue/bulk", {"back": back, **data}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def events(verb: str) -> list[int]:
    return sorted(AuditEvent.objects.filter(verb=verb).values_list("ticket_number", flat=True))


def test_assign_changes_every_checked_ticket_and_reports_the_one_refused(desk):
    lead = make_user("manager")
    target = make_user("agent")
    numbers = [desk.breached.number, desk.soon.number, 999999, desk.on_track.number]
    response = bulk(
        client_for(lead), {"ticket": numbers, "action": "assign", "assignee": target.pk}
    )
    assert response.redirect_chain == [("/console/queue/?assignee=none&sort=number", 302)]
    assert messages_of(response) == [
        f"3 tickets assigned to {target.email} (#{desk.breached.number}, "
        f"#{desk.soon.number}, #{desk.on_track.number}).",
        "#999999 was not changed: there is no ticket 999999.",
    ]
    assert set(Ticket.objects.filter(assignee=target).values_list("number", flat=True)) == {
        desk.breached.number,
        desk.soon.number,
        desk.on_track.number,
    }
    assert events("ticket.assigned") == [
        desk.breached.number,
        desk.soon.number,
        desk.on_track.number,
    ]
    assert set(
        AuditEvent.objects.filter(verb="ticket.assigned").values_list("actor", flat=True)
    ) == {lead.pk}
    page = html(response)
    assert '<p class="notice error" role="status">#999999 was not changed' in page


def test_assign_to_me_and_unassign(desk):
    client = client_for(desk.agent)
    bulk(client, {"ticket": [desk.breached.number], "action": "assign", "assignee": "me"})
    assert Ticket.objects.get(pk=desk.breached.pk).assignee == desk.agent
    response = bulk(
        client, {"ticket": [desk.breached.number], "action": "assign", "assignee": "none"}
    )
    assert Ticket.objects.get(pk=desk.breached.pk).assignee is None
    assert messages_of(response) == [f"1 ticket assigned to nobody (#{desk.breached.number})."]


def test_wait_on_the_customer_and_resume(desk):
    client = client_for(desk.agent)
    checked = [desk.on_track.number, desk.paused.number]
    response = bulk(client, {"ticket": checked, "action": "wait"})
    assert messages_of(response) == [
        f"1 ticket now waits on the customer (rule L5) (#{desk.on_track.number}).",
        f"#{desk.paused.number} was not changed: only an open ticket can wait on the customer; "
        "this one is waiting on the customer.",
    ]
    assert Ticket.objects.get(pk=desk.on_track.pk).status == "waiting_on_customer"
    response = bulk(client, {"ticket": checked, "action": "resume"})
    assert messages_of(response) == [
        f"2 tickets wait on us again (rule L5) (#{desk.on_track.number}, #{desk.paused.number})."
    ]
    assert set(Ticket.objects.values_list("status", flat=True)) == {"open"}
    assert events("ticket.waiting_on_customer") == [desk.on_track.number, desk.paused.number]


def test_close_with_a_reason_or_out_of_scope(desk):
    client = client_for(desk.agent)
    refused = bulk(client, {"ticket": [desk.soon.number], "action": "close", "reason": " "})
    assert messages_of(refused) == [
        "Give a reason for closing: the customers see it with the ticket."
    ]
    assert Ticket.objects.get(pk=desk.soon.pk).status == "open"
    ticket_services.close_ticket(actor=desk.agent, ticket=desk.paused, reason="Answered.")
    response = bulk(
        client,
        {
            "ticket": [desk.soon.number, desk.paused.number, desk.on_track.number],
            "action": "close",
            "reason": "Duplicate of the pool ticket.",
        },
    )
    assert messages_of(response) == [
        f"2 tickets closed (#{desk.soon.number}, #{desk.on_track.number}).",
        # the ticket service's own words; the others closed all the same
        f"#{desk.paused.number} was not changed: ticket {desk.paused.number} is closed (resolved).",
    ]
    soon = Ticket.objects.get(pk=desk.soon.pk)
    assert (soon.status, soon.close_reason) == ("resolved", "Duplicate of the pool ticket.")
    assert events("ticket.closed") == sorted(
        [desk.soon.number, desk.on_track.number, desk.paused.number]
    )
    response = bulk(
        client,
        {
            "ticket": [desk.breached.number],
            "action": "close",
            "reason": "Not ours.",
            "out_of_scope": "no such reason",
        },
    )
    [message] = messages_of(response)
    assert message.startswith(f"#{desk.breached.number} was not changed: 'no such reason' is not")


def test_nothing_checked_or_no_action_says_so_and_changes_nothing(desk):
    client = client_for(desk.agent)
    before = AuditEvent.objects.count()
    assert messages_of(bulk(client, {"action": "wait"})) == ["Check at least one ticket first."]
    assert messages_of(bulk(client, {"ticket": [desk.soon.number]})) == [
        "Choose an action for the checked tickets."
    ]
    assert messages_of(
        bulk(client, {"ticket": [desk.soon.number], "action": "assign", "assignee": ""})
    ) == ["Choose whom to assign the tickets to."]
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_roles_that_do_not_work_tickets_are_refused_once(desk, role):
    client = client_for(make_user(role))
    before = AuditEvent.objects.count()
    response = bulk(
        client,
        {"ticket": [desk.soon.number, desk.on_track.number], "action": "wait"},
    )
    assert messages_of(response) == [
        "setting tickets to wait on the customer needs the role agent or manager."
    ]
    assert AuditEvent.objects.count() == before


# ------------------------------------------------------------------------------ landing


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("agent", "/console/"),
        ("manager", "/console/dashboard/"),  # the manager's page (issue 16)
        ("admin", "/console/"),
        ("clerk", "/console/receiving/"),
        ("finance", "/console/invoices/"),
    ],
)
def test_each_role_lands_where_it_works(db, role, landing):
    client = client_for(make_user(role))
    assert client.get("/")["Location"] == landing
    console = client.get("/console/")
    if landing == "/console/":
        assert console.status_code == 200 and "<h1>Queue</h1>" in html(console)
    else:
        assert (console.status_code, console["Location"]) == (302, landing)
    # the queue itself stays one click away for everyone
    queue = client.get("/console/queue/")
    assert queue.status_code == 200 and "<h1>Queue</h1>" in html(queue)
    assert '<a href="/console/queue/" aria-current="page">Queue</a>' in html(queue)


def test_logging_in_goes_through_the_landing(db):
    from rmadesk.core.services import add_user

    add_user(email="clerk@vendor.example", role="clerk", password="correct horse battery")
    client = client_for(None)
    # The password, then the second step (issue 13), then the landing.
    response = sign_in_with_password(client, "clerk@vendor.example", "correct horse battery")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/")["Location"] == "/console/receiving/"
