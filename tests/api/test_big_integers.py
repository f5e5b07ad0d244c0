"""Very large integers are refused naming the field, never a 500 (issue 13, L8)."""

from __future__ import annotations

import pytest

from rmadesk.assets.models import Asset
from rmadesk.core.models import AuditEvent
from tests.factories import ContractFactory, CustomerFactory, ProductModelFactory

pytestmark = pytest.mark.django_db

HUGE = [100_001, 2**63, 10**30]


@pytest.fixture
def truecommand():
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="truecommand")
    model = ProductModelFactory(name="TrueCommand", product_line="truecommand")
    return customer, model


@pytest.mark.parametrize("drives", HUGE)
def test_L8_a_huge_number_of_drives_is_refused_on_a_new_asset(staff, truecommand, drives):
    customer, model = truecommand
    answer = staff("agent").post(
        "/assets",
        {
            "customer": customer.pk,
            "serial": "TC-1",
            "model": model.pk,
            "shipped_on": "2026-01-01",
            "warranty_years": 1,
            "price": "0.00",
            "drives": drives,
        },
    )
    assert answer.status == 422, answer.body
    assert answer.body["field"] == "drives"
    assert not Asset.objects.exists()


@pytest.mark.parametrize("drives", HUGE)
def test_L8_a_huge_number_of_drives_is_refused_on_a_change(staff, truecommand, drives):
    customer, model = truecommand
    agent = staff("agent")
    made = agent.post(
        "/assets",
        {
            "customer": customer.pk,
            "serial": "TC-1",
            "model": model.pk,
            "shipped_on": "2026-01-01",
            "warranty_years": 1,
            "price": "0.00",
            "drives": 10,
        },
    )
    assert made.status == 201, made.body
    before = AuditEvent.objects.count()
    answer = agent.post("/assets/TC-1/drives", {"drives": drives})
    assert answer.status == 422, answer.body
    assert answer.body["field"] == "drives"
    assert Asset.objects.get().drives == 10
    assert AuditEvent.objects.count() == before
    assert agent.post("/assets/TC-1/drives", {"drives": 100_000}).status == 200  # the most


@pytest.mark.parametrize("record_id", HUGE[1:])
def test_a_record_id_past_64_bits_is_refused_naming_the_field(staff, record_id):
    agent = staff("agent")
    answer = agent.post(
        "/contracts",
        {
            "customer": record_id,
            "plan": "silver",
            "starts_on": "2026-01-01",
            "ends_on": "2027-01-01",
        },
    )
    assert answer.status == 422, answer.body
    assert answer.body["field"] == "customer"
    answer = agent.get(f"/customers/{record_id}")
    assert 400 <= answer.status < 500, answer.body
