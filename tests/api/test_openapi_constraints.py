"""The OpenAPI document states the constraints the server enforces (issue 13).

The contract check (`tests/contract/run_schemathesis.py`, in `.ci/run`) sends the document's own
requests to a running server; these tests hold the document to the rules that check relies on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rmadesk.api.constraints import NON_BLANK_PATTERN, TEXT_PATTERN
from tests.api_client import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(db):
    return json.loads(Client().get("/api/v1/openapi.json").content)


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(components[schema["$ref"].rsplit("/", 1)[1]], components)
    return schema


def _strings(schema: dict[str, Any], components: dict[str, Any], where: str) -> Iterator[tuple]:
    """(where, schema) of every string a request body holds, nested ones too."""
    schema = _resolve(schema, components)
    for option in schema.get("anyOf", ()):
        yield from _strings(option, components, where)
    if schema.get("type") == "array":
        yield from _strings(schema.get("items", {}), components, f"{where}.0")
    for name, field in schema.get("properties", {}).items():
        yield from _strings(field, components, f"{where}.{name}")
    if schema.get("type") == "string":
        yield where, schema


def _body_strings(document: dict[str, Any]) -> Iterator[tuple]:
    components = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from _strings(content["schema"], components, f"{method.upper()} {path}")


def test_every_text_a_body_holds_is_bounded(document):
    """Every string property of every request body has a maxLength (or is an enum, a date, an
    amount: bounded by its form)."""
    unbounded = [
        where
        for where, schema in _body_strings(document)
        if not ({"maxLength", "enum", "format"} & set(schema))
        and schema.get("pattern") in (None, TEXT_PATTERN, NON_BLANK_PATTERN)
    ]
    assert unbounded == []


def test_every_text_states_the_characters_the_edge_refuses(document):
    """A control character is refused at the edge (400): every free text says so."""
    free = [
        where
        for where, schema in _body_strings(document)
        if not ({"enum", "format", "pattern"} & set(schema))
    ]
    assert free == []
    assert re.match(TEXT_PATTERN, "line one\r\n\tline two")
    assert not re.match(TEXT_PATTERN, "a\x00b")
    assert not re.match(TEXT_PATTERN, "a\x1bb")


def test_required_text_must_hold_more_than_spaces():
    assert re.match(NON_BLANK_PATTERN, "  the box was dented  ")
    assert not re.match(NON_BLANK_PATTERN, "")
    assert not re.match(NON_BLANK_PATTERN, " \t\u3000 ")
    assert not re.match(NON_BLANK_PATTERN, "ok\x07")


def test_every_operation_with_a_body_documents_422_and_413(document):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and not {"413", "422"} <= set(operation["responses"])
    ]
    assert missing == []


def test_every_operation_documents_404_and_503(document):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not {"404", "503"} <= set(operation["responses"])
    ]
    assert missing == []


def test_every_post_states_the_idempotency_key_header(document):
    missing = []
    for path, operations in document["paths"].items():
        post = operations.get("post")
        if post is None:
            continue
        headers = [p for p in post.get("parameters", []) if p["in"] == "header"]
        if [h["name"] for h in headers] != ["Idempotency-Key"]:
            missing.append(path)
            continue
        assert headers[0]["required"] is False
        assert headers[0]["schema"]["maxLength"] == 255
    assert missing == []


def test_choices_are_enums_and_amounts_are_decimal_strings(document):
    schemas = document["components"]["schemas"]
    assert schemas["TicketIn"]["properties"]["severity"]["enum"] == ["S1", "S2", "S3", "S4"]
    assert schemas["ContractIn"]["properties"]["plan"]["enum"] == [
        "gold",
        "silver",
        "bronze",
        "truecommand",
        "truecommand-free",
    ]
    assert schemas["DenyIn"]["properties"]["cause"]["enum"] == [
        "acts_of_god",
        "war_or_terrorism",
        "customer_negligence",
    ]
    price = schemas["AssetIn"]["properties"]["price"]
    assert price["type"] == "string"
    assert re.match(price["pattern"], "1250.00")
    assert not re.match(price["pattern"], "12.345")
    assert schemas["CloseIn"]["properties"]["reason"]["minLength"] == 1


def test_an_amount_sent_as_a_number_is_refused_naming_rule_F4():
    """F4: a float is not exact: the API refuses it before any service runs (422)."""
    api = client_for("finance@vendor.example", "finance")
    answer = api.post("/invoices/INV-000001/payments", {"amount": 12.5})
    assert answer.status == 422
    assert (answer.body["field"], answer.body["rule"]) == ("amount", "F4")


def test_a_text_over_its_column_is_refused_naming_the_field():
    api = client_for("admin@vendor.example", "admin")
    answer = api.post("/product-models", {"name": "x" * 101, "product_line": "truenas"})
    assert answer.status == 422
    assert answer.body["field"] == "name"


def test_a_blank_product_model_name_is_refused():
    api = client_for("admin@vendor.example", "admin")
    answer = api.post("/product-models", {"name": "   ", "product_line": "truenas"})
    assert answer.status == 400
    assert answer.body["field"] == "name"


def test_a_boolean_must_be_a_boolean():
    api = client_for("admin@vendor.example", "admin")
    answer = api.post(
        "/product-models", {"name": "M60", "product_line": "truenas", "advance_exchange": "false"}
    )
    assert answer.status == 422
    assert answer.body["field"] == "advance_exchange"


def test_a_date_or_an_instant_sent_as_a_number_is_refused():
    """pydantic would read 0 as 1970-01-01 (a Unix time): the API refuses numbers (422)."""
    api = client_for("admin@vendor.example", "admin")
    contract = api.post(
        "/contracts",
        {"customer": 1, "plan": "gold", "starts_on": 0, "ends_on": "2027-01-01"},
    )
    assert contract.status == 422
    assert contract.body["field"] == "starts_on"
    call = api.post("/calls", {"serial": "X", "caller": "Ann", "severity": "S3", "called_at": 0})
    assert call.status == 422
    assert (call.body["field"], call.body["rule"]) == ("called_at", "T1")


def test_a_multipart_post_without_its_boundary_is_refused_not_crashed():
    """An Idempotency-Key makes the middleware read the form: a broken one answers 400."""
    api = client_for("agent@vendor.example", "agent")
    answer = Client().post(
        "/api/v1/tickets/1/attachments",
        b"--x\r\n",
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {api.token}", "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("the multipart body cannot be read")


def test_the_document_lists_the_active_policys_carriers_and_the_tracking_number_pattern(document):
    """A carrier the document offers is one the server takes, and no other (issue 13/14)."""
    tracking = document["components"]["schemas"]["TrackingIn"]["properties"]
    assert tracking["carrier"]["enum"] == ["dhl", "fedex", "other", "ups", "usps", "yamato"]
    assert tracking["tracking_number"]["minLength"] == 1
    assert tracking["tracking_number"]["maxLength"] == 64
    assert re.fullmatch(tracking["tracking_number"]["pattern"], "1Z 999 AA1 0123456784")
    assert not re.fullmatch(tracking["tracking_number"]["pattern"], "1Z\u00a0999")
    assert not re.fullmatch(tracking["tracking_number"]["pattern"], "   ")
