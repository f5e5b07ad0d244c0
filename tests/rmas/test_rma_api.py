"""RMAs through the REST API: exact instants, the R6 label gate and the PDF, receiving (R3),
decisions (R7, R8), money-back refunds (F3), and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rmadesk.core.models import AuditEvent
from rmadesk.rmas.models import Rma
from tests.rmas.factories import rma_of, ticket_on
from tests.rmas.pdf_reading import barcode_forms, decode_code128, pdf_text

pytestmark = pytest.mark.django_db

ITEM = {"part": "HDD 16TB", "serial": "ZL0001", "unit_price": "450.00"}
CONFIRM_ALL = {
    "data_backed_up": True,
    "original_packaging": True,
    "insured": True,
    "removable_media_removed": True,
}


def open_via_api(agent, ticket, kind="repair", **extra: Any):
    body = {"kind": kind, "items": [ITEM], "issued_at": "2026-10-20T10:00:00-07:00"} | extra
    return agent.post(f"/tickets/{ticket.number}/rma", body)


def snapshot() -> tuple[list[dict[str, Any]], int]:
    """Every RMA row and the number of audit events: what "nothing changed" compares."""
    return list(Rma.objects.order_by("pk").values()), AuditEvent.objects.count()


# ------------------------------------------------------------------------------- R1, R4 exact


def test_r1_open_rma_answers_the_ticket_number_and_exact_expiry(staff):
    ticket = ticket_on()
    answer = open_via_api(staff("agent"), ticket)
    assert answer.status == 201, answer.body
    body = answer.body
    assert body["number"] == ticket.number == body["ticket"]  # P3
    assert (body["kind"], body["status"]) == ("repair", "issued")
    assert body["issued_at"] == "2026-10-20T10:00:00-07:00"
    assert body["expires_at"] == "2026-11-19T10:00:00-08:00"  # 30 calendar days, across DST
    assert body["items"] == [
        {"part": "HDD 16TB", "serial": "ZL0001", "unit_price": "450.00", "currency": "USD"}
    ]
    assert body["serial"] == ticket.asset.serial
    assert body["confirmations_missing"] == [
        "data_backed_up",
        "removable_media_removed",
        "original_packaging",
        "insured",
    ]
    assert body["label_url"] is None and body["refund"] is None
    assert body["flags"] == []
    assert "R1" in body["rules"]
    assert body["explain"][0] == (
        "RMA issued Tue 20 Oct 2026 10:00 PDT is valid 30 days: returns must arrive by "
        "Thu 19 Nov 2026 10:00 PST (rule R1)."
    )
    assert AuditEvent.objects.filter(verb="rma.opened", ticket_number=ticket.number).count() == 1


def test_r4_ship_replacement_answers_label_and_invoice_instants(staff, contact):
    ticket = ticket_on()
    agent = staff("agent")
    open_via_api(agent, ticket, kind="advance_exchange")
    me = contact(ticket.customer)
    confirmed = me.post(
        f"/rmas/{ticket.number}/confirm",
        {
            "data_backed_up": True,
            "original_packaging": False,
            "insured": False,
            "removable_media_removed": True,
        },
    )
    assert confirmed.status == 200, confirmed.body
    assert (confirmed.body["status"], confirmed.body["confirmations_missing"]) == ("confirmed", [])
    shipped = agent.post(
        f"/rmas/{ticket.number}/ship-replacement", {"shipped_at": "2026-10-22T10:00:00-07:00"}
    )
    assert shipped.status == 200, shipped.body
    assert shipped.body["status"] == "replacement_shipped"
    assert shipped.body["replacement_shipped_at"] == "2026-10-22T10:00:00-07:00"
    assert shipped.body["label_expires_at"] == "2026-11-01T10:00:00-08:00"
    assert shipped.body["invoice_at"] == "2026-11-05T10:00:00-08:00"
    assert shipped.body["label_url"] == f"/api/v1/rmas/{ticket.number}/label.pdf"


def test_t1_a_customer_reads_instants_in_its_own_zone(staff, contact):
    ticket = ticket_on(country="DE", zone="Europe/Berlin")
    open_via_api(staff("agent"), ticket)
    mine = contact(ticket.customer).get(f"/rmas/{ticket.number}")
    assert mine.status == 200
    assert mine.body["issued_at"] == "2026-10-20T19:00:00+02:00"
    assert mine.body["expires_at"] == "2026-11-19T19:00:00+01:00"
    assert dt.datetime.fromisoformat(mine.body["expires_at"]) == dt.datetime(
        2026, 11, 19, 18, 0, tzinfo=dt.UTC
    )


# ------------------------------------------------------------------------------- R5, F3


def test_r5_advance_exchange_refused_for_a_flagged_model(staff):
    ticket = ticket_on(model="FreeNAS Mini", advance_exchange=False)
    agent = staff("agent")
    before = snapshot()
    answer = open_via_api(agent, ticket, kind="advance_exchange")
    assert answer.status == 400
    assert (answer.body["rule"], answer.body["field"]) == ("R5", "kind")
    assert "FreeNAS Mini" in answer.body["error"]
    assert snapshot() == before


def test_f3_money_back_refused_for_software(staff):
    ticket = ticket_on(model="TrueCommand", product_line="truecommand")
    answer = open_via_api(staff("agent"), ticket, kind="money_back")
    assert (answer.status, answer.body["rule"]) == (400, "F3")


def test_r1_a_second_rma_on_the_ticket_is_a_conflict(staff):
    ticket = ticket_on()
    open_via_api(staff("agent"), ticket)
    again = open_via_api(staff("agent"), ticket)
    assert (again.status, again.body["rule"]) == (409, "R1")


# ------------------------------------------------------------------------------- R6, R2: label


def test_r6_label_pdf_is_409_until_confirmed_and_issued_then_a_real_label(staff, contact):
    ticket = ticket_on()
    number = ticket.number
    agent, me = staff("agent"), contact(ticket.customer)
    open_via_api(agent, ticket)

    early = me.get(f"/rmas/{number}/label.pdf")
    assert (early.status, early.body["rule"], early.body["field"]) == (409, "R6", "data_backed_up")
    refused = agent.post(f"/rmas/{number}/label", {})
    assert (refused.status, refused.body["rule"]) == (409, "R6")

    partly = me.post(
        f"/rmas/{number}/confirm",
        {
            "data_backed_up": True,
            "original_packaging": True,
            "insured": False,
            "removable_media_removed": True,
        },
    )
    assert partly.body["confirmations_missing"] == ["insured"]
    assert agent.post(f"/rmas/{number}/label", {}).body["field"] == "insured"
    assert me.post(f"/rmas/{number}/confirm", CONFIRM_ALL).body["status"] == "confirmed"
    not_issued = me.get(f"/rmas/{number}/label.pdf")
    assert (not_issued.status, not_issued.body["rule"]) == (409, "R6")

    issued = agent.post(f"/rmas/{number}/label", {"at": "2026-10-21T09:00:00-07:00"})
    assert issued.status == 200, issued.body
    assert issued.body["status"] == "label_issued"
    assert issued.body["label_issued_at"] == "2026-10-21T09:00:00-07:00"

    label = me.get(f"/rmas/{number}/label.pdf")
    assert label.status == 200
    assert label.content_type == "application/pdf"
    assert label.content.startswith(b"%PDF")
    text = pdf_text(label.content)
    assert f"RMA {number}" in text
    assert "RMA valid until Thu 19 Nov 2026 10:00 PST" in text
    assert "Repair (whole system)" in text
    assert "HDD 16TB, serial ZL0001" in text
    assert "RMA Receiving" in text and ticket.customer.name in text
    assert "write" not in text.lower()  # R2: never asks anyone to write the number on the box
    assert "Prepaid label" not in text
    forms = barcode_forms(label.content)
    [barcode] = [rects for name, rects in forms.items() if "rma_barcode" in name]
    assert len(barcode) == 19  # start, 3 digit pairs, checksum: 3 bars each; stop: 4
    assert decode_code128(barcode) == str(number)  # R2: the number as a Code 128 barcode
    assert staff("clerk").get(f"/rmas/{number}/label.pdf").content == label.content


def test_r4_advance_exchange_label_shows_until_when_the_prepaid_label_is_valid(staff):
    ticket = ticket_on()
    agent = staff("agent")
    open_via_api(agent, ticket, kind="advance_exchange")
    agent.post(
        f"/rmas/{ticket.number}/confirm",
        {
            "data_backed_up": True,
            "original_packaging": False,
            "insured": False,
            "removable_media_removed": True,
        },
    )
    agent.post(
        f"/rmas/{ticket.number}/ship-replacement", {"shipped_at": "2026-10-22T10:00:00-07:00"}
    )
    label = agent.get(f"/rmas/{ticket.number}/label.pdf")
    assert label.status == 200
    text = pdf_text(label.content)
    assert "Prepaid label valid until Sun 01 Nov 2026 10:00 PST" in text
    assert "Advance exchange (component)" in text
    assert "Customer confirmed: data backed up" in text


# ------------------------------------------------------------------------------- R3


def test_r3_flags_from_the_scanned_label(staff):
    clerk, agent = staff("clerk"), staff("agent")
    blank, unknown, late, fine = (ticket_on() for _ in range(4))
    for ticket in (blank, unknown, late, fine):
        open_via_api(agent, ticket)
    on_time = "2026-11-01T09:00:00-08:00"

    answer = clerk.post(
        f"/rmas/{blank.number}/receive", {"received_at": on_time, "label_rma_number": ""}
    )
    assert answer.status == 200, answer.body
    assert (answer.body["status"], answer.body["flags"]) == ("flagged", ["unreadable"])

    answer = clerk.post(
        f"/rmas/{unknown.number}/receive", {"received_at": on_time, "label_rma_number": "999999"}
    )
    assert (answer.body["status"], answer.body["flags"]) == ("flagged", ["unknown"])

    answer = clerk.post(
        f"/rmas/{late.number}/receive",
        {"received_at": "2026-11-19T10:00:01-08:00", "label_rma_number": str(late.number)},
    )
    assert (answer.body["status"], answer.body["flags"]) == ("flagged", ["expired"])
    assert answer.body["received_at"] == "2026-11-19T10:00:01-08:00"

    answer = clerk.post(
        f"/rmas/{fine.number}/receive",
        {"received_at": "2026-11-19T10:00:00-08:00", "label_rma_number": f"RMA {fine.number}"},
    )
    assert (answer.body["status"], answer.body["flags"]) == ("received", [])
    assert answer.body["received_label_number"] == f"RMA {fine.number}"

    no_null = clerk.post(
        f"/rmas/{fine.number}/receive", {"received_at": on_time, "label_rma_number": None}
    )
    assert (no_null.status, no_null.body["rule"]) == (409, "R3")  # already received


def test_r3_a_label_naming_another_rma_is_refused_and_nothing_changes(staff):
    agent = staff("agent")
    first, second = ticket_on(), ticket_on()
    open_via_api(agent, first)
    open_via_api(agent, second)
    clerk = staff("clerk")
    before = snapshot()
    answer = clerk.post(
        f"/rmas/{first.number}/receive",
        {"received_at": "2026-11-01T09:00:00-08:00", "label_rma_number": str(second.number)},
    )
    assert (answer.status, answer.body["rule"], answer.body["field"]) == (
        409,
        "R3",
        "label_rma_number",
    )
    assert str(second.number) in answer.body["error"]
    assert snapshot() == before


def test_r3_flagged_returns_are_accepted_or_rejected_with_a_reason(staff):
    clerk, agent = staff("clerk"), staff("agent")
    accepted, rejected = ticket_on(), ticket_on()
    for ticket in (accepted, rejected):
        open_via_api(agent, ticket)
        clerk.post(
            f"/rmas/{ticket.number}/receive",
            {"received_at": "2026-11-25T09:00:00-08:00", "label_rma_number": str(ticket.number)},
        )
    blank = clerk.post(f"/rmas/{accepted.number}/accept", {"reason": "   "})
    assert (blank.status, blank.body["rule"], blank.body["field"]) == (400, "R3", "reason")
    assert clerk.post(f"/rmas/{accepted.number}/accept", {}).status == 422
    assert agent.post(f"/rmas/{accepted.number}/accept", {"reason": "ok"}).status == 403

    ok = clerk.post(f"/rmas/{accepted.number}/accept", {"reason": "courier delay, proof attached"})
    assert ok.status == 200, ok.body
    assert (ok.body["status"], ok.body["flags"]) == ("received", ["expired"])
    assert ok.body["receipt_decision_reason"] == "courier delay, proof attached"

    no = clerk.post(f"/rmas/{rejected.number}/reject", {"reason": "RMA expired 6 days before"})
    assert (no.body["status"], no.body["receipt_decision_reason"]) == (
        "rejected",
        "RMA expired 6 days before",
    )
    again = clerk.post(f"/rmas/{rejected.number}/accept", {"reason": "second thoughts"})
    assert (again.status, again.body["rule"]) == (409, "R3")


# ------------------------------------------------------------------------------- R7, R8


def test_r7_r8_inspect_and_decide_abroad_needs_freight(staff):
    ticket = ticket_on(country="JP", zone="Asia/Tokyo")
    agent, clerk = staff("agent"), staff("clerk")
    open_via_api(agent, ticket)
    clerk.post(
        f"/rmas/{ticket.number}/receive",
        {"received_at": "2026-11-01T09:00:00-08:00", "label_rma_number": str(ticket.number)},
    )
    inspected = agent.post(
        f"/rmas/{ticket.number}/inspect",
        {"notes": "controller B fails POST", "at": "2026-11-02T09:00:00-08:00"},
    )
    assert inspected.status == 200, inspected.body
    assert inspected.body["status"] == "inspected"
    assert inspected.body["inspected_at"] == "2026-11-02T09:00:00-08:00"

    refused = agent.post(
        f"/rmas/{ticket.number}/decide", {"decision": "repair", "refurbished": False}
    )
    assert (refused.status, refused.body["rule"], refused.body["field"]) == (
        400,
        "R8",
        "freight_arrangement",
    )
    decided = agent.post(
        f"/rmas/{ticket.number}/decide",
        {
            "decision": "repair",
            "refurbished": True,
            "freight_arrangement": "customer's forwarder collects in San Jose",
        },
    )
    assert decided.status == 200, decided.body
    assert (decided.body["decision"], decided.body["refurbished"], decided.body["status"]) == (
        "repair",
        True,
        "closed",
    )
    assert decided.body["freight_arrangement"] == "customer's forwarder collects in San Jose"


# ------------------------------------------------------------------------------- F3


@pytest.mark.parametrize(
    ("waiver", "refund", "fee"),
    [(None, "800.00", "200.00"), ("wrong model shipped", "1000.00", "0.00")],
)
def test_f3_money_back_refund_with_and_without_waiver(staff, waiver, refund, fee):
    ticket = ticket_on(shipped_on=dt.date(2026, 10, 1))
    agent = staff("agent")
    opened = open_via_api(
        agent,
        ticket,
        kind="money_back",
        items=[{"part": "TrueNAS M50", "serial": "M50-1", "unit_price": "1000.00"}],
        issued_at="2026-10-05T09:00:00-07:00",
    )
    assert opened.body["refund"] == {
        "eligible": None,
        "amount": None,
        "restocking_fee": None,
        "shipping_and_handling": "0.00",
        "currency": "USD",
        "restocking_waived_reason": "",
        "contents": None,
        "missing_contents_accepted_reason": "",
        "explanation": "",
    }
    if waiver:
        waived = agent.post(f"/rmas/{ticket.number}/waive-restocking-fee", {"reason": waiver})
        assert waived.status == 200, waived.body
    received = staff("clerk").post(
        f"/rmas/{ticket.number}/receive",
        {
            "received_at": "2026-10-30T09:00:00-07:00",
            "label_rma_number": str(ticket.number),
            "manuals": True,
            "media": True,
            "documentation": True,
        },
    )
    assert received.status == 200, received.body
    got = received.body["refund"]
    assert (got["eligible"], got["amount"], got["restocking_fee"], got["currency"]) == (
        True,
        refund,
        fee,
        "USD",
    )
    assert got["restocking_waived_reason"] == (waiver or "")
    assert all(line in received.body["explain"] for line in got["explanation"].splitlines())


def test_F3_the_box_is_checked_at_receiving_through_the_api(staff):
    ticket = ticket_on(
        shipped_on=dt.date(2026, 10, 1),
        price=Decimal("1999.00"),
        shipping_and_handling=Decimal("49.00"),
    )
    open_via_api(
        staff("agent"),
        ticket,
        kind="money_back",
        items=[{"part": "TrueNAS M50", "serial": "M50-1", "unit_price": "1999.00"}],
        issued_at="2026-10-05T09:00:00-07:00",
    )
    clerk = staff("clerk")
    receive = {"received_at": "2026-10-30T09:00:00-07:00", "label_rma_number": str(ticket.number)}
    unchecked = clerk.post(f"/rmas/{ticket.number}/receive", receive)
    assert (unchecked.status, unchecked.body["rule"], unchecked.body["field"]) == (
        400,
        "F3",
        "manuals",
    )
    received = clerk.post(
        f"/rmas/{ticket.number}/receive",
        receive | {"manuals": True, "media": False, "documentation": True},
    )
    assert received.status == 200, received.body
    refund = received.body["refund"]
    assert (refund["eligible"], refund["amount"], refund["shipping_and_handling"]) == (
        False,
        None,
        "49.00",
    )
    assert refund["contents"] == {"manuals": True, "media": False, "documentation": True}
    assert (
        clerk.post(f"/rmas/{ticket.number}/accept-missing-contents", {"reason": "x"}).status == 403
    )
    accepted = staff("agent").post(
        f"/rmas/{ticket.number}/accept-missing-contents",
        {"reason": "TrueNAS media is a download"},
    )
    assert accepted.status == 200, accepted.body
    refund = accepted.body["refund"]
    assert (refund["eligible"], refund["amount"], refund["restocking_fee"]) == (
        True,
        "1599.20",
        "399.80",
    )
    assert refund["missing_contents_accepted_reason"] == "TrueNAS media is a download"
    fixed = clerk.post(
        f"/rmas/{ticket.number}/contents", {"manuals": True, "media": True, "documentation": True}
    )
    assert fixed.status == 200 and fixed.body["refund"]["contents"]["media"] is True


# ------------------------------------------------------------------------------- who may


def _full_rma(ticket, agent, clerk):
    """An RMA at `flagged`, so every endpoint has something it could change."""
    open_via_api(agent, ticket, kind="advance_exchange")
    agent.post(f"/rmas/{ticket.number}/confirm", CONFIRM_ALL)
    return ticket.number


ENDPOINTS = [
    ("get", "/rmas/{n}", None),
    ("get", "/rmas/{n}/label.pdf", None),
    ("post", "/rmas/{n}/confirm", CONFIRM_ALL),
    ("post", "/rmas/{n}/label", {}),
    ("post", "/rmas/{n}/ship-replacement", {"shipped_at": "2026-10-22T10:00:00-07:00"}),
    (
        "post",
        "/rmas/{n}/receive",
        {"received_at": "2026-10-25T10:00:00-07:00", "label_rma_number": "{n}"},
    ),
    ("post", "/rmas/{n}/accept", {"reason": "fine"}),
    ("post", "/rmas/{n}/reject", {"reason": "no"}),
    ("post", "/rmas/{n}/inspect", {"notes": "looked"}),
    ("post", "/rmas/{n}/decide", {"decision": "repair", "refurbished": False}),
    ("post", "/rmas/{n}/waive-restocking-fee", {"reason": "goodwill"}),
    ("post", "/tickets/{n}/rma", {"kind": "repair", "items": [ITEM]}),
]


def _call(client, method, path, body, number):
    path = path.format(n=number)
    if method == "get":
        return client.get(path)
    filled = {k: (v.format(n=number) if isinstance(v, str) else v) for k, v in body.items()}
    return client.post(path, filled)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_customer_b_gets_404_on_every_rma_endpoint_and_nothing_changes(
    staff, contact, method, path, body
):
    ticket = ticket_on()
    number = _full_rma(ticket, staff("agent"), staff("clerk"))
    if path == "/tickets/{n}/rma":
        number = ticket_on(customer=ticket.customer).number
    other = contact(ticket_on().customer)
    before = snapshot()
    answer = _call(other, method, path, body, number)
    assert answer.status == 404, (path, answer.body)
    assert answer.body == {"error": "not found", "field": None, "rule": None}
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_anonymous_gets_401_on_every_rma_endpoint(staff, anonymous, method, path, body):
    number = _full_rma(ticket_on(), staff("agent"), staff("clerk"))
    before = snapshot()
    assert _call(anonymous, method, path, body, number).status == 401
    assert snapshot() == before


STAFF_ONLY = [e for e in ENDPOINTS if e[1] not in {"/rmas/{n}", "/rmas/{n}/label.pdf"}]
STAFF_ONLY = [e for e in STAFF_ONLY if e[1] != "/rmas/{n}/confirm"]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY)
def test_customer_a_gets_403_on_staff_endpoints_and_nothing_changes(
    staff, contact, method, path, body
):
    ticket = ticket_on()
    number = _full_rma(ticket, staff("agent"), staff("clerk"))
    if path == "/tickets/{n}/rma":
        number = ticket_on(customer=ticket.customer).number
    me = contact(ticket.customer)
    before = snapshot()
    answer = _call(me, method, path, body, number)
    assert answer.status == 403, (path, answer.body)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "path", "body"),
    [
        ("clerk", "/tickets/{n}/rma", {"kind": "repair", "items": [ITEM]}),
        ("finance", "/tickets/{n}/rma", {"kind": "repair", "items": [ITEM]}),
        ("clerk", "/rmas/{n}/ship-replacement", {"shipped_at": "2026-10-22T10:00:00-07:00"}),
        ("clerk", "/rmas/{n}/confirm", CONFIRM_ALL),
        ("finance", "/rmas/{n}/label", {}),
        (
            "agent",
            "/rmas/{n}/receive",
            {"received_at": "2026-10-25T10:00:00-07:00", "label_rma_number": "{n}"},
        ),
        (
            "manager",
            "/rmas/{n}/receive",
            {"received_at": "2026-10-25T10:00:00-07:00", "label_rma_number": "{n}"},
        ),
        ("finance", "/rmas/{n}/waive-restocking-fee", {"reason": "x"}),
    ],
)
def test_staff_roles_are_limited_to_their_work(staff, role, path, body):
    ticket = ticket_on()
    number = _full_rma(ticket, staff("agent"), staff("clerk"))
    if path == "/tickets/{n}/rma":
        number = ticket_on().number
    client = staff(role)
    before = snapshot()
    answer = _call(client, "post", path, body, number)
    assert answer.status == 403, answer.body
    assert snapshot() == before
    assert staff(role).get(f"/rmas/{_rma_number()}").status == 200  # every staff role reads


def _rma_number() -> int:
    return Rma.objects.order_by("pk").values_list("number", flat=True).first() or 0


def test_a_customer_cannot_backdate_its_confirmation(staff, contact):
    ticket = ticket_on()
    open_via_api(staff("agent"), ticket)
    me = contact(ticket.customer)
    before = snapshot()
    answer = me.post(
        f"/rmas/{ticket.number}/confirm", CONFIRM_ALL | {"at": "2026-10-20T11:00:00-07:00"}
    )
    assert answer.status == 403
    assert snapshot() == before


def test_admin_does_everything(staff):
    ticket = ticket_on()
    admin = staff("admin")
    assert open_via_api(admin, ticket).status == 201
    assert admin.post(f"/rmas/{ticket.number}/confirm", CONFIRM_ALL).status == 200
    received = admin.post(
        f"/rmas/{ticket.number}/receive",
        {"received_at": "2026-10-25T10:00:00-07:00", "label_rma_number": str(ticket.number)},
    )
    assert received.body["status"] == "received"


def test_missing_rma_and_ticket_are_404(staff):
    agent = staff("agent")
    assert agent.get("/rmas/424242").status == 404
    assert agent.get("/rmas/424242/label.pdf").status == 404
    answer = agent.post("/tickets/424242/rma", {"kind": "repair", "items": [ITEM]})
    assert answer.status == 404


# ------------------------------------------------------------------------------- bad input


BAD_INPUT = [
    # (path, body, field, rule)
    ("/tickets/{n}/rma", {"items": [ITEM]}, "kind", None),
    ("/tickets/{n}/rma", {"kind": "repair"}, "items", None),
    ("/tickets/{n}/rma", {"kind": "repair", "items": [ITEM], "vip": True}, "vip", None),
    ("/tickets/{n}/rma", {"kind": 7, "items": [ITEM]}, "kind", None),
    ("/tickets/{n}/rma", {"kind": "repair", "items": "HDD"}, "items", None),
    (
        "/tickets/{n}/rma",
        {"kind": "repair", "items": [{"part": "HDD"}]},
        "items.0.unit_price",
        None,
    ),
    (
        "/tickets/{n}/rma",
        {"kind": "repair", "items": [ITEM | {"unit_price": "-1.00"}]},
        "items.0.unit_price",
        "F4",  # an amount is written like "1250.00"
    ),
    (
        "/tickets/{n}/rma",
        {"kind": "repair", "items": [ITEM | {"unit_price": "cheap"}]},
        "items.0.unit_price",
        "F4",  # an amount is written like "1250.00"
    ),
    (
        "/tickets/{n}/rma",
        {"kind": "repair", "items": [ITEM | {"colour": "red"}]},
        "items.0.colour",
        None,
    ),
    (
        "/tickets/{n}/rma",
        {"kind": "repair", "items": [ITEM], "issued_at": "2026-10-20T10:00:00"},
        "issued_at",
        "T1",
    ),
    (
        "/tickets/{n}/rma",
        {"kind": "repair", "items": [ITEM], "issued_at": "yesterday"},
        "issued_at",
        "T1",
    ),
    ("/rmas/{n}/confirm", {"data_backed_up": True, "insured": True}, "original_packaging", None),
    ("/rmas/{n}/confirm", CONFIRM_ALL | {"insured": "yes"}, "insured", None),
    ("/rmas/{n}/confirm", CONFIRM_ALL | {"signed": True}, "signed", None),
    ("/rmas/{n}/confirm", CONFIRM_ALL | {"at": "2026-10-21T09:00:00"}, "at", "T1"),
    ("/rmas/{n}/label", {"at": "2026-10-21"}, "at", "T1"),
    ("/rmas/{n}/label", {"printer": "zebra"}, "printer", None),
    ("/rmas/{n}/ship-replacement", {}, "shipped_at", None),
    ("/rmas/{n}/ship-replacement", {"shipped_at": "2026-10-22T10:00:00"}, "shipped_at", "T1"),
    ("/rmas/{n}/receive", {"received_at": "2026-10-25T10:00:00-07:00"}, "label_rma_number", None),
    (
        "/rmas/{n}/receive",
        {"received_at": "2026-10-25T10:00:00", "label_rma_number": "1"},
        "received_at",
        "T1",
    ),
    ("/rmas/{n}/receive", {"label_rma_number": ["1"]}, "label_rma_number", None),
    ("/rmas/{n}/accept", {"reason": 5}, "reason", None),
    ("/rmas/{n}/reject", {"reason": "x", "by": "me"}, "by", None),
    ("/rmas/{n}/inspect", {}, "notes", None),
    ("/rmas/{n}/inspect", {"notes": "ok", "at": "2026-10-25T10:00"}, "at", "T1"),
    ("/rmas/{n}/decide", {"decision": "repair"}, "refurbished", None),
    ("/rmas/{n}/decide", {"decision": "repair", "refurbished": "no"}, "refurbished", None),
    ("/rmas/{n}/waive-restocking-fee", {"reason": None}, "reason", None),
]


@pytest.mark.parametrize(("path", "body", "field", "rule"), BAD_INPUT)
def test_bad_input_is_a_422_naming_the_field_and_nothing_changes(staff, path, body, field, rule):
    ticket = ticket_on()
    number = _full_rma(ticket, staff("agent"), staff("clerk"))
    if path == "/tickets/{n}/rma":
        number = ticket_on().number
    role = "clerk" if path.split("/")[-1] in {"receive", "accept", "reject"} else "agent"
    client = staff(role)
    before = snapshot()
    answer = client.post(path.format(n=number), body)
    assert answer.status == 422, answer.body
    assert (answer.body["field"], answer.body["rule"]) == (field, rule)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "body", "field", "rule"),
    [
        ("/tickets/{n}/rma", {"kind": "swap", "items": [ITEM]}, "kind", None),
        ("/tickets/{n}/rma", {"kind": "repair", "items": []}, "items", None),
        (
            "/tickets/{n}/rma",
            {"kind": "repair", "items": [ITEM | {"part": " "}]},
            "items.0.part",
            None,
        ),
        ("/rmas/{n}/decide", {"decision": "refund", "refurbished": False}, "decision", "R7"),
        ("/rmas/{n}/inspect", {"notes": "  "}, "notes", "R7"),
        ("/rmas/{n}/waive-restocking-fee", {"reason": ""}, "reason", "F3"),
    ],
)
def test_bad_values_are_a_400_naming_the_field_and_nothing_changes(staff, path, body, field, rule):
    number = _full_rma(ticket_on(), staff("agent"), staff("clerk"))
    if path == "/tickets/{n}/rma":
        number = ticket_on().number
    before = snapshot()
    answer = staff("agent").post(path.format(n=number), body)
    assert answer.status == 400, answer.body
    assert (answer.body["field"], answer.body["rule"]) == (field, rule)
    assert snapshot() == before


def test_malformed_json_and_a_non_numeric_number_are_4xx(staff):
    agent = staff("agent")
    number = _full_rma(ticket_on(), agent, staff("clerk"))
    assert 400 <= agent.post(f"/rmas/{number}/confirm", raw="{nope").status < 500
    assert agent.get("/rmas/not-a-number").status == 422
    assert agent.post("/tickets/abc/rma", {"kind": "repair", "items": [ITEM]}).status == 422


# ------------------------------------------------------------------------------- list


def test_list_is_scoped_and_does_not_grow_queries_with_rmas(staff, contact):
    agent = staff("agent")
    mine = ticket_on()
    open_via_api(agent, mine)
    open_via_api(agent, ticket_on(), kind="advance_exchange")
    me = contact(mine.customer)
    assert [r["number"] for r in me.get("/rmas").body] == [mine.number]
    assert len(agent.get("/rmas").body) == 2
    assert [r["kind"] for r in agent.get("/rmas", kind="advance_exchange").body] == [
        "advance_exchange"
    ]
    with CaptureQueriesContext(connection) as few:
        agent.get("/rmas")
    for _ in range(5):
        rma_of()
    with CaptureQueriesContext(connection) as many:
        assert len(agent.get("/rmas").body) == 7
    assert len(many) == len(few)


def test_openapi_lists_the_rma_endpoints(anonymous):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/tickets/{number}/rma",
        "/api/v1/rmas/{number}",
        "/api/v1/rmas/{number}/confirm",
        "/api/v1/rmas/{number}/label",
        "/api/v1/rmas/{number}/label.pdf",
        "/api/v1/rmas/{number}/ship-replacement",
        "/api/v1/rmas/{number}/receive",
        "/api/v1/rmas/{number}/accept",
        "/api/v1/rmas/{number}/reject",
        "/api/v1/rmas/{number}/inspect",
        "/api/v1/rmas/{number}/decide",
    ):
        assert path in paths
    pdf = paths["/api/v1/rmas/{number}/label.pdf"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf
