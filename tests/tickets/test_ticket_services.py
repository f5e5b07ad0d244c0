"""Ticket services with exact values from POLICY.md (L1-L7, P1-P3, T1, T5, T6)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmadesk.api.errors import status_of
from rmadesk.core.errors import DomainError, NotFound
from rmadesk.core.models import AuditEvent, Counter
from rmadesk.core.permissions import PermissionDenied
from rmadesk.core.policies import active_policy
from rmadesk.policy.errors import PolicyError
from rmadesk.tickets import services
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from rmadesk.tickets.selectors import ticket_history
from rmadesk.tickets.services import prerelease_marker as _prerelease_marker
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def clock_of(ticket: Ticket, kind: str) -> ServiceClock:
    return ServiceClock.objects.get(ticket=ticket, kind=kind)


def verbs(ticket: Ticket) -> list[str]:
    return [e.verb for e in ticket_history(ticket)]


# ------------------------------------------------------------------------------ opening


def test_l3_gold_s2_opened_before_thanksgiving_is_due_friday_0800():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, severity="S2", opened_at=pacific(2026, 11, 25, 16, 0))
    assert ticket.number == 100001  # P3: the first case number
    assert (ticket.plan, ticket.severity, ticket.status, ticket.channel) == (
        "gold",
        "S2",
        "open",
        "portal",
    )
    assert ticket.policy_version == active_policy().version  # L6
    first = clock_of(ticket, "first_response")
    assert first.state == "running"
    assert first.started_at == pacific(2026, 11, 25, 16, 0)
    assert first.due_at == pacific(2026, 11, 27, 8, 0)
    assert first.target == "4 business hours"
    assert first.calendar == "Pacific business hours"
    assert "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day) (rule T2)." in first.explanation
    assert first.explanation[-1] == "Due Fri 27 Nov 2026 08:00 PST (rule T8)."
    assert not ServiceClock.objects.filter(ticket=ticket, kind="next_update").exists()
    message = Message.objects.get(ticket=ticket)
    assert (message.kind, message.is_public, message.author) == ("customer", True, agent)
    (event,) = ticket_history(ticket)
    assert event.verb == "ticket.opened"
    assert event.ticket_number == ticket.number
    assert event.changes["first_response_due"] == "2026-11-27T16:00:00+00:00"
    assert {"L1", "L3", "T2", "T5", "L6", "P3"} <= set(event.rules)


def test_opened_at_defaults_to_the_clock():
    from rmadesk.core import clock

    asset = asset_on_plan("gold")
    with clock.frozen_at(pacific(2026, 11, 18, 10, 0)):
        ticket = ticket_on(asset, severity="S2")
    assert ticket.opened_at == pacific(2026, 11, 18, 10, 0)
    assert clock_of(ticket, "first_response").due_at == pacific(2026, 11, 18, 14, 0)


def test_l4_bronze_phone_call_friday_evening_goes_to_voicemail_due_monday_1800():
    asset = asset_on_plan("bronze")
    ticket = ticket_on(
        asset, severity="S2", channel="phone", opened_at=pacific(2026, 11, 20, 19, 0)
    )
    assert ticket.channel == "voicemail"
    first = clock_of(ticket, "first_response")
    assert first.started_at == pacific(2026, 11, 23, 6, 0)  # the next opening (T5)
    assert first.due_at == pacific(2026, 11, 23, 18, 0)  # NBD (T6)
    assert first.target == "next business day"
    assert "voicemail" in first.explanation[0] and "L4" in first.explanation[0]
    assert Message.objects.get(ticket=ticket).kind == "call"
    (event,) = ticket_history(ticket)
    assert "L4" in event.rules and event.changes["channel"] == "voicemail"


def test_l4_silver_s2_call_after_hours_starts_at_the_next_opening():
    asset = asset_on_plan("silver")
    ticket = ticket_on(
        asset, severity="S2", channel="phone", opened_at=pacific(2026, 11, 20, 20, 0)
    )
    assert ticket.channel == "voicemail"
    first = clock_of(ticket, "first_response")
    assert first.started_at == pacific(2026, 11, 23, 6, 0)
    assert first.due_at == pacific(2026, 11, 23, 14, 0)


def test_l4_calls_during_business_hours_stay_phone_calls():
    asset = asset_on_plan("bronze")
    ticket = ticket_on(
        asset, severity="S2", channel="phone", opened_at=pacific(2026, 11, 20, 10, 0)
    )
    assert ticket.channel == "phone"
    assert Message.objects.get(ticket=ticket).kind == "call"


def test_l4_gold_calls_below_s1_after_hours_go_to_voicemail_as_the_policy_file_says():
    # The policy file's `after_hours_severities` names what reaches the team at any hour:
    # Gold S1 only. A Gold S2 call on Friday evening waits for Monday's opening (T5).
    asset = asset_on_plan("gold")
    ticket = ticket_on(
        asset, severity="S2", channel="phone", opened_at=pacific(2026, 11, 20, 19, 0)
    )
    assert ticket.channel == "voicemail"
    assert clock_of(ticket, "first_response").due_at == pacific(2026, 11, 23, 10, 0)


def test_l4_gold_s1_reaches_the_team_at_any_hour():
    asset = asset_on_plan("gold")
    ticket = ticket_on(
        asset, severity="S1", channel="phone", opened_at=pacific(2026, 11, 21, 23, 30)
    )
    assert ticket.channel == "phone"
    assert clock_of(ticket, "first_response").due_at == pacific(2026, 11, 22, 1, 30)


def test_l3_truecommand_s1_is_refused_and_takes_no_number():
    asset = asset_on_plan("truecommand")
    with pytest.raises(PolicyError) as refused:
        ticket_on(asset, severity="S1", opened_at=pacific(2026, 11, 18, 10, 0))
    assert (refused.value.rule, refused.value.field) == ("L3", "severity")
    assert "not applicable to TrueCommand" in refused.value.message
    assert Ticket.objects.count() == 0
    assert not Counter.objects.filter(name="ticket", last_value__gte=100001).exists()
    ok = ticket_on(asset, severity="S2", opened_at=pacific(2026, 11, 18, 16, 0))
    assert ok.number == 100001
    assert clock_of(ok, "first_response").due_at == pacific(2026, 11, 18, 18, 0)


@pytest.mark.parametrize("severity", ["S1", "S2", "S3"])
def test_l3_free_truecommand_licence_refuses_s1_to_s3(severity):
    asset = asset_on_plan("truecommand-free")
    with pytest.raises(PolicyError) as refused:
        ticket_on(asset, severity=severity, opened_at=pacific(2026, 11, 18, 10, 0))
    assert refused.value.rule == "L3"
    assert "community support only" in refused.value.message
    assert Ticket.objects.count() == 0


def test_l3_free_truecommand_s4_opens_with_no_due_time():
    asset = asset_on_plan("truecommand-free")
    ticket = ticket_on(asset, severity="S4", opened_at=pacific(2026, 11, 18, 10, 0))
    first = clock_of(ticket, "first_response")
    assert (first.state, first.due_at, first.target) == ("running", None, "no service level")
    assert services.mark_breached_clocks(now=pacific(2027, 1, 1, 0, 0)) == 0


def test_l3_unknown_severity_is_refused_naming_l2():
    asset = asset_on_plan("gold")
    with pytest.raises(PolicyError) as refused:
        ticket_on(asset, severity="S9", opened_at=pacific(2026, 11, 18, 10, 0))
    assert (refused.value.rule, refused.value.field) == ("L2", "severity")


def test_l1_a_serial_without_a_contract_in_force_is_refused():
    asset = asset_on_plan("gold", ends_on=dt.date(2026, 6, 30))
    with pytest.raises(PolicyError) as refused:
        ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    assert (refused.value.rule, refused.value.field) == ("L1", "serial")
    assert Ticket.objects.count() == 0


def test_l1_the_contract_of_the_assets_product_line_is_used():
    truenas = asset_on_plan("silver")
    # The same customer also licenses TrueCommand, on a contract that started later.
    truecommand = asset_on_plan(
        "truecommand", customer=truenas.customer, starts_on=dt.date(2026, 1, 1)
    )
    opened = pacific(2026, 11, 18, 16, 0)
    assert ticket_on(truenas, severity="S2", opened_at=opened).plan == "silver"
    assert ticket_on(truecommand, severity="S2", opened_at=opened).plan == "truecommand"


def test_l1_the_contract_on_the_pacific_opening_date_counts():
    # 2026-07-01 00:30 UTC is still 30 June in Pacific time, the last day of the contract.
    asset = asset_on_plan("gold", ends_on=dt.date(2026, 6, 30))
    ticket = ticket_on(asset, opened_at=dt.datetime(2026, 7, 1, 0, 30, tzinfo=UTC))
    assert ticket.plan == "gold"


def test_customer_opens_only_on_its_own_serials_and_cannot_backdate():
    mine = asset_on_plan("gold")
    theirs = asset_on_plan("gold")
    me = user("customer", mine.customer)
    ticket = ticket_on(mine, actor=me)
    assert ticket.customer == mine.customer and ticket.opened_by == me
    with pytest.raises(NotFound):
        ticket_on(theirs, actor=me)
    with pytest.raises(NotFound):
        services.open_ticket(
            actor=me, serial="NOBODY", severity="S2", subject="x", body="y", channel="portal"
        )
    with pytest.raises(PermissionDenied):
        ticket_on(mine, actor=me, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(DomainError) as refused:
        ticket_on(mine, actor=me, channel="phone")
    assert refused.value.field == "channel"
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_staff_outside_support_cannot_open_tickets(role):
    asset = asset_on_plan("gold")
    with pytest.raises(PermissionDenied):
        ticket_on(asset, actor=user(role))


def test_t1_naive_opened_at_is_refused():
    asset = asset_on_plan("gold")
    with pytest.raises(PolicyError) as refused:
        ticket_on(asset, opened_at=dt.datetime(2026, 11, 18, 10, 0))
    assert (refused.value.rule, refused.value.field) == ("T1", "opened_at")


@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", "  "), ("body", ""), ("channel", "fax"), ("subject", "x" * 301)],
)
def test_bad_text_fields_are_refused_naming_the_field(field, value):
    asset = asset_on_plan("gold")
    with pytest.raises(DomainError) as refused:
        ticket_on(asset, **{field: value})
    assert (refused.value.field, status_of(refused.value)) == (field, 400)


# ---------------------------------------------------------------------------------- P2


@pytest.mark.parametrize(
    ("version", "marker"),
    [
        ("TrueNAS-SCALE-24.10-RC.1", "RC"),
        ("25.04-beta2", "BETA"),
        ("13.3-ALPHA1", "ALPHA"),
        ("Nightly-20261101", "NIGHTLY"),
        ("master-8f3a2c", "MASTER"),
        ("24.04-internal", "INTERNAL"),
        ("TrueNAS-13.0-U6.1", None),
        ("24.04.2.3", None),
        ("", None),
    ],
)
def test_p2_prerelease_markers_in_any_case(version, marker):
    assert _prerelease_marker(active_policy(), version) == marker


def test_p2_a_prerelease_asset_opens_a_ticket_flagged_unsupported():
    asset = asset_on_plan("gold", software_version="TrueNAS-SCALE-25.04-BETA.1")
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    assert ticket.is_unsupported_software is True
    assert "pre-release (BETA)" in ticket.unsupported_software_reason
    assert "rule P2" in ticket.unsupported_software_reason
    (event,) = ticket_history(ticket)
    assert "P2" in event.rules and event.changes["unsupported_software"] is True
    assert "P2" in event.note
    released = ticket_on(asset_on_plan("gold", software_version="TrueNAS-13.0-U6.1"))
    assert released.is_unsupported_software is False


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    marker=st.sampled_from(["ALPHA", "BETA", "RC", "NIGHTLY", "MASTER", "INTERNAL"]),
    case=st.sampled_from([str.upper, str.lower, str.title]),
    head=st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}", fullmatch=True),
    tail=st.from_regex(r"[0-9]{0,3}", fullmatch=True),
    sep=st.sampled_from(["-", ".", "_", "+"]),
)
def test_p2_property_a_marker_word_anywhere_in_any_case_is_prerelease(
    marker, case, head, tail, sep
):
    version = f"{head}{sep}{case(marker)}{tail}"
    assert _prerelease_marker(active_policy(), version) == marker


@settings(max_examples=60)
@given(
    st.from_regex(r"(TrueNAS-)?[0-9]{1,2}(\.[0-9]{1,2}){1,3}(-U[0-9](\.[0-9])?)?", fullmatch=True)
)
def test_p2_property_released_versions_are_supported(version):
    assert _prerelease_marker(active_policy(), version) is None


# ------------------------------------------------------------------------------ replies


def test_l5_public_reply_meets_first_response_and_starts_next_update():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    assert clock_of(ticket, "first_response").due_at == pacific(2026, 11, 18, 14, 0)
    message = services.reply(
        actor=agent, ticket=ticket, body="Looking.", public=True, at=pacific(2026, 11, 18, 11, 0)
    )
    assert (message.kind, message.is_public) == ("reply", True)
    first = clock_of(ticket, "first_response")
    assert (first.state, first.stopped_at) == ("met", pacific(2026, 11, 18, 11, 0))
    update = clock_of(ticket, "next_update")
    assert update.state == "running"
    assert update.started_at == pacific(2026, 11, 18, 11, 0)
    assert update.due_at == pacific(2026, 11, 18, 15, 0)  # the same 4 business hours (L5)
    assert update.explanation[0] == (
        "Next update owed at the first-response target, counted from the last public agent "
        "reply at Wed 18 Nov 2026 11:00 PST (rule L5)."
    )
    # The next public reply at 14:00 restarts it: 4 h end exactly at Wednesday's closing (T5).
    services.reply(
        actor=agent, ticket=ticket, body="Update.", public=True, at=pacific(2026, 11, 18, 14, 0)
    )
    update = clock_of(ticket, "next_update")
    assert (update.state, update.due_at) == ("running", pacific(2026, 11, 18, 18, 0))
    assert clock_of(ticket, "first_response").state == "met"
    event = ticket_history(ticket)[-1]
    assert event.verb == "ticket.replied"
    (change,) = event.changes["clocks"]
    assert change["clock"] == "next_update"
    assert change["due_at"] == ["2026-11-18T23:00:00+00:00", "2026-11-19T02:00:00+00:00"]


def test_l3_a_late_first_reply_leaves_the_first_response_breached():
    asset = asset_on_plan("gold")
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(
        actor=user("agent"),
        ticket=ticket,
        body="Sorry.",
        public=True,
        at=pacific(2026, 11, 18, 15, 0),
    )
    first = clock_of(ticket, "first_response")
    assert (first.state, first.stopped_at) == ("breached", pacific(2026, 11, 18, 14, 0))
    assert clock_of(ticket, "next_update").due_at == pacific(2026, 11, 19, 7, 0)


def test_l5_an_overdue_next_update_is_recorded_breached_before_it_restarts():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 11))
    services.reply(actor=agent, ticket=ticket, body="b", public=True, at=pacific(2026, 11, 18, 16))
    change = ticket_history(ticket)[-1].changes["clocks"]
    assert change[0]["state"] == ["running", "breached"]
    assert change[0]["stopped_at"] == "2026-11-18T23:00:00+00:00"  # at its due time, 15:00 PST
    assert change[1]["state"] == ["breached", "running"]
    assert clock_of(ticket, "next_update").due_at == pacific(2026, 11, 19, 8, 0)


def test_l5_internal_notes_change_no_clock():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    note = services.reply(
        actor=agent, ticket=ticket, body="Call the DC.", public=False, at=pacific(2026, 11, 18, 11)
    )
    assert (note.kind, note.is_public) == ("note", False)
    assert clock_of(ticket, "first_response").state == "running"
    assert not ServiceClock.objects.filter(ticket=ticket, kind="next_update").exists()
    assert verbs(ticket) == ["ticket.opened", "ticket.note_added"]
    assert "Call the DC." not in str(ticket_history(ticket)[-1].changes)


def test_customer_replies_are_public_and_move_no_clock():
    asset = asset_on_plan("gold")
    me = user("customer", asset.customer)
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    from rmadesk.core import clock

    with clock.frozen_at(pacific(2026, 11, 18, 10, 30)):
        message = services.reply(actor=me, ticket=ticket, body="More logs.", public=False)
    assert (message.kind, message.is_public, message.at) == (
        "customer",
        True,
        pacific(2026, 11, 18, 10, 30),
    )
    assert clock_of(ticket, "first_response").state == "running"
    with pytest.raises(PermissionDenied):
        services.reply(actor=me, ticket=ticket, body="x", public=True, at=pacific(2026, 11, 18, 11))


def test_another_customers_contact_cannot_reply():
    asset = asset_on_plan("gold")
    other = user("customer", asset_on_plan("gold").customer)
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(NotFound):
        services.reply(actor=other, ticket=ticket, body="x", public=True)
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_reply_before_the_ticket_opened_is_refused():
    asset = asset_on_plan("gold")
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(DomainError) as refused:
        services.reply(
            actor=user("agent"), ticket=ticket, body="x", public=True, at=pacific(2026, 11, 18, 9)
        )
    assert (refused.value.field, status_of(refused.value)) == ("at", 400)


# ----------------------------------------------------------------------------- severity


def test_l7_severity_change_retargets_from_the_change_time_and_history_shows_both():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, severity="S3", opened_at=pacific(2026, 11, 18, 10, 0))
    assert clock_of(ticket, "first_response").due_at == pacific(2026, 11, 18, 18, 0)  # 8 bh
    ticket.policy_version = "older"  # as if opened under a previous policy file (L6)
    ticket.save(update_fields=["policy_version"])
    services.change_severity(
        actor=agent, ticket=ticket, severity="S1", at=pacific(2026, 11, 18, 12)
    )
    assert ticket.severity == "S1"
    assert ticket.policy_version == active_policy().version  # L6: re-targeted under today's
    first = clock_of(ticket, "first_response")
    assert first.started_at == pacific(2026, 11, 18, 12, 0)
    assert first.due_at == pacific(2026, 11, 18, 14, 0)  # 2 h, 24x7, from the change
    assert first.target == "2 hours, 24x7"
    assert first.explanation[0] == (
        "Re-targeted at Wed 18 Nov 2026 12:00 PST: severity S3 became S1 (rule L7)."
    )
    assert first.explanation[-1] == "Due Wed 18 Nov 2026 14:00 PST (rule T8)."
    event = ticket_history(ticket)[-1]
    assert event.verb == "ticket.severity_changed"
    assert event.changes["severity"] == ["S3", "S1"]
    assert event.changes["policy_version"] == ["older", active_policy().version]
    (clock_change,) = event.changes["clocks"]
    assert clock_change["due_at"] == ["2026-11-19T02:00:00+00:00", "2026-11-18T22:00:00+00:00"]
    assert "L7" in event.rules


def test_l7_severity_change_retargets_the_running_next_update_too():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, severity="S4", opened_at=pacific(2026, 11, 24, 10, 0))
    assert clock_of(ticket, "first_response").due_at == pacific(2026, 11, 25, 18, 0)  # NBD
    services.reply(actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 24, 11))
    assert clock_of(ticket, "next_update").due_at == pacific(2026, 11, 25, 18, 0)
    services.change_severity(
        actor=agent, ticket=ticket, severity="S2", at=pacific(2026, 11, 25, 16, 0)
    )
    # Wed 16:00 + 4 business hours, Thanksgiving skipped -> Friday 08:00.
    assert clock_of(ticket, "next_update").due_at == pacific(2026, 11, 27, 8, 0)
    assert clock_of(ticket, "first_response").state == "met"  # a stopped clock stays stopped


def test_l3_severity_change_to_a_refused_severity_changes_nothing():
    asset = asset_on_plan("truecommand")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, severity="S2", opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(PolicyError) as refused:
        services.change_severity(actor=agent, ticket=ticket, severity="S1")
    assert refused.value.rule == "L3"
    ticket.refresh_from_db()
    assert ticket.severity == "S2"
    assert verbs(ticket) == ["ticket.opened"]


def test_customers_cannot_change_severity():
    asset = asset_on_plan("gold")
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(PermissionDenied):
        services.change_severity(
            actor=user("customer", asset.customer), ticket=ticket, severity="S1"
        )


# ------------------------------------------------------------------------- wait / resume


def test_l5_waiting_on_the_customer_pauses_and_resume_runs_the_remainder_from_the_resume():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 11))
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 12, 0))
    assert ticket.status == "waiting_on_customer"
    update = clock_of(ticket, "next_update")
    assert (update.state, update.paused_at, update.due_at) == (
        "paused",
        pacific(2026, 11, 18, 12, 0),
        None,
    )
    # A paused clock never breaches.
    assert services.mark_breached_clocks(now=pacific(2026, 11, 30, 0, 0)) == 0
    services.resume_ticket(actor=agent, ticket=ticket, at=pacific(2026, 11, 19, 9, 0))
    assert ticket.status == "open"
    update = clock_of(ticket, "next_update")
    assert (update.state, update.paused_at) == ("running", None)
    assert update.started_at == pacific(2026, 11, 19, 9, 0)
    # Gold S2, 4 business hours from the reply at 11:00; 1 hour used before the pause at 12:00
    # stays used, the remaining 3 run from the resume at 09:00 (L5).
    assert update.due_at == pacific(2026, 11, 19, 12, 0)
    events = ticket_history(ticket)
    assert [e.verb for e in events[-2:]] == ["ticket.waiting_on_customer", "ticket.resumed"]
    assert events[-2].changes["clocks"][0]["state"] == ["running", "paused"]
    assert events[-1].changes["clocks"][0]["state"] == ["paused", "running"]
    assert events[-1].at == pacific(2026, 11, 19, 9, 0)


def test_l5_a_customers_reply_resumes_a_ticket_waiting_on_them():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(actor=agent, ticket=ticket, body="a", public=True, at=pacific(2026, 11, 18, 11))
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 12, 0))
    from rmadesk.core import clock

    with clock.frozen_at(pacific(2026, 11, 19, 10, 0)):
        services.reply(
            actor=user("customer", asset.customer), ticket=ticket, body="Logs.", public=True
        )
    ticket.refresh_from_db()
    assert ticket.status == "open"
    # 1 of the 4 business hours used before the pause; 3 remain from the reply at 10:00 (L5).
    assert clock_of(ticket, "next_update").due_at == pacific(2026, 11, 19, 13, 0)
    assert verbs(ticket)[-2:] == ["ticket.customer_replied", "ticket.resumed"]


def test_l5_wait_and_resume_refuse_the_wrong_state():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(DomainError) as refused:
        services.resume_ticket(actor=agent, ticket=ticket)
    assert status_of(refused.value) == 409
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 10, 30))
    with pytest.raises(DomainError):
        services.wait_on_customer(actor=agent, ticket=ticket)


# ------------------------------------------------------------------------------- close


def test_p1_out_of_scope_close_names_a_policy_reason_and_stops_the_clocks():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.close_ticket(
        actor=agent,
        ticket=ticket,
        reason="The pool was destroyed by the customer; we cannot recover it.",
        out_of_scope="Data Recovery",
        at=pacific(2026, 11, 18, 12, 0),
    )
    assert (ticket.status, ticket.out_of_scope_reason) == ("out_of_scope", "data recovery")
    assert ticket.closed_at == pacific(2026, 11, 18, 12, 0)
    first = clock_of(ticket, "first_response")
    assert (first.state, first.stopped_at) == ("met", pacific(2026, 11, 18, 12, 0))
    closing = Message.objects.filter(ticket=ticket).last()
    assert closing.is_public
    assert closing.body.startswith(
        "Closed as out of scope: our support does not cover data recovery."
    )
    event = ticket_history(ticket)[-2]  # the last: the rating asked once it closed (issue 16)
    assert (event.verb, event.rules) == ("ticket.closed", ["P1"])


def test_p1_an_unknown_out_of_scope_reason_is_refused_naming_the_field_and_rule():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(DomainError) as refused:
        services.close_ticket(actor=agent, ticket=ticket, reason="x", out_of_scope="too hard")
    assert (status_of(refused.value), refused.value.field, refused.value.rule) == (
        400,
        "out_of_scope",
        "P1",
    )
    assert "data recovery" in refused.value.message
    with pytest.raises(DomainError) as blank:
        services.close_ticket(actor=agent, ticket=ticket, reason=" ", out_of_scope="data recovery")
    assert (blank.value.field, blank.value.rule) == ("reason", "P1")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert verbs(ticket) == ["ticket.opened"]


def test_closing_as_resolved_after_the_due_time_records_the_breach():
    asset = asset_on_plan("gold")
    agent = user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.close_ticket(actor=agent, ticket=ticket, reason="Fixed.", at=pacific(2026, 11, 18, 15))
    assert ticket.status == "resolved" and ticket.out_of_scope_reason == ""
    first = clock_of(ticket, "first_response")
    assert (first.state, first.stopped_at) == ("breached", pacific(2026, 11, 18, 14, 0))
    with pytest.raises(DomainError) as again:
        services.close_ticket(actor=agent, ticket=ticket, reason="again")
    assert status_of(again.value) == 409
    with pytest.raises(DomainError):
        services.reply(actor=agent, ticket=ticket, body="late", public=True)


def test_customers_cannot_close():
    asset = asset_on_plan("gold")
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    with pytest.raises(PermissionDenied):
        services.close_ticket(actor=user("customer", asset.customer), ticket=ticket, reason="ok")


# ------------------------------------------------------------------------------ assign


def test_assign_to_an_agent_and_refuse_anyone_who_does_not_work_tickets():
    asset = asset_on_plan("gold")
    agent, other = user("agent"), user("agent")
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.assign_ticket(actor=agent, ticket=ticket, assignee=other)
    assert ticket.assignee == other
    assert ticket_history(ticket)[-1].changes == {"assignee": [None, other.email]}
    for wrong in (user("clerk"), user("customer", asset.customer)):
        with pytest.raises(DomainError) as refused:
            services.assign_ticket(actor=agent, ticket=ticket, assignee=wrong)
        assert refused.value.field == "assignee"
    services.assign_ticket(actor=agent, ticket=ticket, assignee=None)
    ticket.refresh_from_db()
    assert ticket.assignee is None


# ------------------------------------------------------------------------------ breach


def test_breach_marking_is_exact_and_idempotent():
    asset = asset_on_plan("gold")
    ticket = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))  # due 14:00
    answered = ticket_on(asset, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(
        actor=user("agent"), ticket=answered, body="a", public=True, at=pacific(2026, 11, 18, 10, 5)
    )  # first response met; next update due 14:05
    assert services.mark_breached_clocks(now=pacific(2026, 11, 18, 14, 0)) == 0  # due, not past
    assert services.mark_breached_clocks(now=pacific(2026, 11, 18, 14, 3)) == 1
    first = clock_of(ticket, "first_response")
    assert (first.state, first.stopped_at) == ("breached", pacific(2026, 11, 18, 14, 0))
    assert services.mark_breached_clocks(now=pacific(2026, 11, 18, 14, 3)) == 0
    assert services.mark_breached_clocks(now=pacific(2026, 11, 18, 15, 0)) == 1  # next update
    assert services.mark_breached_clocks(now=pacific(2026, 11, 19, 15, 0)) == 0
    assert clock_of(answered, "first_response").state == "met"
    assert clock_of(answered, "next_update").state == "breached"
    breaches = AuditEvent.objects.filter(verb="clock.breached").order_by("id")
    assert [(e.ticket_number, e.changes["clock"], e.rules) for e in breaches] == [
        (ticket.number, "first_response", ["L3"]),
        (answered.number, "next_update", ["L5"]),
    ]
    assert breaches[0].at == pacific(2026, 11, 18, 14, 3)


def test_breach_marking_refuses_a_naive_now():
    with pytest.raises(PolicyError) as refused:
        services.mark_breached_clocks(now=dt.datetime(2026, 11, 18, 14, 0))
    assert refused.value.rule == "T1"


# ----------------------------------------------------------------------------- history


def test_history_shows_every_change_in_order():
    asset = asset_on_plan("gold")
    agent, other = user("agent"), user("manager")
    me = user("customer", asset.customer)
    ticket = ticket_on(asset, actor=agent, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(
        actor=agent, ticket=ticket, body="n", public=False, at=pacific(2026, 11, 18, 10, 5)
    )
    services.reply(
        actor=agent, ticket=ticket, body="r", public=True, at=pacific(2026, 11, 18, 10, 10)
    )
    services.change_severity(
        actor=agent, ticket=ticket, severity="S3", at=pacific(2026, 11, 18, 10, 15)
    )
    services.wait_on_customer(actor=agent, ticket=ticket, at=pacific(2026, 11, 18, 10, 20))
    from rmadesk.core import clock

    with clock.frozen_at(pacific(2026, 11, 18, 10, 25)):
        services.reply(actor=me, ticket=ticket, body="c", public=True)
        services.assign_ticket(actor=agent, ticket=ticket, assignee=other)
    services.mark_breached_clocks(now=pacific(2026, 11, 20, 0, 0))
    services.close_ticket(
        actor=other,
        ticket=ticket,
        reason="r",
        out_of_scope="network issues",
        at=pacific(2026, 11, 20, 9, 0),
    )
    assert verbs(ticket) == [
        "ticket.opened",
        "ticket.note_added",
        "ticket.replied",
        "ticket.severity_changed",
        "ticket.waiting_on_customer",
        "ticket.customer_replied",
        "ticket.resumed",
        "ticket.assigned",
        "clock.breached",
        "ticket.closed",
        "ticket.rating_asked",  # issue 16: once the close commits
    ]
    customer_view = [e.verb for e in ticket_history(ticket, viewer=me)]
    assert "ticket.note_added" not in customer_view and len(customer_view) == 10
    assert all(e.ticket_number == ticket.number for e in ticket_history(ticket))
    actors = [e.actor_label for e in ticket_history(ticket)]
    assert actors[0] == agent.email and actors[5] == me.email and actors[8] == "system"
