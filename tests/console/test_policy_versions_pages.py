"""The console's policy versions (rule L6): who activated each and when, the tickets on each,
and what changed between two versions."""

from __future__ import annotations

import pytest

from rmadesk.core.policies import configured_policy, record_policy
from rmadesk.policy.loader import parse_policy
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html

pytestmark = pytest.mark.django_db


def two_versions(manager):
    old = configured_policy()
    new = parse_policy(old.text.replace("hours = 4,", "hours = 2,", 1), "gold-s2.toml")
    record_policy(old, note="", activate=False)
    record_policy(new, note="Gold S2 faster", activate=True, actor=manager)
    return old, new


def test_L6_the_versions_page_shows_who_activated_each_and_the_tickets_on_it(desk):
    manager = make_user("manager")
    old, new = two_versions(manager)
    Ticket.objects.filter(pk=desk.soon.pk).update(policy_version=old.version)
    Ticket.objects.exclude(pk=desk.soon.pk).update(policy_version=new.version)
    page = html(client_for(desk.agent).get("/console/policy/versions/"))
    rows = page.split("<tbody>")[1].split("</tr>")
    assert new.version in rows[0] and "<strong>active</strong>" in rows[0]
    assert manager.email in rows[0] and "Gold S2 faster" in rows[0]
    on_new = Ticket.objects.filter(policy_version=new.version)
    open_on_new = on_new.exclude(status__in=CLOSED_STATUSES).count()
    assert f"<td>{open_on_new} / {on_new.count()}</td>" in rows[0]
    assert old.version in rows[1] and "rmadesk (start-up)" in rows[1]
    assert f"?from={old.version}&amp;to={new.version}".replace(":", "%3A") in rows[0]
    assert "<td>1 / 1</td>" in rows[1]
    assert 'href="/console/policy/versions/"' in html(
        client_for(desk.agent).get("/console/policy/")
    )


def test_L6_the_difference_names_the_changed_target_and_every_changed_line(desk):
    old, new = two_versions(make_user("manager"))
    client = client_for(desk.agent)
    page = html(client.get(f"/console/policy/versions/diff?from={old.version}&to={new.version}"))
    assert (
        '<tr><th scope="row">gold</th><td>S2</td><td>4 business hours</td>'
        "<td>2 business hours</td></tr>"
    ) in page
    assert "<del>-  gold " in page and "<ins>+  gold " in page
    assert page.count('<tr><th scope="row">') == 1  # only Gold S2 changed
    main = page.split("<main")[1]
    assert html(client.get("/console/policy/versions/diff")).split("<main")[1] == main  # latest two
    missing = client.get(f"/console/policy/versions/diff?from=sha256:0&to={new.version}")
    assert missing.status_code == 404
