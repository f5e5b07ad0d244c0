"""The queue's views (built-in and saved), its sortable columns, closed tickets in the status
filter and in search, the folding filter panel, and a fixed number of queries for every view."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.console.models import SavedView
from rmadesk.console.queue_selectors import BUILT_IN_VIEWS, QueueFilters, start_of_week
from rmadesk.core import clock
from rmadesk.core.errors import Conflict
from rmadesk.core.models import AuditEvent
from rmadesk.tickets import services as ticket_services
from rmadesk.tickets.models import Ticket
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html, queue_numbers, text_of
from tests.factories import CustomerFactory
from tests.tickets.factories import asset_on_plan, pacific

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def day(desk):
    """The desk (breached, soon, on_track, paused) plus: on_track assigned to the agent, soon
    to another agent; a ticket closed on Monday of this week and one closed last Sunday."""
    other = make_user("agent")
    ticket_services.assign_ticket(actor=desk.agent, ticket=desk.on_track, assignee=desk.agent)
    ticket_services.assign_ticket(actor=desk.agent, ticket=desk.soon, assignee=other)

    def closed(subject: str, at: dt.datetime):
        ticket = ticket_services.open_ticket(
            actor=desk.agent,
            serial=desk.asset.serial,
            severity="S3",
            subject=subject,
            body="Fixed by a firmware update.",
            channel="email",
            opened_at=at - dt.timedelta(hours=2),
        )
        return ticket_services.close_ticket(
            actor=desk.agent, ticket=ticket, reason="Firmware 13.1 fixes it.", at=at
        )

    desk.other = other
    # Monday 16 Nov 00:05 Pacific is this week; Sunday 15 Nov 23:55 Pacific is last week
    # (07:55 UTC on Monday: the vendor's week, not UTC's).
    desk.this_week = closed("Firmware question", pacific(2026, 11, 16, 0, 5))
    desk.last_week = closed("Older firmware question", pacific(2026, 11, 15, 23, 55))
    return desk


def numbers(client, query: str) -> list[int]:
    return queue_numbers(html(client.get(f"/console/queue/?{query}")))


# ------------------------------------------------------------------------------- built-in views


def test_the_built_in_views_list_what_their_names_say(day):
    client = client_for(day.agent)
    views = {view.key: view.query for view in BUILT_IN_VIEWS}
    assert numbers(client, views["mine"]) == [day.on_track.number]
    assert numbers(client, views["unassigned"]) == [day.breached.number, day.paused.number]
    assert numbers(client, views["breaching"]) == [day.soon.number]  # 10:30, within the hour
    assert numbers(client, views["waiting"]) == [day.paused.number]
    assert numbers(client, views["closed-week"]) == [day.this_week.number]
    assert numbers(client, views["all"]) == [
        day.breached.number,
        day.soon.number,
        day.on_track.number,
        day.paused.number,
        day.this_week.number,  # no due time: by number
        day.last_week.number,
    ]


def test_breaching_within_the_hour_leaves_out_what_is_already_overdue_and_later_ones(day):
    client = client_for(day.agent)
    with clock.frozen_at(pacific(2026, 11, 18, 12, 5)):  # on_track is due 13:00
        assert numbers(client, "due=hour") == [day.on_track.number]
    with clock.frozen_at(pacific(2026, 11, 18, 11, 59)):  # 13:00 is 61 minutes away
        assert numbers(client, "due=hour") == []


def test_mine_is_the_viewers_own_tickets(day):
    assert numbers(client_for(day.other), "assignee=me") == [day.soon.number]
    assert numbers(client_for(make_user("manager")), "assignee=me") == []


def test_the_views_are_links_and_the_chosen_one_is_marked(day):
    page = html(client_for(day.agent).get("/console/queue/?assignee=me"))
    assert '<nav id="queue-views" class="queue-views" aria-label="Views">' in page
    for name, href in (
        ("Mine", "/console/queue/?assignee=me"),
        ("Unassigned", "/console/queue/?assignee=none"),
        ("Breaching within the hour", "/console/queue/?due=hour"),
        ("Waiting on customer", "/console/queue/?status=waiting_on_customer"),
        ("Closed this week", "/console/queue/?closed=week&amp;sort=-number"),
        ("All", "/console/queue/?status=any"),
    ):
        current = ' aria-current="page"' if name == "Mine" else ""
        assert f'<a href="{href}"{current}>{name}</a>' in page
    assert "<title>Mine · Queue · rmadesk</title>" in page
    assert "<strong>Mine</strong>: 1 ticket matches." in page
    # re-sorted, still the same view; narrowed by hand, no view
    resorted = html(client_for(day.agent).get("/console/queue/?assignee=me&sort=severity"))
    assert '<a href="/console/queue/?assignee=me" aria-current="page">Mine</a>' in resorted
    narrowed = html(client_for(day.agent).get("/console/queue/?assignee=me&severity=S1"))
    assert 'aria-current="page">' not in narrowed.split('id="queue-views"')[1].split("</nav>")[0]


def test_the_filters_fold_away_when_a_view_is_chosen_and_the_choice_is_remembered(day):
    client = client_for(day.agent)
    opened = '<details id="queue-filter-panel" class="queue-filter-panel" open>'
    folded = '<details id="queue-filter-panel" class="queue-filter-panel">'
    assert folded in html(client.get("/console/queue/"))  # nothing in use: nothing to show
    assert opened in html(client.get("/console/queue/?severity=S1"))  # filtered by hand
    assert folded in html(client.get("/console/queue/?status=any"))  # a view
    client.cookies["rmadesk_queue_filters"] = "open"  # what the page's script sets on a toggle
    assert opened in html(client.get("/console/queue/?status=any"))
    client.cookies["rmadesk_queue_filters"] = "closed"
    assert folded in html(client.get("/console/queue/?severity=S1"))


# ------------------------------------------------------------------- closed tickets are found


def test_the_status_filter_reaches_closed_tickets(day):
    client = client_for(day.agent)
    closed = [day.this_week.number, day.last_week.number]
    assert numbers(client, "status=closed") == closed
    assert numbers(client, "status=resolved") == closed
    assert numbers(client, "status=out_of_scope") == []
    assert numbers(client, "") == [
        day.breached.number,
        day.soon.number,
        day.on_track.number,
        day.paused.number,
    ]
    page = html(client.get("/console/queue/?status=closed"))
    assert (
        '<option value="closed" selected>closed (resolved, out of scope or warranty denied)'
        "</option>" in page
    )
    assert "resolved <small" in page


def test_search_finds_closed_tickets_too_unless_a_status_says_otherwise(day):
    client = client_for(day.agent)
    assert numbers(client, "q=firmware") == [day.this_week.number, day.last_week.number]
    assert numbers(client, f"q={day.this_week.number}") == [day.this_week.number]
    assert numbers(client, "q=firmware&status=open") == []
    assert numbers(client, "q=pool&status=closed") == []


def test_the_vendors_week_starts_monday_at_midnight_pacific(day):
    assert start_of_week(NOW, LA) == pacific(2026, 11, 16, 0, 0)
    # 07:30 UTC on Monday is still Sunday in Pacific: last week's Monday
    assert start_of_week(dt.datetime(2026, 11, 16, 7, 30, tzinfo=dt.UTC), LA) == pacific(
        2026, 11, 9, 0, 0
    )
    # across the end of daylight saving time (Sunday 1 Nov 2026)
    assert start_of_week(pacific(2026, 11, 1, 23, 0), LA) == pacific(2026, 10, 26, 0, 0)


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_start_of_week_is_the_last_monday_midnight_on_the_vendors_clock(naive):
    now = naive.replace(tzinfo=dt.UTC)
    start = start_of_week(now, LA)
    local = start.astimezone(LA)
    assert (local.weekday(), local.hour, local.minute, local.second) == (0, 0, 0, 0)
    assert start <= now
    assert now - start < dt.timedelta(days=7, hours=1)  # a week, one DST hour more at most
    assert now.astimezone(LA).date() - local.date() < dt.timedelta(days=7)


# ------------------------------------------------------------------------------- sorting


@pytest.fixture
def sortable(day):
    """A second customer's S1, assigned to a manager, to tell the sorts apart."""
    customer = CustomerFactory(name="Zeta Works")
    asset = asset_on_plan("silver", customer=customer, serial="ZW-1")
    ticket = ticket_services.open_ticket(
        actor=day.agent,
        serial=asset.serial,
        severity="S1",
        subject="Array offline",
        body="Nothing answers.",
        channel="portal",
        opened_at=pacific(2026, 11, 18, 9, 50),
    )
    manager = make_user("manager")
    with clock.frozen_at(NOW + dt.timedelta(minutes=5)):  # updated last
        ticket_services.assign_ticket(actor=day.agent, ticket=ticket, assignee=manager)
    with clock.frozen_at(NOW + dt.timedelta(minutes=2)):  # an internal note: updated too
        ticket_services.reply(actor=day.agent, ticket=day.breached, body="Seen.", public=False)
    day.zeta = ticket
    return day


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["breached", "soon", "on_track", "zeta", "paused"]),  # soonest due first
        ("due", ["breached", "soon", "on_track", "zeta", "paused"]),
        ("-due", ["paused", "zeta", "on_track", "soon", "breached"]),
        ("number", ["breached", "soon", "on_track", "paused", "zeta"]),
        ("-number", ["zeta", "paused", "on_track", "soon", "breached"]),
        # equal keys: the queue's order (soonest due, then number) breaks the tie
        ("severity", ["soon", "zeta", "breached", "on_track", "paused"]),
        ("-severity", ["paused", "on_track", "breached", "zeta", "soon"]),
        ("status", ["breached", "soon", "on_track", "zeta", "paused"]),
        ("-status", ["paused", "zeta", "on_track", "soon", "breached"]),
        ("customer", ["breached", "soon", "on_track", "paused", "zeta"]),
        ("-customer", ["zeta", "paused", "on_track", "soon", "breached"]),
        # by the assignee's login (agent1, agent2, manager1), the unassigned last either way
        ("assignee", ["on_track", "soon", "zeta", "breached", "paused"]),
        ("-assignee", ["zeta", "soon", "on_track", "paused", "breached"]),
        # last changed: zeta 10:05, breached 10:02, the others 10:00 (equal: by due time)
        ("updated", ["soon", "on_track", "paused", "breached", "zeta"]),
        ("-updated", ["zeta", "breached", "paused", "on_track", "soon"]),
        ("nonsense", ["breached", "soon", "on_track", "zeta", "paused"]),
    ],
)
def test_every_column_sorts_both_ways_with_a_stable_tie_break(sortable, sort, expected):
    got = numbers(client_for(sortable.agent), f"sort={sort}" if sort else "")
    assert got == [getattr(sortable, name).number for name in expected]


def test_every_ticket_service_marks_the_ticket_updated_and_the_row_shows_it(desk):
    def updated(ticket):
        return Ticket.objects.get(pk=ticket.pk).updated_at

    assert updated(desk.soon) == NOW  # opened (in the fixture, at the frozen "now")
    steps = [
        lambda: ticket_services.reply(actor=desk.agent, ticket=desk.soon, body="Hi", public=True),
        lambda: ticket_services.wait_on_customer(actor=desk.agent, ticket=desk.soon),
        lambda: ticket_services.resume_ticket(actor=desk.agent, ticket=desk.soon),
        lambda: ticket_services.change_severity(actor=desk.agent, ticket=desk.soon, severity="S2"),
        lambda: ticket_services.assign_ticket(
            actor=desk.agent, ticket=desk.soon, assignee=desk.agent
        ),
        lambda: ticket_services.close_ticket(actor=desk.agent, ticket=desk.soon, reason="Done."),
    ]
    for minutes, step in enumerate(steps, start=1):
        with clock.frozen_at(NOW + dt.timedelta(minutes=minutes)):
            step()
        assert updated(desk.soon) == NOW + dt.timedelta(minutes=minutes)
    # a refused change leaves it as it was
    with clock.frozen_at(NOW + dt.timedelta(hours=1)), pytest.raises(Conflict):
        ticket_services.wait_on_customer(actor=desk.agent, ticket=desk.soon)
    assert updated(desk.soon) == NOW + dt.timedelta(minutes=6)
    row = html(client_for(desk.agent).get("/console/queue/?status=closed"))
    assert (
        '<time datetime="2026-11-18T18:06:00+00:00" title="Wed 18 Nov 2026, 10:06 PST (-08:00)">'
        "Wed 18 Nov, 10:06</time>"
    ) in row


def test_the_data_migration_fills_updated_from_the_latest_audit_event(desk):
    with clock.frozen_at(NOW + dt.timedelta(hours=2)):
        ticket_services.reply(actor=desk.agent, ticket=desk.soon, body="Hi", public=True)
    Ticket.objects.update(updated_at=None)
    AuditEvent.objects.filter(ticket_number=desk.on_track.number).delete()
    migration = importlib.import_module("rmadesk.tickets.migrations.0011_fill_ticket_updated_at")
    migration.fill(apps, None)
    found = dict(Ticket.objects.values_list("number", "updated_at"))
    assert found[desk.soon.number] == NOW + dt.timedelta(hours=2)
    assert found[desk.paused.number] == pacific(2026, 11, 16, 10, 5)  # the wait (back-dated)
    assert found[desk.on_track.number] == desk.on_track.opened_at  # no event: when opened


def test_column_headers_are_sort_links_that_keep_the_filters(day):
    page = html(client_for(day.agent).get("/console/queue/?assignee=me&sort=severity"))
    assert (
        '<th scope="col" class="col-severity" aria-sort="ascending">'
        '<a href="/console/queue/?assignee=me&amp;sort=-severity"'
    ) in page
    assert (
        '<th scope="col" class="col-customer">'
        '<a href="/console/queue/?assignee=me&amp;sort=customer"'
    ) in page
    # the queue's own order is no sort in the URL
    assert '<th scope="col" class="col-due"><a href="/console/queue/?assignee=me"' in page
    default = html(client_for(day.agent).get("/console/queue/"))
    assert (
        '<th scope="col" class="col-due" aria-sort="ascending"><a href="/console/queue/?sort=-due"'
        in (default)
    )


def test_whole_rows_carry_their_ticket_link_for_the_pointer_and_the_keyboard(day):
    page = html(client_for(day.agent).get("/console/queue/"))
    n = day.soon.number
    assert f'<tr class="queue-row" data-number="{n}" data-href="/console/tickets/{n}/">' in page
    assert f'<a class="row-link" href="/console/tickets/{n}/">#{n}</a>' in page
    assert (
        f'<input type="checkbox" name="ticket" value="{n}" form="queue-bulk" id="pick-{n}" '
        f'aria-label="Check ticket #{n}">'
    ) in page


# ------------------------------------------------------------------------------- saved views


def post(client, path, data):
    return client.post(path, data, follow=True)


def test_an_agent_saves_a_view_from_any_filters_and_it_is_listed_for_them_only(day):
    client = client_for(day.agent)
    response = post(
        client,
        "/console/queue/views/",
        {"name": "  My S1s  ", "query": "sort=-updated&severity=S1&q=&page=3&junk=1"},
    )
    assert response.redirect_chain == [("/console/queue/?severity=S1&sort=-updated", 302)]
    page = html(response)
    assert "View “My S1s” saved." in page
    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query, view.is_shared) == (
        day.agent,
        "My S1s",
        "severity=S1&sort=-updated",
        False,
    )
    link = '<a href="/console/queue/?severity=S1&amp;sort=-updated" aria-current="page">My S1s</a>'
    assert link in page
    event = AuditEvent.objects.get(verb="queue_view.saved")
    assert (event.actor, event.subject_id) == (day.agent, str(view.pk))
    other = html(client_for(day.other).get("/console/queue/"))
    assert ">My S1s</a>" not in other


def test_only_a_manager_shares_a_view_and_everyone_sees_it(day):
    refused = post(
        client_for(day.agent),
        "/console/queue/views/",
        {"name": "Team S1s", "query": "severity=S1", "shared": "on"},
    )
    assert "only a manager shares a view with everyone; save it for yourself" in html(refused)
    assert not SavedView.objects.exists()
    agent_page = html(client_for(day.agent).get("/console/queue/"))
    assert "share with everyone" not in agent_page
    manager = make_user("manager")
    assert "share with everyone" in html(client_for(manager).get("/console/queue/"))
    post(
        client_for(manager),
        "/console/queue/views/",
        {"name": "Team S1s", "query": "severity=S1", "shared": "on"},
    )
    page = html(client_for(day.agent).get("/console/queue/?severity=S1"))
    assert 'aria-current="page">Team S1s</a> <small class="muted"' in page
    assert "Rename or delete this view" not in page  # not the agent's own


def test_the_owner_renames_and_deletes_a_view_and_no_one_else_can(day):
    client = client_for(day.agent)
    post(client, "/console/queue/views/", {"name": "Mine S3", "query": "assignee=me&severity=S3"})
    view = SavedView.objects.get()
    page = html(client.get("/console/queue/?assignee=me&severity=S3"))
    assert "Rename or delete this view" in page
    assert f'action="/console/queue/views/{view.pk}/rename"' in page
    # another agent: the view answers like a missing one
    stranger = client_for(day.other)
    refused = post(stranger, f"/console/queue/views/{view.pk}/rename", {"name": "Hijacked"})
    assert f"no saved view {view.pk}" in html(refused)
    refused = post(stranger, f"/console/queue/views/{view.pk}/delete", {})
    assert f"no saved view {view.pk}" in html(refused)
    assert SavedView.objects.get().name == "Mine S3"
    # the owner: a duplicate name is refused, a new one taken
    post(client, "/console/queue/views/", {"name": "Other", "query": "status=any"})
    refused = post(client, f"/console/queue/views/{view.pk}/rename", {"name": "other"})
    assert "you already have a view named &#x27;other&#x27;; choose another name" in html(refused)
    renamed = post(client, f"/console/queue/views/{view.pk}/rename", {"name": "My S3s"})
    assert "View renamed “My S3s”." in html(renamed)
    assert SavedView.objects.get(pk=view.pk).name == "My S3s"
    deleted = post(client, f"/console/queue/views/{view.pk}/delete", {"back": "status=any"})
    assert "View “My S3s” deleted." in html(deleted)
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Other"]
    verbs = list(
        AuditEvent.objects.filter(subject_type="queue_view").values_list("verb", flat=True)
    )
    assert verbs == [
        "queue_view.saved",
        "queue_view.saved",
        "queue_view.renamed",
        "queue_view.deleted",
    ]


def test_a_blank_name_is_refused_naming_the_field(day):
    response = post(client_for(day.agent), "/console/queue/views/", {"name": " ", "query": ""})
    assert "name" in text_of(html(response)) and not SavedView.objects.exists()


def test_a_manager_shares_a_view_but_cannot_rename_anothers_shared_view(day):
    manager, other_manager = make_user("manager"), make_user("manager")
    post(
        client_for(manager),
        "/console/queue/views/",
        {"name": "Team", "query": "status=any", "shared": "on"},
    )
    view = SavedView.objects.get()
    refused = post(
        client_for(other_manager), f"/console/queue/views/{view.pk}/rename", {"name": "Mine"}
    )
    assert "renaming a view is for the view&#x27;s owner; save a copy of your own" in html(refused)
    assert SavedView.objects.get().name == "Team"


def test_the_query_string_round_trips_through_the_filters():
    filters = QueueFilters.from_string("?q=disk+fail&assignee=me&sort=-due&plan=gold")
    assert filters.query_string() == "plan=gold&assignee=me&q=disk+fail&sort=-due"
    assert QueueFilters.from_string(filters.query_string()) == filters
    assert filters.active_count == 3


# ------------------------------------------------------------------------------- queries


def _tickets(agent, count, start):
    """`count` tickets for as many customers and assignees: some unassigned, some waiting on
    the customer, some closed, so that no view is empty (an empty page skips its SELECT)."""
    for i in range(count):
        customer = CustomerFactory(name=f"View customer {start + i}")
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
        if i % 3 != 2:
            assignee = agent if i % 3 == 0 else make_user("agent")
            ticket_services.assign_ticket(actor=agent, ticket=ticket, assignee=assignee)
        if i % 5 == 3:
            ticket_services.wait_on_customer(actor=agent, ticket=ticket)
        if i % 5 == 4:
            ticket_services.close_ticket(actor=agent, ticket=ticket, reason="Done.")


@pytest.mark.parametrize(
    "query",
    [view.query for view in BUILT_IN_VIEWS]
    + ["SAVED", "sort=-updated", "sort=customer&status=any", "q=Ticket&sort=assignee"],
)
def test_every_view_runs_a_fixed_number_of_queries_for_5_or_40_tickets(
    db, query, django_assert_num_queries
):
    agent = make_user("agent")
    client = client_for(agent)
    SavedView.objects.create(
        owner=agent, name="Saved", query="severity=S2&status=any&sort=-updated", created_at=NOW
    )
    if query == "SAVED":
        query = "severity=S2&status=any&sort=-updated"
    _tickets(agent, 5, 0)
    with CaptureQueriesContext(connection) as few:
        response = client.get(f"/console/queue/?{query}")
    assert queue_numbers(html(response))  # not empty
    _tickets(agent, 35, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/console/queue/?{query}")
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # session, user, role, saved views, count, one page of rows, assignees, customers
    with django_assert_num_queries(8):
        client.get(f"/console/queue/?{query}")
    with django_assert_num_queries(5):  # the live refresh of the rows
        client.get(f"/console/queue/?{query}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows")
