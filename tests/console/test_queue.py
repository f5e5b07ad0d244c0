"""The queue (/console/): open tickets by next due time with badges, filters, search (closed
tickets too), HTMX, pagination and a fixed number of queries whatever the number of tickets.
Views, sorting and bulk actions: test_queue_views.py, test_queue_bulk.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.rmas.services import open_rma
from rmadesk.tickets import services as ticket_services
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html, queue_numbers, row_of
from tests.factories import CustomerFactory
from tests.tickets.factories import asset_on_plan, pacific

pytestmark = pytest.mark.django_db


def test_queue_lists_open_tickets_soonest_due_first_with_their_badges(desk):
    response = client_for(desk.agent).get("/console/")
    assert response.status_code == 200
    page = html(response)
    assert queue_numbers(page) == [
        desk.breached.number,  # due Tue 17 Nov 13:00: overdue
        desk.soon.number,  # due 10:30 today
        desk.on_track.number,  # due 13:00 today
        desk.paused.number,  # no due time while waiting on the customer: last
    ]
    breached = row_of(page, desk.breached.number)
    assert '<span class="badge breached">breached</span>' in breached
    assert 'data-units="d h min" title="Tue 17 Nov 2026, 13:00 PST (-08:00)"' in breached
    assert '<time datetime="2026-11-17T21:00:00+00:00" data-countdown' in breached
    soon = row_of(page, desk.soon.number)
    assert '<span class="badge soon">due within the hour</span>' in soon
    assert 'title="Wed 18 Nov 2026, 10:30 PST (-08:00)"' in soon
    on_track = row_of(page, desk.on_track.number)
    assert '<span class="badge on-track">on track</span>' in on_track
    assert 'title="Wed 18 Nov 2026, 13:00 PST (-08:00)"' in on_track
    assert "Acme Storage <small" in on_track and "ACME-0001 · gold</small>" in on_track
    paused = row_of(page, desk.paused.number)
    assert '<span class="badge paused">paused: waiting on the customer</span>' in paused
    assert "data-countdown" not in paused
    assert "4 tickets in the queue" in page


def test_closed_tickets_leave_the_queue(desk):
    ticket_services.close_ticket(actor=desk.agent, ticket=desk.soon, reason="Fixed by a reboot.")
    page = html(client_for(desk.agent).get("/console/"))
    assert desk.soon.number not in queue_numbers(page)


def test_a_ticket_answered_late_shows_its_breach_next_to_the_on_track_update(desk):
    ticket_services.reply(actor=desk.agent, ticket=desk.breached, body="Looking.", public=True)
    page = html(client_for(desk.agent).get("/console/"))
    row = row_of(page, desk.breached.number)
    # First response breached on Tue 17 Nov; the next update is owed 14:00 today (L5).
    assert '<span class="badge on-track">on track</span>' in row
    assert "breached before" in row
    assert 'title="Wed 18 Nov 2026, 14:00 PST (-08:00)"' in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("severity=S1", ["soon"]),
        ("severity=S2", ["breached", "on_track"]),
        ("status=waiting_on_customer", ["paused"]),
        ("status=open", ["breached", "soon", "on_track"]),
        ("plan=silver", []),
        ("plan=gold&severity=S3", ["paused"]),
        ("channel=phone", ["breached", "soon", "on_track", "paused"]),
        ("channel=email", []),
    ],
)
def test_queue_filters(desk, query, expected):
    page = html(client_for(desk.agent).get(f"/console/?{query}"))
    assert queue_numbers(page) == [getattr(desk, name).number for name in expected]


def test_queue_filters_by_assignee_and_customer(desk):
    other = make_user("agent")
    ticket_services.assign_ticket(actor=desk.agent, ticket=desk.on_track, assignee=other)
    globex = CustomerFactory(name="Globex Media")
    asset = asset_on_plan("silver", customer=globex, serial="GLX-0077")
    theirs = ticket_services.open_ticket(
        actor=desk.agent,
        serial=asset.serial,
        severity="S2",
        subject="Fan noise",
        body="A fan is loud.",
        channel="email",
        opened_at=pacific(2026, 11, 18, 9, 30),
    )
    client = client_for(desk.agent)
    assert queue_numbers(html(client.get(f"/console/?assignee={other.pk}"))) == [
        desk.on_track.number
    ]
    unassigned = queue_numbers(html(client.get("/console/?assignee=none")))
    assert desk.on_track.number not in unassigned and theirs.number in unassigned
    assert queue_numbers(html(client.get(f"/console/?customer={globex.pk}"))) == [theirs.number]
    page = html(client.get(f"/console/?customer={globex.pk}"))
    assert f'<option value="{globex.pk}" selected>Globex Media</option>' in page


@pytest.fixture
def globex(desk):
    """Another customer's ticket, with a later reply and an RMA, to be found by search."""
    customer = CustomerFactory(name="Globex Media")
    asset = asset_on_plan("silver", customer=customer, serial="GLX-0077")
    ticket = ticket_services.open_ticket(
        actor=desk.agent,
        serial=asset.serial,
        severity="S3",
        subject="Enclosure alert",
        body="The enclosure reports a fault.",
        channel="email",
        opened_at=pacific(2026, 11, 18, 9, 30),
    )
    ticket_services.reply(
        actor=desk.agent, ticket=ticket, body="Please check the xylophonic beeping.", public=True
    )
    open_rma(
        actor=desk.agent,
        ticket=ticket,
        kind="repair",
        items=[{"part": "PSU", "serial": "PSU-ZX81", "unit_price": Decimal("120.00")}],
    )
    return ticket


@pytest.mark.parametrize(
    "search",
    [
        "GLX-0077",  # the asset's serial
        "glx-00",  # part of it, any case
        "PSU-ZX81",  # an RMA item's serial
        "globex",  # the customer's name
        "Globex Media",
        "xylophonic",  # a word of a later message
        "enclosure reports",  # the first message
        "Enclosure alert",  # the subject
    ],
)
def test_search_finds_a_ticket_by_serial_customer_and_text(desk, globex, search):
    page = html(client_for(desk.agent).get("/console/", {"q": search}))
    assert queue_numbers(page) == [globex.number]


@pytest.mark.parametrize("form", ["{n}", "#{n}", "RMA {n}", " {n} "])
def test_search_finds_a_ticket_by_its_number_which_is_its_rma_number(desk, globex, form):
    page = html(client_for(desk.agent).get("/console/", {"q": form.format(n=globex.number)}))
    assert queue_numbers(page) == [globex.number]


def test_search_combines_with_filters_and_says_when_nothing_matches(desk, globex):
    client = client_for(desk.agent)
    assert queue_numbers(html(client.get("/console/", {"q": "pool"}))) == [
        desk.breached.number,
        desk.soon.number,
    ]
    assert queue_numbers(html(client.get("/console/", {"q": "pool", "severity": "S1"}))) == [
        desk.soon.number
    ]
    page = html(client.get("/console/", {"q": "no such words"}))
    assert queue_numbers(page) == []
    assert "No ticket matches these filters." in page


def test_htmx_request_gets_the_table_only_and_the_form_works_without_js(desk):
    client = client_for(desk.agent)
    full = html(client.get("/console/", {"severity": "S1"}))
    assert '<form method="get" action="/console/" id="queue-filters"' in full
    assert 'hx-get="/console/" hx-target="#queue-results" hx-push-url="true"' in full
    assert '<label for="queue-q">Search</label>' in full
    assert '<option value="S1" selected>S1 critical</option>' in full
    partial = client.get("/console/", {"severity": "S1"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    fragment = html(partial)
    assert "<html" not in fragment and "queue-filters" not in fragment
    assert queue_numbers(fragment) == [desk.soon.number]
    assert '<nav id="queue-views" class="queue-views" aria-label="Views" hx-swap-oob="true">' in (
        fragment
    )
    # the live refresh: the table body's rows only, every 30 s, with the same filters
    assert (
        '<tbody id="queue-rows" hx-get="/console/?severity=S1" hx-trigger="every 30s" '
        'hx-target="this" hx-swap="innerHTML">'
    ) in full
    rows = html(
        client.get(
            "/console/", {"severity": "S1"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows"
        )
    )
    assert rows.lstrip().startswith('<tr class="queue-row"') and "<tbody" not in rows
    assert queue_numbers(rows) == [desk.soon.number]


def test_queue_pages_hold_25_tickets(desk):
    agent = desk.agent
    for hour in range(25):
        ticket_services.open_ticket(
            actor=agent,
            serial=desk.asset.serial,
            severity="S4",
            subject=f"Question {hour}",
            body="How do I?",
            channel="email",
            opened_at=pacific(2026, 11, 18, 9, 0),
        )
    client = client_for(agent)
    first = html(client.get("/console/"))
    assert len(queue_numbers(first)) == 25
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = html(client.get("/console/?page=2"))
    assert len(queue_numbers(second)) == 4
    assert queue_numbers(second)[-1] == desk.paused.number
    filtered = html(client.get("/console/?severity=S4"))
    assert "Page 1 of 1" not in filtered  # 25 S4 tickets: one page, no pager
    assert len(queue_numbers(filtered)) == 25


def _open_tickets(agent, count, start):
    """`count` tickets for as many customers and assignees (no two rows share related rows)."""
    for i in range(count):
        customer = CustomerFactory(name=f"Queue customer {start + i}")
        asset = asset_on_plan("gold", customer=customer)
        ticket = ticket_services.open_ticket(
            actor=agent,
            serial=asset.serial,
            severity=("S1", "S2", "S3", "S4")[i % 4],
            subject=f"Ticket {start + i}",
            body="Something broke.",
            channel="portal",
            opened_at=pacific(2026, 11, 18, 8, 0),
        )
        ticket_services.assign_ticket(actor=agent, ticket=ticket, assignee=make_user("agent"))


@pytest.mark.parametrize("query", ["", "?severity=S2&plan=gold", "?q=Ticket", "?page=2"])
def test_queue_runs_a_fixed_number_of_queries_for_5_or_50_tickets(
    db, query, django_assert_max_num_queries
):
    agent = make_user("agent")
    client = client_for(agent)
    _open_tickets(agent, 5, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/console/{query}").status_code == 200
    _open_tickets(agent, 45, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/console/{query}")
    assert response.status_code == 200
    if not query:
        assert len(queue_numbers(html(response))) == 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # session, user, role, saved views, count, one page of tickets with their customer, asset
    # and assignee (and last activity), the assignee and customer filter options
    with django_assert_max_num_queries(8):
        client.get(f"/console/{query}")
    with django_assert_max_num_queries(7):  # htmx: the table and the views, no filter options
        client.get(f"/console/{query}", HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(5):  # the live refresh: the rows only
        client.get(f"/console/{query}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
