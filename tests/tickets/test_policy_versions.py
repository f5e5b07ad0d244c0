"""A ticket keeps the policy version it was opened under (rule L6), and `rmadesk policy activate`.

The scenario of docs/policy-file.md: the default policy runs; a copy with Gold S2 at 2 business
hours instead of 4 is activated on Monday 30 Nov 2026 at 11:00 PST. Every expected instant is
worked out here by hand on T2's Pacific business hours (Mon-Fri 06:00-18:00, that Monday no
holiday), independently of the calendar engine: a start inside the day plus N hours that ends
by 18:00 is simply start + N hours.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent, PolicyVersion
from rmadesk.core.policies import (
    active_policy,
    configured_policy,
    ensure_active_policy_recorded,
    forget_active_policy,
    pin_active_policy,
    ticket_policy,
)
from rmadesk.policy.loader import DEFAULT_POLICY_PATH, load_policy
from rmadesk.tickets import services
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.selectors import ticket_history
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

DEFAULT_TEXT = (
    Path(__file__).resolve().parents[2] / "rmadesk" / "policy" / DEFAULT_POLICY_PATH
).read_text()
GOLD_S2 = 'response.S2 = { hours = 4, calendar = "pacific" }'
MONDAY = (2026, 11, 30)  # the Monday after Thanksgiving week: an ordinary business day


def business_hours_later(start: dt.datetime, hours: float) -> dt.datetime:
    """start + hours on one Pacific business day (06:00-18:00), checked to stay inside it."""
    local = start.astimezone(pacific(*MONDAY).tzinfo)
    assert local.weekday() < 5 and 6 <= local.hour < 18
    end = start + dt.timedelta(hours=hours)
    assert end <= local.replace(hour=18, minute=0), "the independent check covers one day only"
    return end


def at(hour: int, minute: int = 0) -> dt.datetime:
    return pacific(*MONDAY, hour, minute)


def policy_file(tmp_path: Path, gold_s2_hours: int, name: str = "gold-s2.toml") -> Path:
    assert DEFAULT_TEXT.count(GOLD_S2) == 1
    text = DEFAULT_TEXT.replace(GOLD_S2, GOLD_S2.replace("4", str(gold_s2_hours)))
    path = tmp_path / name
    path.write_text(text)
    return path


def activate(*args: str) -> str:
    out = io.StringIO()
    call_command("policy", "activate", *args, stdout=out)
    return out.getvalue()


def due_of(ticket: Ticket, kind: str) -> dt.datetime | None:
    return ServiceClock.objects.get(ticket=ticket, kind=kind).due_at


def test_L6_activating_keeps_open_tickets_on_their_version_and_new_ones_get_the_new_file(
    tmp_path,
):
    agent, manager = user("agent"), user("manager")
    old = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(10))
    other = ticket_on(asset_on_plan("gold"), actor=agent, severity="S3", opened_at=at(10))
    assert due_of(old, "first_response") == business_hours_later(at(10), 4)  # 14:00
    default_version = configured_policy().version
    path = policy_file(tmp_path, 2)

    clock.set_now(at(11))
    printed = activate(str(path), "--yes", "--as", manager.email)

    new_version = load_policy(path).version
    assert "gold S2 first response: 4 business hours → 2 business hours" in printed
    assert re.search(r"gold\s+S2\s+1\s+4 business hours → 2 business hours  changes", printed)
    assert re.search(r"gold\s+S3\s+1\s+8 business hours → 8 business hours\n", printed)
    assert "2 open ticket(s) run on another version and keep it (L6)" in printed
    assert f"activated {new_version}" in printed
    assert active_policy().version == new_version
    versions = {row.version: row for row in PolicyVersion.objects.all()}
    assert set(versions) == {default_version, new_version}  # the outgoing one is stored too
    assert versions[new_version].activated_by == manager
    assert versions[new_version].activated_at == at(11)
    assert versions[new_version].retargeted_open is False
    assert versions[new_version].text == path.read_text()

    # The old ticket keeps its version: its reply and resume count 4 business hours.
    old.refresh_from_db()
    assert old.policy_version == default_version
    assert due_of(old, "first_response") == at(14)  # untouched by the activation
    services.reply(actor=agent, ticket=old, body="Looking.", public=True, at=at(11, 30))
    assert due_of(old, "next_update") == business_hours_later(at(11, 30), 4)  # 15:30, not 13:30
    services.wait_on_customer(actor=agent, ticket=old, at=at(11, 30))
    services.resume_ticket(actor=agent, ticket=old, at=at(13))
    assert due_of(old, "next_update") == business_hours_later(at(13), 4)  # 17:00, not 15:00
    old.refresh_from_db()
    assert old.policy_version == default_version

    # A ticket opened now gets the new file: 2 business hours.
    new = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(11, 5))
    assert new.policy_version == new_version
    assert due_of(new, "first_response") == business_hours_later(at(11, 5), 2)  # 13:05

    # A severity change moves a running ticket to the active version (L6, L7): S3 -> S2 at
    # 13:30 is due 2 business hours later, not 4.
    services.change_severity(actor=agent, ticket=other, severity="S2", at=at(13, 30))
    assert other.policy_version == new_version
    assert due_of(other, "first_response") == business_hours_later(at(13, 30), 2)  # 15:30
    event = ticket_history(other)[-1]
    assert event.changes["policy_version"] == [default_version, new_version]


def test_L6_retarget_open_counts_again_from_opening_and_last_reply_and_records_it(tmp_path):
    agent, manager = user("agent"), user("manager")
    waiting = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(10))
    replied = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(9))
    services.reply(actor=agent, ticket=replied, body="On it.", public=True, at=at(10, 30))
    assert due_of(replied, "next_update") == business_hours_later(at(10, 30), 4)  # 14:30
    path = policy_file(tmp_path, 2)

    clock.set_now(at(11))
    printed = activate(str(path), "--retarget-open", "--yes", "--as", manager.email)

    new_version = load_policy(path).version
    assert "--retarget-open: 2 open ticket(s) move to the new file" in printed
    assert (
        f"ticket {waiting.number}  first response  Mon 30 Nov 2026 14:00 PST → "
        f"Mon 30 Nov 2026 12:00 PST  (from its opening Mon 30 Nov 2026 10:00 PST)"
    ) in printed
    assert (
        f"ticket {replied.number}  next update     Mon 30 Nov 2026 14:30 PST → "
        f"Mon 30 Nov 2026 12:30 PST  (from the last public agent reply Mon 30 Nov 2026 10:30 PST)"
    ) in printed
    assert "2 open ticket(s) moved to it" in printed
    for ticket in (waiting, replied):
        ticket.refresh_from_db()
        assert ticket.policy_version == new_version
    assert due_of(waiting, "first_response") == business_hours_later(at(10), 2)  # 12:00
    assert due_of(replied, "next_update") == business_hours_later(at(10, 30), 2)  # 12:30
    assert PolicyVersion.objects.get(version=new_version).retargeted_open is True
    assert PolicyVersion.objects.get(version=new_version).retargeted_tickets == 2
    event = ticket_history(waiting)[-1]
    assert event.verb == "ticket.policy_retargeted"
    assert event.changes["policy_version"][1] == new_version
    (moved,) = event.changes["clocks"]
    assert moved["due_at"] == ["2026-11-30T22:00:00+00:00", "2026-11-30T20:00:00+00:00"]
    assert "L6" in event.rules
    activated = AuditEvent.objects.get(verb="policy.activated")
    assert activated.changes["retarget_open"] is True
    assert activated.actor == manager


def test_L6_a_stored_version_times_its_tickets_in_a_process_that_never_loaded_it(tmp_path):
    agent = user("agent")
    clock.set_now(at(8))
    activate(str(policy_file(tmp_path, 3, "three.toml")), "--yes")
    three = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(9))
    assert due_of(three, "first_response") == business_hours_later(at(9), 3)  # 12:00
    activate(str(policy_file(tmp_path, 2, "two.toml")), "--yes")
    # A fresh process (the worker, another web worker): nothing cached, the file gone.
    (tmp_path / "three.toml").unlink()
    forget_active_policy()
    pin_active_policy(load_policy(tmp_path / "two.toml").version)
    three.refresh_from_db()
    assert ticket_policy(three).version == three.policy_version
    services.reply(actor=agent, ticket=three, body="Hello.", public=True, at=at(10))
    assert due_of(three, "next_update") == business_hours_later(at(10), 3)  # 13:00 from the text


def test_L6_every_process_learns_the_active_version_from_the_database_with_one_query(tmp_path):
    path = policy_file(tmp_path, 2)
    policy = load_policy(path)
    forget_active_policy()
    assert active_policy().version == configured_policy().version  # none activated
    PolicyVersion.objects.create(  # as another process's activation leaves it
        version=policy.version,
        name=policy.name,
        text=policy.text,
        source=str(path),
        recorded_at=at(11),
        activated_at=at(11),
    )
    forget_active_policy()  # the recheck deadline passing
    with CaptureQueriesContext(connection) as queries:
        assert active_policy().version == policy.version
    assert len(queries) == 2  # which version is active; its text, parsed once per process
    with CaptureQueriesContext(connection) as queries:
        assert active_policy().version == policy.version
    assert len(queries) == 0  # cached until the recheck deadline


def test_L6_a_file_with_errors_is_refused_with_the_loaders_message_and_nothing_stored(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        DEFAULT_TEXT.replace(GOLD_S2, 'response.S2 = { hours = -4, calendar = "pacific" }')
    )
    with pytest.raises(CommandError) as refused:
        activate(str(bad), "--yes")
    assert "plans.gold.response.S2.hours" in str(refused.value)
    assert PolicyVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="policy.activated").exists()


def test_L6_activating_the_active_version_says_so_and_changes_nothing(tmp_path):
    same = tmp_path / "same.toml"
    same.write_text("# a comment changes no rule\n" + DEFAULT_TEXT)
    printed = activate(str(same), "--yes")
    assert f"is version {configured_policy().version}, already the active policy" in printed
    assert PolicyVersion.objects.count() == 0


def test_L6_answering_no_activates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    printed = activate(str(policy_file(tmp_path, 2)))
    assert printed.endswith("Activate it? [y/N] not activated: nothing changed.\n")
    assert PolicyVersion.objects.count() == 0
    assert active_policy().version == configured_policy().version


def test_L6_only_a_manager_activates(tmp_path):
    agent = user("agent")
    with pytest.raises(CommandError, match="needs the role manager"):
        activate(str(policy_file(tmp_path, 2)), "--yes", "--as", agent.email)
    assert PolicyVersion.objects.count() == 0


def test_L6_start_up_stores_the_configured_file_once_and_an_edited_one_becomes_active(
    tmp_path, settings
):
    assert ensure_active_policy_recorded() is True  # serve / worker, first start
    assert ensure_active_policy_recorded() is False  # every later start
    (row,) = PolicyVersion.objects.all()
    assert (row.version, row.activated_by) == (configured_policy().version, None)
    forget_active_policy()
    assert active_policy().version == row.version

    settings.RMADESK_POLICY = str(policy_file(tmp_path, 2))  # the file edited, then a restart
    assert ensure_active_policy_recorded() is True
    forget_active_policy()
    assert active_policy().version == load_policy(settings.RMADESK_POLICY).version
    agent = user("agent")
    new = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(10))
    assert due_of(new, "first_response") == business_hours_later(at(10), 2)


def test_L6_retarget_open_keeps_what_a_pause_used_of_a_resumed_next_update(tmp_path):
    """L5 with L6: reply 10:00, waiting 11:00-12:00 (1 h of the target used); re-targeted at
    12:30 under 2 business hours, the 1 h left runs from the resume: due 13:00, not 14:00."""
    agent = user("agent")
    ticket = ticket_on(asset_on_plan("gold"), actor=agent, severity="S2", opened_at=at(9))
    services.reply(actor=agent, ticket=ticket, body="On it.", public=True, at=at(10))
    services.wait_on_customer(actor=agent, ticket=ticket, at=at(11))
    services.resume_ticket(actor=agent, ticket=ticket, at=at(12))
    assert due_of(ticket, "next_update") == business_hours_later(at(12), 4 - 1)  # 15:00
    clock.set_now(at(12, 30))
    printed = activate(str(policy_file(tmp_path, 2)), "--retarget-open", "--yes")
    assert (
        f"ticket {ticket.number}  next update     Mon 30 Nov 2026 15:00 PST → "
        f"Mon 30 Nov 2026 13:00 PST  (from its resume, less the target used before its pauses "
        f"Mon 30 Nov 2026 12:00 PST)"
    ) in printed
    assert due_of(ticket, "next_update") == business_hours_later(at(12), 2 - 1)  # 13:00
