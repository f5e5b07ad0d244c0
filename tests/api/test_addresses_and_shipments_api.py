"""The customer's address (R8), the contract's EU parts option (N2), and an RMA's shipment with
its promise (N1-N3) and the R6 confirmations and notice, through the API."""

from __future__ import annotations

import pytest

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Customer
from tests.factories import CustomerFactory
from tests.rmas.factories import pacific, rma_of

pytestmark = pytest.mark.django_db

CUSTOMER = {
    "name": "Aloha Data",
    "country": "US",
    "zone": "Pacific/Honolulu",
    "email": "a@b.example",
}
HONOLULU = {"address_line1": "1 Bishop St", "city": "Honolulu", "postal_code": "96813"}


def test_R8_a_us_address_without_a_state_is_refused_naming_the_field(staff):
    answer = staff("agent").post("/customers", CUSTOMER | HONOLULU)
    assert answer.status == 400, answer.body
    assert (answer.body["field"], answer.body["rule"]) == ("region", "R8")
    wrong = staff("agent").post("/customers", CUSTOMER | HONOLULU | {"region": "XX"})
    assert (wrong.status, wrong.body["field"], wrong.body["rule"]) == (400, "region", "R8")
    assert not Customer.objects.exists()


def test_R8_customer_address_is_recorded_and_changed(staff):
    agent = staff("agent")
    made = agent.post("/customers", CUSTOMER | HONOLULU | {"region": "hi"})
    assert made.status == 201, made.body
    assert (made.body["region"], made.body["city"]) == ("HI", "Honolulu")
    moved = agent.patch(
        f"/customers/{made.body['id']}/address",
        {"address_line1": "1 Main St", "city": "Anchorage", "region": "AK", "postal_code": "99501"},
    )
    assert moved.status == 200, moved.body
    assert (moved.body["region"], moved.body["address_line2"]) == ("AK", "")
    bad = agent.patch(f"/customers/{made.body['id']}/address", {"region": ""})
    assert (bad.status, bad.body["field"], bad.body["rule"]) == (400, "region", "R8")
    assert Customer.objects.get().region == "AK"
    assert AuditEvent.objects.filter(verb="customer.address_changed").count() == 1


def test_R8_a_customer_cannot_change_its_address_through_the_api(contact):
    customer = CustomerFactory()
    answer = contact(customer).patch(f"/customers/{customer.pk}/address", {"city": "Fresno"})
    assert answer.status == 403
    assert Customer.objects.get().city == "San Francisco"


def test_N2_contract_option_extended_spare_parts(staff):
    customer = CustomerFactory(country="DE", zone="Europe/Berlin")
    answer = staff("agent").post(
        "/contracts",
        {
            "customer": customer.pk,
            "plan": "silver",
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
            "extended_spare_parts": True,
        },
    )
    assert answer.status == 201, answer.body
    assert answer.body["extended_spare_parts"] is True
    assert customer.contracts.get().extended_spare_parts is True


def test_N1_identify_part_and_the_rma_answer_shows_the_promise(staff, contact):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        rma = rma_of("advance_exchange", confirmed=True)
        agent = staff("agent")
        # Wed 21 Oct 11:00 PDT, before the noon cut-off: ships Wed 21, delivered Thu 22 Oct.
        answer = agent.post(
            f"/rmas/{rma.number}/identify-part", {"identified_at": "2026-10-21T11:00:00-07:00"}
        )
        assert answer.status == 200, answer.body
        shipment = answer.body["shipment"]
        assert (shipment["promised_ship_on"], shipment["promised_delivery_on"]) == (
            "2026-10-21",
            "2026-10-22",
        )
        assert (shipment["rules"], shipment["is_promise_missed"]) == (["N1"], False)
        late = agent.post(
            f"/rmas/{rma.number}/ship-replacement", {"shipped_at": "2026-10-22T10:00:00-07:00"}
        )
        assert late.status == 200, late.body
        assert late.body["shipment"]["is_promise_missed"] is True
        future = agent.post(
            f"/rmas/{rma.number}/delivered", {"delivered_at": "2026-10-21T10:00:00-07:00"}
        )
        assert (future.status, future.body["field"]) == (400, "delivered_at")
        seen = contact(rma.ticket.customer).get(f"/rmas/{rma.number}")
        assert seen.body["shipment"]["promised_delivery_on"] == "2026-10-22"
        assert "no liability for lost data or software" in seen.body["liability_notice"]
        refused = contact(rma.ticket.customer).post(
            f"/rmas/{rma.number}/identify-part", {"identified_at": "2026-10-21T11:00:00-07:00"}
        )
        assert refused.status == 403


def test_R6_removable_media_in_the_api(staff):
    with clock.frozen_at(pacific(2026, 10, 21, 12, 0)):
        rma = rma_of("repair")
        agent = staff("agent")
        three = {"data_backed_up": True, "original_packaging": True, "insured": True}
        answer = agent.post(f"/rmas/{rma.number}/confirm", three)
        assert answer.body["confirmations_missing"] == ["removable_media_removed"]
        label = agent.post(f"/rmas/{rma.number}/label", {})
        assert (label.status, label.body["field"], label.body["rule"]) == (
            409,
            "removable_media_removed",
            "R6",
        )
        done = agent.post(f"/rmas/{rma.number}/confirm", three | {"removable_media_removed": True})
        assert (done.body["status"], done.body["removable_media_removed"]) == ("confirmed", True)
        assert agent.post(f"/rmas/{rma.number}/label", {}).status == 200
