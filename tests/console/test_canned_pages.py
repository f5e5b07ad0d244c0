"""The canned-replies page: each agent keeps its own, managers keep the shared ones; a reply
with an unknown placeholder is refused naming it, and the typed text stays in the form."""

from __future__ import annotations

import pytest

from rmadesk.tickets.models import CannedReply
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html, text_of

pytestmark = pytest.mark.django_db

URL = "/console/canned-replies/"


def test_an_agent_adds_changes_and_deletes_its_own_reply(db):
    agent = make_user("agent")
    client = client_for(agent)
    page = html(client.get(URL))
    assert "<code>{customer}</code>" in page and "<code>{due}</code>" in page
    assert 'id="canned-shared" name="shared" disabled' in page  # managers keep shared ones
    response = client.post(URL, {"title": "Thanks", "body": "Thank you, {customer}."})
    assert response.status_code == 302
    canned = CannedReply.objects.get()
    assert (canned.title, canned.owner) == ("Thanks", agent)
    page = html(client.get(URL))
    assert "Canned reply “Thanks” added." in page
    assert f'href="/console/canned-replies/{canned.pk}/">Edit' in page
    edit = html(client.get(f"{URL}{canned.pk}/"))
    assert "Change “Thanks”" in edit and ">Thank you, {customer}.</textarea>" in edit
    client.post(f"{URL}{canned.pk}/", {"title": "Thanks!", "body": "Thanks, {customer}."})
    assert CannedReply.objects.get().title == "Thanks!"
    response = client.post(f"{URL}{canned.pk}/delete")
    assert response.status_code == 302
    assert not CannedReply.objects.exists()


def test_an_unknown_placeholder_is_refused_naming_it_and_the_text_stays(db):
    client = client_for(make_user("agent"))
    response = client.post(URL, {"title": "Hi", "body": "Dear {first_name},"})
    assert response.status_code == 400
    page = html(response)
    assert (
        "unknown placeholder {first_name}; the placeholders are {customer}, {ticket}, {rma}, {due}"
    ) in text_of(page)
    assert ">Dear {first_name},</textarea>" in page
    assert not CannedReply.objects.exists()


def test_only_managers_and_admins_keep_shared_replies(db):
    agent_client = client_for(make_user("agent"))
    response = agent_client.post(URL, {"title": "All", "body": "x", "shared": "on"})
    assert response.status_code == 403
    assert "adding a canned reply (a shared reply) needs the role manager" in html(response)
    assert not CannedReply.objects.exists()
    manager_client = client_for(make_user("manager"))
    assert manager_client.post(URL, {"title": "All", "body": "x", "shared": "on"}).status_code == (
        302
    )
    shared = CannedReply.objects.get()
    assert shared.owner is None
    page = html(agent_client.get(URL))
    assert "<strong>All</strong>" in page  # every agent sees and uses it
    assert f'href="/console/canned-replies/{shared.pk}/"' not in page  # but does not keep it
    response = agent_client.post(f"{URL}{shared.pk}/delete")
    assert response.status_code == 403
    assert CannedReply.objects.exists()
    admin_client = client_for(make_user("admin"))
    assert admin_client.post(f"{URL}{shared.pk}/delete").status_code == 302


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_roles_that_do_not_answer_tickets_add_none(db, role):
    response = client_for(make_user(role)).post(URL, {"title": "x", "body": "y"})
    assert response.status_code == 403
    assert not CannedReply.objects.exists()
