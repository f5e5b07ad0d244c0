"""The console's bell, notifications page and preferences: each staff user's own, nobody else's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.core import clock
from rmadesk.notices.models import Notice, NoticePreference
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html, text_of

pytestmark = pytest.mark.django_db


def notify(user, count=1, *, kind="new_ticket", ticket=100001, rma=None, start=0):
    made = []
    for n in range(start, start + count):
        made.append(
            Notice.objects.create(
                recipient=user,
                kind=kind,
                source=f"test:{n}",
                ticket_number=ticket,
                rma_number=rma,
                text=f"Notice {n}",
                created_at=NOW - dt.timedelta(minutes=count - n),
            )
        )
    return made


def bell_of(page: str) -> str:
    found = re.search(r'<a id="notification-bell".*?</a>', page, flags=re.S)
    assert found, "no bell"
    return found.group(0)


def test_every_console_page_has_a_bell_that_polls_every_20_seconds():
    agent = make_user("agent")
    page = html(client_for(agent).get("/console/"))
    bell = bell_of(page)
    assert 'href="/console/notifications/"' in bell
    assert 'hx-get="/console/notifications/bell"' in bell
    assert 'hx-trigger="load, every 20s"' in bell
    assert 'hx-swap="outerHTML"' in bell
    assert 'aria-label="Notifications"' in bell


def test_the_bell_says_how_many_are_unread_to_eyes_and_screen_readers():
    agent = make_user("agent")
    client = client_for(agent)
    bell = bell_of(html(client.get("/console/notifications/bell", HTTP_HX_REQUEST="true")))
    assert 'aria-label="Notifications, none unread"' in bell
    assert "bell-count" not in bell
    assert 'hx-trigger="every 20s"' in bell  # the swapped-in bell does not load itself again
    notify(agent, 3)
    Notice.objects.filter(text="Notice 0").update(read_at=NOW)
    bell = bell_of(html(client.get("/console/notifications/bell", HTTP_HX_REQUEST="true")))
    assert 'aria-label="Notifications, 2 unread"' in bell
    assert '<span class="bell-count" aria-hidden="true">2</span>' in bell
    notify(make_user("agent"), 5)  # another agent's: not counted
    bell = bell_of(html(client.get("/console/notifications/bell")))
    assert 'aria-label="Notifications, 2 unread"' in bell
    notify(agent, 1, start=10)
    bell = bell_of(html(client.get("/console/notifications/bell")))
    assert 'aria-label="Notifications, 3 unread"' in bell


def test_the_bell_runs_a_fixed_number_of_queries(django_assert_num_queries):
    agent = make_user("agent")
    client = client_for(agent)
    notify(agent, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/console/notifications/bell", HTTP_HX_REQUEST="true")
    notify(agent, 40, start=2)
    # session, user, role, the unread COUNT
    with django_assert_num_queries(4):
        response = client.get("/console/notifications/bell", HTTP_HX_REQUEST="true")
    assert len(few) == 4
    assert "42 unread" in html(response)


def test_an_ended_session_leaves_the_polled_bell_alone():
    client = client_for(None)
    assert client.get("/console/notifications/bell", HTTP_HX_REQUEST="true").status_code == 204
    response = client.get("/console/notifications/bell")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_lists_my_notifications_newest_first_with_their_links():
    agent = make_user("agent")
    other = make_user("agent")
    notify(agent, 1, ticket=100007, start=0)
    notify(agent, 1, kind="package_received", ticket=100008, rma=100008, start=1)
    notify(other, 1, ticket=100009, start=5)
    page = html(client_for(agent).get("/console/notifications/"))
    items = re.findall(r'<li id="notice-\d+".*?</li>', page, flags=re.S)
    assert [re.search(r'href="([^"]+)">(Notice \d)', item).groups() for item in items] == [
        ("/console/rmas/100008/", "Notice 1"),
        ("/console/tickets/100007/", "Notice 0"),
    ]
    assert "Notice 5" not in page  # the other agent's
    assert "2 unread" in text_of(page)
    assert "Package received for an RMA · Wed 18 Nov 2026, 10:00 PST (-08:00)" in text_of(page)


def test_marking_one_and_all_read():
    agent = make_user("agent")
    client = client_for(agent)
    _first, second, _third = notify(agent, 3)
    with clock.frozen_at(NOW + dt.timedelta(minutes=5)):
        response = client.post(f"/console/notifications/{second.pk}/read", {"page": "1"})
    assert response.status_code == 302 and response["Location"] == "/console/notifications/?page=1"
    second.refresh_from_db()
    assert second.read_at == NOW + dt.timedelta(minutes=5)
    page = html(client.get("/console/notifications/"))
    assert "2 unread" in text_of(page)
    assert f'action="/console/notifications/{second.pk}/read"' not in page
    response = client.post("/console/notifications/read")
    assert response.status_code == 302
    assert Notice.objects.filter(recipient=agent, read_at__isnull=True).count() == 0
    assert "2 notifications marked read." in text_of(html(client.get(response["Location"])))


def test_another_agent_gets_404_on_my_notification_and_changes_nothing():
    mine = notify(make_user("agent"), 1)[0]
    other = client_for(make_user("agent"))
    assert other.post(f"/console/notifications/{mine.pk}/read").status_code == 404
    other.post("/console/notifications/read")
    mine.refresh_from_db()
    assert mine.read_at is None
    assert "Notice 0" not in html(other.get("/console/notifications/"))


@pytest.mark.parametrize(
    "path",
    [
        "/console/notifications/",
        "/console/notifications/bell",
        "/console/notifications/preferences",
    ],
)
def test_customers_never_reach_these_pages(desk, path):
    contact = client_for(make_user("customer", desk.customer))
    assert contact.get(path).status_code == 404
    assert contact.get(path, HTTP_HX_REQUEST="true").status_code == 404


def test_preferences_are_shown_and_saved_per_kind():
    agent = make_user("agent")
    client = client_for(agent)
    page = html(client.get("/console/notifications/preferences"))
    assert page.count('type="radio"') == 6 * 4  # six kinds (a repair quote answered, R9, the sixth)
    assert page.count(" checked") == 6  # both, for every kind, until chosen
    assert 'aria-label="Customer reply: By mail"' in page
    response = client.post(
        "/console/notifications/preferences",
        {"new_ticket": "in_app", "customer_reply": "off", "mention": "both"},
    )
    assert response.status_code == 302
    assert dict(NoticePreference.objects.filter(user=agent).values_list("kind", "delivery")) == {
        "new_ticket": "in_app",
        "customer_reply": "off",
    }
    page = html(client.get("/console/notifications/preferences"))
    assert 'id="new_ticket-in_app" aria-label="New ticket: In the app" checked' in page
    assert 'id="customer_reply-off" aria-label="Customer reply: Off" checked' in page


def test_a_wrong_choice_is_refused_naming_the_kind():
    agent = make_user("agent")
    response = client_for(agent).post(
        "/console/notifications/preferences", {"new_ticket": "pigeon"}
    )
    assert response.status_code == 400
    assert "choose one of both, in_app, mail, off" in html(response)
    assert "field new_ticket" in html(response)
    assert not NoticePreference.objects.exists()


def test_the_page_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    agent = make_user("agent")
    client = client_for(agent)
    notify(agent, 3)
    with CaptureQueriesContext(connection) as few:
        client.get("/console/notifications/")
    notify(agent, 60, start=3)
    with CaptureQueriesContext(connection) as many:
        page = html(client.get("/console/notifications/"))
    assert page.count('<li id="notice-') == 50
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]
    # session, user, role; the COUNT and one page; the unread COUNT
    with django_assert_max_num_queries(6):
        client.get("/console/notifications/?page=2")
