"""The tickets API: exact values (L3-L7, P1, P2), 4xx for bad input (T1), 404 across customers."""

from __future__ import annotations

import re

import pytest

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent, Counter
from rmadesk.core.policies import active_policy
from rmadesk.tickets import services
from rmadesk.tickets.models import Message, ServiceClock, Ticket
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user

pytestmark = pytest.mark.django_db

NAIVE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?")
OPEN_BODY = {"serial": "A-1", "severity": "S2", "subject": "Pool degraded", "body": "Errors."}


@pytest.fixture
def world():
    """Customer A (gold, serial A-1) and customer B (gold, serial B-1)."""
    a = asset_on_plan("gold", serial="A-1")
    b = asset_on_plan("gold", serial="B-1")
    return a, b


def snapshot() -> tuple:
    """Everything a ticket request could change."""
    return (
        list(Ticket.objects.order_by("pk").values()),
        list(Message.objects.order_by("pk").values()),
        list(ServiceClock.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
        list(Counter.objects.values()),
    )


# --------------------------------------------------------------------------------- open


def test_l3_staff_open_gold_s2_before_thanksgiving_exact_answer(staff, world):
    answer = staff("agent").post(
        "/tickets", {**OPEN_BODY, "channel": "email", "opened_at": "2026-11-25T16:00:00-08:00"}
    )
    assert answer.status == 201, answer.body
    body = answer.body
    (first,) = body.pop("clocks")
    assert body == {
        "number": 100001,
        "status": "open",
        "severity": "S2",
        "plan": "gold",
        "channel": "email",
        "subject": "Pool degraded",
        "customer": world[0].customer.pk,
        "serial": "A-1",
        "opened_at": "2026-11-25T16:00:00-08:00",
        "first_response_due": "2026-11-27T08:00:00-08:00",  # Fri 27 Nov 08:00 PST
        "next_update_due": None,
        "policy_version": active_policy().version,
        "assignee": None,
        "closed_at": None,
        "close_reason": None,
        "out_of_scope_reason": None,
        "warranty_denial_cause": None,
        "close_rule": None,
        "closed_by_customer": False,
        "reopen_until": None,
        "unsupported_software": False,
        "unsupported_software_reason": None,
        "jails_and_plugins": None,
    }
    assert first | {"explain": None} == {
        "kind": "first_response",
        "state": "running",
        "started_at": "2026-11-25T16:00:00-08:00",
        "due_at": "2026-11-27T08:00:00-08:00",
        "paused_at": None,
        "stopped_at": None,
        "target": "4 business hours",
        "calendar": "Pacific business hours",
        "explain": None,
    }
    assert "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day) (rule T2)." in first["explain"]


def test_l4_bronze_phone_call_friday_1900_is_voicemail_due_monday_1800(staff):
    asset_on_plan("bronze", serial="BR-1")
    answer = staff("agent").post(
        "/tickets",
        {
            "serial": "BR-1",
            "severity": "S1",
            "subject": "Array down",
            "body": "Caller says the array is down.",
            "channel": "phone",
            "opened_at": "2026-11-20T19:00:00-08:00",
        },
    )
    assert answer.status == 201, answer.body
    assert answer.body["channel"] == "voicemail"
    assert answer.body["first_response_due"] == "2026-11-23T18:00:00-08:00"  # Mon 23 Nov 18:00 PST
    assert answer.body["clocks"][0]["started_at"] == "2026-11-23T06:00:00-08:00"  # Mon 06:00 PST


def test_customer_opens_on_its_own_serial_at_the_clocks_now(contact, world):
    a, _ = world
    with clock.frozen_at(pacific(2026, 11, 18, 10, 0)):
        answer = contact(a.customer).post("/tickets", OPEN_BODY)
    assert answer.status == 201, answer.body
    assert (answer.body["channel"], answer.body["opened_at"]) == (
        "portal",
        "2026-11-18T10:00:00-08:00",
    )
    assert answer.body["first_response_due"] == "2026-11-18T14:00:00-08:00"


def test_customer_cannot_backdate_or_open_on_another_customers_serial(contact, world):
    a, _ = world
    me = contact(a.customer)
    before = snapshot()
    backdated = me.post("/tickets", {**OPEN_BODY, "opened_at": "2026-11-18T10:00:00-08:00"})
    assert backdated.status == 403
    assert me.post("/tickets", {**OPEN_BODY, "serial": "B-1"}).status == 404
    assert me.post("/tickets", {**OPEN_BODY, "serial": "NOBODY"}).status == 404
    assert snapshot() == before


def test_l3_truecommand_s1_is_a_400_naming_the_rule(staff):
    asset_on_plan("truecommand", serial="TC-1")
    answer = staff("agent").post("/tickets", {**OPEN_BODY, "serial": "TC-1", "severity": "S1"})
    assert answer.status == 400
    assert (answer.body["rule"], answer.body["field"]) == ("L3", "severity")
    assert Ticket.objects.count() == 0


def test_l1_no_contract_is_a_400(staff):
    asset_on_plan("gold", serial="OLD-1", ends_on=pacific(2025, 6, 30).date())
    answer = staff("agent").post("/tickets", {**OPEN_BODY, "serial": "OLD-1"})
    assert (answer.status, answer.body["rule"], answer.body["field"]) == (400, "L1", "serial")


def test_p2_prerelease_software_is_flagged_in_the_answer(staff):
    asset_on_plan("silver", serial="RC-1", software_version="TrueNAS-SCALE-24.10-RC.1")
    answer = staff("agent").post(
        "/tickets", {**OPEN_BODY, "serial": "RC-1", "opened_at": "2026-11-18T10:00:00-08:00"}
    )
    assert answer.status == 201
    assert answer.body["unsupported_software"] is True
    assert "pre-release (RC)" in answer.body["unsupported_software_reason"]


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_staff_who_do_not_work_tickets_get_403(staff, world, role):
    client = staff(role)
    before = snapshot()
    assert client.post("/tickets", OPEN_BODY).status == 403
    assert snapshot() == before


# ------------------------------------------------------------------- replies and clocks


def test_reply_wait_resume_severity_assign_close_through_the_api(staff, contact, world):
    a, _ = world
    agent = staff("agent")
    manager = staff("manager")
    number = agent.post("/tickets", {**OPEN_BODY, "opened_at": "2026-11-18T10:00:00-08:00"}).body[
        "number"
    ]
    path = f"/tickets/{number}"
    replied = agent.post(f"{path}/replies", {"body": "Looking.", "at": "2026-11-18T11:00:00-08:00"})
    assert replied.status == 201, replied.body
    assert (replied.body["kind"], replied.body["public"]) == ("reply", True)
    assert replied.body["ticket"]["next_update_due"] == "2026-11-18T15:00:00-08:00"  # 15:00 PST
    assert replied.body["ticket"]["clocks"][0]["state"] == "met"

    waited = agent.post(f"{path}/wait", {"at": "2026-11-18T12:00:00-08:00"})
    assert waited.status == 200, waited.body
    assert waited.body["status"] == "waiting_on_customer"
    assert waited.body["next_update_due"] is None
    assert waited.body["clocks"][1]["paused_at"] == "2026-11-18T12:00:00-08:00"

    resumed = agent.post(f"{path}/resume", {"at": "2026-11-19T09:00:00-08:00"})
    assert resumed.status == 200, resumed.body
    assert (resumed.body["status"], resumed.body["next_update_due"]) == (
        "open",
        "2026-11-19T12:00:00-08:00",  # 1 of 4 business hours used before the pause (L5)
    )

    changed = agent.post(f"{path}/severity", {"severity": "S1", "at": "2026-11-19T10:00:00-08:00"})
    assert changed.status == 200, changed.body
    assert changed.body["severity"] == "S1"
    assert changed.body["next_update_due"] == "2026-11-19T12:00:00-08:00"  # 2 h 24x7 from 10:00 PST

    assigned = agent.post(f"{path}/assign", {"assignee": "manager@vendor.example"})
    assert manager.user.email == "manager@vendor.example"
    assert (assigned.status, assigned.body["assignee"]) == (200, "manager@vendor.example")

    closed = manager.post(
        f"{path}/close",
        {"reason": "Switch misconfigured.", "out_of_scope": "network issues"},
    )
    assert closed.status == 200, closed.body
    assert closed.body["status"] == "out_of_scope"

    seen = contact(a.customer).get(path)
    assert seen.status == 200
    assert (seen.body["out_of_scope_reason"], seen.body["close_rule"]) == ("network issues", "P1")
    assert seen.body["close_reason"] == "Switch misconfigured."
    assert seen.body["messages"][-1]["body"].startswith(
        "Closed as out of scope: our support does not cover network issues."
    )
    assert [e["verb"] for e in seen.body["history"]] == [
        "ticket.opened",
        "ticket.replied",
        "ticket.waiting_on_customer",
        "ticket.resumed",
        "ticket.severity_changed",
        "ticket.assigned",
        "ticket.closed",
        "ticket.rating_asked",  # issue 16
    ]
    retarget = seen.body["history"][4]
    assert retarget["changes"]["severity"] == ["S2", "S1"]
    assert retarget["changes"]["clocks"][0]["due_at"] == [
        "2026-11-19T20:00:00+00:00",  # the remainder after the pause (L5): 12:00 PST
        "2026-11-19T20:00:00+00:00",
    ]


def test_p1_close_with_an_unknown_reason_is_a_400_naming_field_and_rule(staff, world):
    agent = staff("agent")
    number = agent.post("/tickets", OPEN_BODY).body["number"]
    before = snapshot()
    answer = agent.post(f"/tickets/{number}/close", {"reason": "x", "out_of_scope": "boredom"})
    assert answer.status == 400
    assert (answer.body["field"], answer.body["rule"]) == ("out_of_scope", "P1")
    assert snapshot() == before


def test_customer_replies_are_public_and_at_is_staff_only(contact, world):
    a, _ = world
    ticket = ticket_on(a, opened_at=pacific(2026, 11, 18, 10, 0))
    me = contact(a.customer)
    with clock.frozen_at(pacific(2026, 11, 18, 10, 30)):
        answer = me.post(f"/tickets/{ticket.number}/replies", {"body": "Logs.", "public": False})
    assert answer.status == 201, answer.body
    assert (answer.body["kind"], answer.body["public"]) == ("customer", True)
    before = snapshot()
    dated = me.post(
        f"/tickets/{ticket.number}/replies", {"body": "x", "at": "2026-11-18T11:00:00-08:00"}
    )
    assert dated.status == 403
    for action, body in [
        ("severity", {"severity": "S1"}),
        ("close", {"reason": "done"}),
        ("wait", {}),
        ("resume", {}),
        ("assign", {"assignee": None}),
    ]:
        assert me.post(f"/tickets/{ticket.number}/{action}", body).status == 403, action
    assert snapshot() == before


def test_customers_read_public_messages_and_staff_read_all(staff, contact, world):
    a, _ = world
    agent = staff("agent")
    number = agent.post("/tickets", {**OPEN_BODY, "opened_at": "2026-11-18T10:00:00-08:00"}).body[
        "number"
    ]
    agent.post(f"/tickets/{number}/replies", {"body": "Secret note", "public": False})
    agent.post(f"/tickets/{number}/replies", {"body": "Public reply", "public": True})
    mine = contact(a.customer).get(f"/tickets/{number}")
    assert [m["body"] for m in mine.body["messages"]] == ["Errors.", "Public reply"]
    assert "ticket.note_added" not in [e["verb"] for e in mine.body["history"]]
    full = agent.get(f"/tickets/{number}")
    assert [m["body"] for m in full.body["messages"]] == ["Errors.", "Secret note", "Public reply"]
    assert "ticket.note_added" in [e["verb"] for e in full.body["history"]]


def test_assign_to_an_unknown_email_is_a_400(staff, world):
    agent = staff("agent")
    number = agent.post("/tickets", OPEN_BODY).body["number"]
    answer = agent.post(f"/tickets/{number}/assign", {"assignee": "ghost@vendor.example"})
    assert (answer.status, answer.body["field"]) == (400, "assignee")


# ------------------------------------------------------------------------------ list


def test_list_filters_by_status_breach_and_customer_and_paginates(staff, contact, world):
    a, b = world
    agent = staff("agent")
    opened = pacific(2026, 11, 18, 10, 0)
    late = ticket_on(a, opened_at=opened)
    closed = ticket_on(a, opened_at=opened)
    services.close_ticket(actor=user("agent"), ticket=closed, reason="done", at=opened)
    other = ticket_on(b, opened_at=opened)
    services.mark_breached_clocks(now=pacific(2026, 11, 18, 15, 0))

    def numbers(client, **params):
        answer = client.get("/tickets", **params)
        assert answer.status == 200, answer.body
        return [t["number"] for t in answer.body["items"]]

    assert numbers(agent) == [other.number, closed.number, late.number]
    assert numbers(agent, status="resolved") == [closed.number]
    assert numbers(agent, breached="true") == [other.number, late.number]
    assert numbers(agent, breached="false") == [closed.number]
    assert numbers(agent, customer=b.customer.pk) == [other.number]
    assert numbers(agent, limit=1, offset=1) == [closed.number]
    page = agent.get("/tickets", limit=1).body
    assert (page["count"], page["limit"], page["offset"]) == (3, 1, 0)
    mine = contact(a.customer)
    assert numbers(mine) == [closed.number, late.number]
    assert numbers(mine, customer=b.customer.pk) == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"breached": "maybe"},
        {"customer": "acme"},
        {"customer": str(2**70)},
        {"limit": 0},
        {"limit": 1000},
        {"offset": -1},
    ],
)
def test_list_refuses_bad_filters_with_a_4xx(staff, world, params):
    answer = staff("agent").get("/tickets", **params)
    assert 400 <= answer.status < 500, answer.body


def test_list_uses_a_fixed_number_of_queries(staff, world, django_assert_num_queries):
    a, b = world
    agent = staff("agent")
    opened = pacific(2026, 11, 18, 10, 0)
    ticket_on(a, opened_at=opened)
    with django_assert_num_queries(5):  # token, token bookkeeping, count, page, clocks
        assert len(agent.get("/tickets").body["items"]) == 1
    for asset in (a, b, a, b, a):
        services.reply(
            actor=user("agent"),
            ticket=ticket_on(asset, opened_at=opened),
            body="r",
            public=True,
            at=pacific(2026, 11, 18, 11, 0),
        )
    services.assign_ticket(actor=user("agent"), ticket=Ticket.objects.first(), assignee=agent.user)
    with django_assert_num_queries(5):
        assert len(agent.get("/tickets").body["items"]) == 6


# ------------------------------------------------------------------- bad input is a 4xx

ENDPOINT_BODIES = {
    "open": ("/tickets", OPEN_BODY),
    "replies": ("/tickets/{n}/replies", {"body": "hi"}),
    "severity": ("/tickets/{n}/severity", {"severity": "S1"}),
    "close": ("/tickets/{n}/close", {"reason": "done"}),
    "wait": ("/tickets/{n}/wait", {}),
    "resume": ("/tickets/{n}/resume", {}),
    "assign": ("/tickets/{n}/assign", {"assignee": "agent@vendor.example"}),
}

BAD_INPUT = [
    # (endpoint, body, field the error names)
    ("open", {**OPEN_BODY, "severity": 2}, "severity"),
    ("open", {**OPEN_BODY, "serial": ["A-1"]}, "serial"),
    ("open", {**OPEN_BODY, "opened_at": "yesterday"}, "opened_at"),
    ("open", {**OPEN_BODY, "opened_at": "2026-11-18T10:00:00"}, "opened_at"),
    ("open", {**OPEN_BODY, "priority": "high"}, "priority"),
    ("open", {k: v for k, v in OPEN_BODY.items() if k != "subject"}, "subject"),
    ("open", {**OPEN_BODY, "channel": "fax"}, "channel"),
    ("open", {**OPEN_BODY, "severity": "S9"}, "severity"),
    ("open", {**OPEN_BODY, "subject": " "}, "subject"),
    ("replies", {"body": 5}, "body"),
    ("replies", {"body": "x", "public": "perhaps"}, "public"),
    ("replies", {"body": "x", "at": "2026-11-18T11:00:00"}, "at"),
    ("replies", {"body": "x", "cc": "boss"}, "cc"),
    ("replies", {}, "body"),
    ("replies", {"body": "x", "at": "2026-11-18T09:00:00-08:00"}, "at"),  # before opening
    ("severity", {"severity": None}, "severity"),
    ("severity", {"severity": "S1", "at": "2026-11-18T11:00"}, "at"),
    ("severity", {"severity": "S1", "why": "x"}, "why"),
    ("severity", {}, "severity"),
    ("severity", {"severity": "S2"}, "severity"),  # already S2
    ("close", {"reason": ["x"]}, "reason"),
    ("close", {"reason": "x", "at": "2026-11-18T12:00:00"}, "at"),
    ("close", {"reason": "x", "resolution": "x"}, "resolution"),
    ("close", {"out_of_scope": "data recovery"}, "reason"),
    ("close", {"reason": "", "out_of_scope": "data recovery"}, "reason"),
    ("wait", {"at": 12}, "at"),
    ("wait", {"at": "2026-11-18T12:00:00"}, "at"),
    ("wait", {"until": "tomorrow"}, "until"),
    ("resume", {"at": "2026-11-18T12:00:00"}, "at"),
    ("resume", {"now": True}, "now"),
    ("assign", {"assignee": 7}, "assignee"),
    ("assign", {}, "assignee"),
    ("assign", {"assignee": "agent@vendor.example", "team": "x"}, "team"),
]


@pytest.mark.parametrize(("endpoint", "body", "field"), BAD_INPUT)
def test_every_endpoint_answers_bad_input_with_a_4xx_naming_the_field(
    staff, world, endpoint, body, field
):
    agent = staff("agent")
    ticket = ticket_on(world[0], actor=agent.user, opened_at=pacific(2026, 11, 18, 10, 0))
    path = ENDPOINT_BODIES[endpoint][0].format(n=ticket.number)
    before = snapshot()
    answer = agent.post(path, body)
    assert 400 <= answer.status < 500, answer.body
    assert answer.body["field"] == field, answer.body
    naive = [v for v in body.values() if isinstance(v, str) and NAIVE.fullmatch(v)]
    if naive:  # T1: an instant without an offset is named as such
        assert (answer.status, answer.body["rule"]) == (422, "T1")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", sorted(ENDPOINT_BODIES))
def test_every_endpoint_answers_malformed_json_with_a_4xx(staff, world, endpoint):
    agent = staff("agent")
    ticket = ticket_on(world[0], actor=agent.user)
    path = ENDPOINT_BODIES[endpoint][0].format(n=ticket.number)
    before = snapshot()
    assert 400 <= agent.post(path, raw="{not json").status < 500
    assert 400 <= agent.post(path, raw="[1, 2]").status < 500
    assert snapshot() == before


@pytest.mark.parametrize("number", ["abc", "0", str(2**70), "-5"])
def test_bad_ticket_numbers_are_a_4xx(staff, world, number):
    agent = staff("agent")
    assert 400 <= agent.get(f"/tickets/{number}").status < 500
    assert 400 <= agent.post(f"/tickets/{number}/replies", {"body": "x"}).status < 500


# ---------------------------------------------------------------- authorization matrix


@pytest.mark.parametrize("endpoint", ["detail", *sorted(set(ENDPOINT_BODIES) - {"open"})])
def test_customer_b_gets_404_on_customer_a_tickets_and_nothing_changes(
    staff, contact, world, endpoint
):
    a, b = world
    agent = staff("agent")
    ticket = ticket_on(a, actor=agent.user, opened_at=pacific(2026, 11, 18, 10, 0))
    services.reply(
        actor=agent.user, ticket=ticket, body="r", public=True, at=pacific(2026, 11, 18, 11)
    )
    intruder = contact(b.customer)
    before = snapshot()
    if endpoint == "detail":
        answer = intruder.get(f"/tickets/{ticket.number}")
    else:
        path, body = ENDPOINT_BODIES[endpoint]
        answer = intruder.post(path.format(n=ticket.number), body)
    assert answer.status == 404, answer.body
    assert answer.body == {"error": "not found", "field": None, "rule": None}
    assert snapshot() == before
    # The same as a ticket that does not exist.
    missing = intruder.get("/tickets/999999")
    assert (missing.status, missing.body) == (404, answer.body)
    assert ticket.number not in [t["number"] for t in intruder.get("/tickets").body["items"]]


def test_anonymous_requests_get_401_everywhere(anonymous, world):
    ticket = ticket_on(world[0], opened_at=pacific(2026, 11, 18, 10, 0))
    before = snapshot()
    assert anonymous.get("/tickets").status == 401
    assert anonymous.get(f"/tickets/{ticket.number}").status == 401
    for path, body in ENDPOINT_BODIES.values():
        assert anonymous.post(path.format(n=ticket.number), body).status == 401
    assert snapshot() == before


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_staff_outside_support_read_tickets_but_cannot_change_them(staff, world, role):
    ticket = ticket_on(world[0], opened_at=pacific(2026, 11, 18, 10, 0))
    client = staff(role)
    assert client.get(f"/tickets/{ticket.number}").status == 200
    before = snapshot()
    for name, (path, body) in ENDPOINT_BODIES.items():
        if name != "open":
            assert client.post(path.format(n=ticket.number), body).status == 403, name
    assert snapshot() == before


def test_openapi_lists_the_ticket_endpoints(anonymous):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/replies",
        "/api/v1/tickets/{number}/severity",
        "/api/v1/tickets/{number}/close",
        "/api/v1/tickets/{number}/wait",
        "/api/v1/tickets/{number}/resume",
        "/api/v1/tickets/{number}/assign",
    ]:
        assert path in paths


def test_list_pages_by_cursor_every_ticket_once_and_caps_the_count(staff, world, monkeypatch):
    """Issue 15: `next` walks the list newest first, each ticket on exactly one page; the
    count stops at the cap and says so; an old `offset` still works beside a cursor."""
    a, b = world
    agent = staff("agent")
    opened = pacific(2026, 11, 18, 10, 0)
    made = [ticket_on(a if i % 2 else b, opened_at=opened) for i in range(5)]
    monkeypatch.setattr("rmadesk.core.paging.COUNT_LIMIT", 3)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = agent.get("/tickets", **params).body
        assert (page["count"], page["count_is_exact"]) == (3, False)
        seen += [t["number"] for t in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted((t.number for t in made), reverse=True) and pages == 3
    after_first = agent.get("/tickets", limit=2, offset=1, cursor=str(seen[1])).body
    assert [t["number"] for t in after_first["items"]] == seen[3:5]
    assert after_first["next"] is None
    monkeypatch.setattr("rmadesk.core.paging.COUNT_LIMIT", 5)
    page = agent.get("/tickets").body
    assert (page["count"], page["count_is_exact"], page["next"]) == (5, True, None)
    assert agent.get("/tickets", cursor="1x").status == 422
