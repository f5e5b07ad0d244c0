"""Customers, contracts, product models, assets and entitlements through the API (W1, W6, L8)."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Customer
from rmadesk.customers.services import add_customer
from rmadesk.policy.errors import PolicyError
from tests.factories import AssetFactory, ContractFactory, CustomerFactory, ProductModelFactory

pytestmark = pytest.mark.django_db


def test_staff_adds_customer_contract_model_asset_and_reads_the_entitlement(staff):
    agent = staff("agent")
    made = agent.post(
        "/customers",
        {
            "name": "Acme Storage",
            "country": "de",
            "zone": "Europe/Berlin",
            "email": "it@acme.example",
            "payment_terms_days": 30,
        },
    )
    assert made.status == 201, made.body
    customer_id = made.body["id"]
    assert made.body["country"] == "DE"
    contract = agent.post(
        "/contracts",
        {
            "customer": customer_id,
            "plan": "silver",
            "starts_on": "2026-01-01",
            "ends_on": "2028-12-31",
        },
    )
    assert contract.status == 201, contract.body
    model = agent.post("/product-models", {"name": "TrueNAS X20", "product_line": "truenas"})
    assert model.status == 201 and model.body["advance_exchange"] is True
    mini = agent.post("/product-models", {"name": "FreeNAS Mini", "product_line": "truenas"})
    assert mini.body["advance_exchange"] is False  # R5, whatever was asked
    asset = agent.post(
        "/assets",
        {
            "customer": customer_id,
            "serial": "X20-0001",
            "model": model.body["id"],
            "shipped_on": "2024-02-29",
            "warranty_years": 3,
            "extended_to_years": 5,
            "onsite": "4h",
            "price": "31999.00",
            "currency": "EUR",
        },
    )
    assert asset.status == 201, asset.body
    assert asset.body["price"] == "31999.00"
    with clock.frozen_at(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)):
        entitlement = agent.get("/entitlements/X20-0001")
    assert entitlement.status == 200
    assert entitlement.body | {"explain": None} == {
        "serial": "X20-0001",
        "customer": customer_id,
        "customer_name": "Acme Storage",
        "plan": "silver",
        "contract_starts_on": "2026-01-01",
        "contract_ends_on": "2028-12-31",
        "warranty_ends_on": "2029-02-28",
        "is_under_warranty": True,
        "onsite": "4h",
        "advance_exchange": True,
        "money_back_until": "2024-03-30",
        "jails_and_plugins": False,
        "rules": ["W6", "W1", "W3", "R5", "F3", "L1", "P2"],
        "explain": None,
    }
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert {"customer.added", "contract.added", "product_model.added", "asset.added"} <= set(verbs)


def test_warranty_beyond_w1_is_refused_and_nothing_is_written(staff):
    agent = staff("agent")
    customer = CustomerFactory()
    model = ProductModelFactory()
    before = AuditEvent.objects.count()
    answer = agent.post(
        "/assets",
        {
            "customer": customer.pk,
            "serial": "X-1",
            "model": model.pk,
            "shipped_on": "2026-01-01",
            "warranty_years": 3,
            "extended_to_years": 6,
            "price": "100.00",
        },
    )
    assert answer.status == 400
    assert answer.body == {
        "error": "an extension brings the warranty to at most 5 years from shipment, not 6",
        "field": "extended_to_years",
        "rule": "W1",
    }
    assert AuditEvent.objects.count() == before


def test_free_truecommand_licence_over_50_drives_is_refused(staff):
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="truecommand-free")
    model = ProductModelFactory(name="TrueCommand", product_line="truecommand")
    answer = staff("agent").post(
        "/assets",
        {
            "customer": customer.pk,
            "serial": "TC-1",
            "model": model.pk,
            "shipped_on": "2026-01-01",
            "warranty_years": 1,
            "price": "0.00",
            "drives": 51,
        },
    )
    assert (answer.status, answer.body["rule"], answer.body["field"]) == (400, "L8", "drives")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "X", "country": "US", "zone": "America/Los_Angeles"}, 422, "email"),
        ({"name": "X", "country": "US", "zone": "Mars/Base", "email": "a@b.c"}, 400, "zone"),
        ({"name": "X", "country": "ZZ", "zone": "UTC", "email": "a@b.c"}, 400, "country"),
        ({"name": "X", "country": "US", "zone": "UTC", "email": "a@b.c", "vip": True}, 422, "vip"),
        (
            {
                "name": "X",
                "country": "US",
                "zone": "UTC",
                "email": "a@b.c",
                "payment_terms_days": "soon",
            },
            422,
            "payment_terms_days",
        ),
    ],
)
def test_bad_customer_input_is_a_4xx_naming_the_field(staff, body, status, field):
    answer = staff("agent").post("/customers", body)
    assert answer.status == status, answer.body
    assert answer.body["field"] == field
    assert Customer.objects.count() == 0


def test_malformed_json_is_a_4xx(staff):
    answer = staff("agent").post("/customers", raw="{not json")
    assert 400 <= answer.status < 500


def test_customer_tokens_see_only_their_own_entitlements(contact):
    mine = AssetFactory(serial="MINE-1")
    theirs = AssetFactory(serial="THEIRS-1")
    me = contact(mine.customer)
    assert me.get("/entitlements/MINE-1").status == 200
    assert me.get("/entitlements/THEIRS-1").status == 404
    assert me.get("/entitlements/NOBODY").status == 404
    assert me.get(f"/customers/{theirs.customer.pk}").status == 404
    assert me.get(f"/customers/{mine.customer.pk}").status == 200


def test_customers_cannot_add_records(contact):
    customer = CustomerFactory()
    answer = contact(customer).post(
        "/customers", {"name": "X", "country": "US", "zone": "UTC", "email": "a@b.c"}
    )
    assert answer.status == 403
    assert Customer.objects.count() == 1


def test_no_token_is_401(anonymous):
    assert anonymous.get("/entitlements/X").status == 401
    assert anonymous.post("/customers", {}).status == 401


def test_openapi_and_docs_are_served(anonymous):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/entitlements/{serial}" in schema.json()["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


def test_the_openapi_document_has_no_duplicate_keys(anonymous):
    """A key twice in one object (say 200 and "200" for one response) is valid for json.loads,
    which keeps the last, but Swagger UI refuses the whole document ("duplicated mapping key")
    and the docs page shows no operation."""
    import json

    from django.test import Client

    duplicated: list[str] = []

    def keep(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        duplicated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=keep)
    assert duplicated == []


@pytest.mark.parametrize("role", ["agent", "finance", "manager"])
@pytest.mark.parametrize("terms", [366, 3_000_000, -1])
def test_F1_payment_terms_past_a_year_are_refused_naming_the_field(staff, role, terms):
    made = staff(role).post(
        "/customers",
        {
            "name": "Acme Storage",
            "country": "DE",
            "zone": "Europe/Berlin",
            "email": "it@acme.example",
            "payment_terms_days": terms,
        },
    )
    assert made.status == 422, made.body
    assert made.body["field"] == "payment_terms_days"
    assert not Customer.objects.exists()


def test_F1_a_year_of_payment_terms_is_the_most_the_service_accepts(staff):
    actor = staff("finance").user
    with pytest.raises(PolicyError) as raised:
        add_customer(
            actor=actor,
            name="Acme",
            country="DE",
            zone="Europe/Berlin",
            email="it@acme.example",
            payment_terms_days=366,
        )
    assert (raised.value.field, raised.value.rule) == ("payment_terms_days", "F1")
    kept = add_customer(
        actor=actor,
        name="Acme",
        country="DE",
        zone="Europe/Berlin",
        email="it@acme.example",
        payment_terms_days=365,
    )
    assert kept.payment_terms_days == 365


@pytest.mark.parametrize(("field", "length"), [("name", 201), ("zone", 65), ("email", 255)])
def test_a_customer_field_longer_than_its_column_is_refused_naming_it(staff, field, length):
    body = {"name": "X", "country": "US", "zone": "UTC", "email": "a@b.example"}
    body[field] = "x" * length
    answer = staff("agent").post("/customers", body)
    assert answer.status == 422, answer.body
    assert answer.body["field"] == field
    assert Customer.objects.count() == 0
