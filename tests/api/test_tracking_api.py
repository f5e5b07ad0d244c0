"""Carrier and tracking number of an RMA's shipment and return label, through the API: staff give
them with the shipment or the label or later, the customer reads the carrier's tracking link
(the number URL-encoded), and the mails say them."""

from __future__ import annotations

import pytest

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.rmas.models import Rma, Shipment
from tests.resilience.helpers import caller
from tests.rmas.factories import pacific, rma_of

pytestmark = pytest.mark.django_db

SHIPPED = "2026-10-21T11:00:00-07:00"
UPS_LINK = "https://www.ups.com/track?tracknum=1Z%20999%2FAA1"


@pytest.fixture
def exchange():
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        yield rma_of("advance_exchange", confirmed=True)


def test_staff_ship_the_replacement_with_its_carrier_and_the_customer_reads_the_link(
    exchange, staff, contact
):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        shipped = staff("agent").post(
            f"/rmas/{exchange.number}/ship-replacement",
            {"shipped_at": SHIPPED, "carrier": "ups", "tracking_number": "1Z 999/AA1"},
        )
        assert shipped.status == 200, shipped.body
        seen = contact(exchange.ticket.customer).get(f"/rmas/{exchange.number}")
    assert seen.body["shipment"]["tracking"] == {
        "carrier": "ups",
        "carrier_title": "UPS",
        "tracking_number": "1Z 999/AA1",
        "url": UPS_LINK,
    }
    assert seen.body["return_tracking"] is None
    event = AuditEvent.objects.get(verb="rma.replacement_shipped")
    assert event.changes["shipment.carrier"] == [None, "ups"]
    assert event.changes["shipment.tracking_number"] == [None, "1Z 999/AA1"]
    mail = OutboxMessage.objects.get(kind="replacement_shipped")
    assert "Your replacement: UPS, tracking number 1Z 999/AA1" in mail.text_body
    assert f"Track it at {UPS_LINK}" in mail.text_body
    assert f'<a href="{UPS_LINK}">1Z 999/AA1</a>' in mail.html_body


def test_an_unknown_carrier_is_a_422_naming_the_field_and_nothing_changes(exchange, staff):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        answer = staff("agent").post(
            f"/rmas/{exchange.number}/ship-replacement",
            {"shipped_at": SHIPPED, "carrier": "pony-express", "tracking_number": "1"},
        )
    assert answer.status == 422, answer.body
    assert answer.body["field"] == "carrier"
    assert "unknown carrier 'pony-express'" in answer.body["error"]
    assert "dhl, fedex, other, ups, usps, yamato" in answer.body["error"]
    assert Rma.objects.get().status == "confirmed"
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"carrier": "ups"}, "tracking_number"),
        ({"tracking_number": "1Z"}, "carrier"),
        ({"carrier": "ups", "tracking_number": "9" * 65}, "tracking_number"),
        ({"carrier": "ups", "tracking_number": "  "}, "tracking_number"),
    ],
)
def test_carrier_and_number_go_together_and_are_bounded(exchange, staff, body, field):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        answer = staff("agent").post(
            f"/rmas/{exchange.number}/ship-replacement", {"shipped_at": SHIPPED} | body
        )
    assert 400 <= answer.status < 500, answer.body
    assert answer.body["field"] == field
    assert not Shipment.objects.exists()


def test_the_return_label_carries_its_tracking_and_it_is_corrected_later(staff, contact):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        rma = rma_of("repair", confirmed=True)
        agent = staff("agent")
        label = agent.post(
            f"/rmas/{rma.number}/label", {"carrier": "fedex", "tracking_number": "7777 0000"}
        )
        assert label.status == 200, label.body
        assert label.body["return_tracking"]["url"] == (
            "https://www.fedex.com/fedextrack/?trknbr=7777%200000"
        )
        mail = OutboxMessage.objects.get(kind="return_label")
        assert "The return: FedEx, tracking number 7777 0000" in mail.text_body
        fixed = agent.post(
            f"/rmas/{rma.number}/tracking",
            {"direction": "return", "carrier": "other", "tracking_number": "LOCAL-1"},
        )
        assert fixed.status == 200, fixed.body
        seen = contact(rma.ticket.customer).get(f"/rmas/{rma.number}")
    assert seen.body["return_tracking"] == {
        "carrier": "other",
        "carrier_title": "Other carrier",
        "tracking_number": "LOCAL-1",
        "url": None,
    }
    event = AuditEvent.objects.get(verb="rma.tracking_recorded")
    assert event.changes["return_carrier"] == ["fedex", "other"]
    assert event.rules == ["R2"]


def test_tracking_to_the_customer_waits_for_the_shipment_R4(exchange, staff):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        answer = staff("agent").post(
            f"/rmas/{exchange.number}/tracking",
            {"direction": "to_customer", "carrier": "dhl", "tracking_number": "JD0001"},
        )
    assert (answer.status, answer.body["field"], answer.body["rule"]) == (409, "direction", "R4")
    assert not AuditEvent.objects.filter(verb="rma.tracking_recorded").exists()


def test_a_customer_cannot_record_tracking_on_its_own_rma(staff, contact):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        rma = rma_of("repair", confirmed=True)
        staff("agent").post(f"/rmas/{rma.number}/label", {})
        answer = contact(rma.ticket.customer).post(
            f"/rmas/{rma.number}/tracking",
            {"direction": "return", "carrier": "ups", "tracking_number": "1Z"},
        )
    assert answer.status == 403
    assert Rma.objects.get().return_tracking_number == ""


def test_a_retried_tracking_post_with_its_idempotency_key_is_answered_once(staff):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        rma = rma_of("repair", confirmed=True)
        staff("agent").post(f"/rmas/{rma.number}/label", {})
        agent = caller("tracker@vendor.example", "agent")
        body = {"direction": "return", "carrier": "dhl", "tracking_number": "JD0001"}
        first = agent.post(f"/rmas/{rma.number}/tracking", body, key="track-1")
        again = agent.post(f"/rmas/{rma.number}/tracking", body, key="track-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert AuditEvent.objects.filter(verb="rma.tracking_recorded").count() == 1
