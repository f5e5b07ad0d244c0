"""NUL and lone surrogates in every text field of the API answer 4xx and write nothing (issue 13).

The cases are generated from the OpenAPI document itself: every string field of every JSON
request body (nested ones too) and every path and query parameter of every operation, each
sent with a NUL and with a lone surrogate (`"\\ud800"`, escaped in the raw JSON as a client
would send it), with an admin's token and a customer's. A field added later is in the document,
so it is in these cases. Run on SQLite and on PostgreSQL (`DATABASE_URL=postgres://...`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client

from rmadesk.api.api import api
from tests.api_client import client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DOCUMENT = api.get_openapi_schema()
SCHEMAS = DOCUMENT["components"]["schemas"]
NUL = "a\x00b"
SURROGATE_JSON = '"a\\ud800b"'  # the JSON text of a string holding a lone surrogate


@dataclass(frozen=True)
class Case:
    method: str
    template: str
    where: str  # path, query or json
    field: Any  # a parameter's name, or a JSON field's path as a tuple


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]])
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            return _resolve(option)
    return schema


def _is_string(schema: dict[str, Any]) -> bool:
    schema = _resolve(schema)
    return schema.get("type") == "string" and schema.get("format") != "binary"


def _string_fields(schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple]:
    """The path (as keys and list indexes) of every string inside a JSON schema."""
    schema = _resolve(schema)
    if schema.get("type") == "array":
        yield from _string_fields(schema.get("items", {}), (*prefix, "0"))
    elif schema.get("type") == "object" or "properties" in schema:
        for name, field in schema.get("properties", {}).items():
            yield from _string_fields(field, (*prefix, name))
    elif _is_string(schema):
        yield prefix


def _raw_json(path: tuple[str, ...], leaf: str) -> str:
    """A JSON body holding `leaf` (JSON text) at `path`: `{"lines": [{"description": leaf}]}`."""
    text = leaf
    for key in reversed(path):
        text = f"[{text}]" if key == "0" else f"{{{json.dumps(key)}: {text}}}"
    return text


def _url(template: str, params: list[dict[str, Any]], bad: str | None = None) -> str:
    url = template
    for param in params:
        if param["in"] == "path":
            value = quote(NUL if param["name"] == bad else "1", safe="")
            url = url.replace("{" + param["name"] + "}", value)
    return url


def _cases() -> Iterator[Any]:
    for template, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            name = f"{method.upper()} {template}"
            for param in params:
                where = param["in"]
                if where in ("path", "query"):
                    yield pytest.param(
                        Case(method, template, where, param["name"]),
                        id=f"{name} {where}:{param['name']}",
                    )
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for path in _string_fields(content["application/json"]["schema"]):
                    field = ".".join(path)
                    yield pytest.param(
                        Case(method, template, "json", path), id=f"{name} json:{field}"
                    )


def _rows() -> int:
    return sum(model.objects.count() for model in apps.get_models())


@pytest.fixture
def tokens(db) -> dict[str, str]:
    customer = CustomerFactory()
    return {
        "admin": client_for("admin@vendor.example", "admin").token,
        "customer": client_for("contact@customer.example", "customer", customer.pk).token,
    }


@pytest.mark.parametrize("who", ["admin", "customer"])
@pytest.mark.parametrize("case", list(_cases()))
def test_nul_and_a_lone_surrogate_answer_4xx_and_write_nothing(tokens, who, case):
    method, template, where, field = case.method, case.template, case.where, case.field
    client = Client(headers={"Authorization": f"Bearer {tokens[who]}"})
    operation = DOCUMENT["paths"][template][method]
    params = operation.get("parameters", [])
    send = getattr(client, method)
    before = _rows()
    if where == "json":
        expected_field = ".".join(field)
        url = _url(template, params)
        answers = [
            send(url, _raw_json(field, json.dumps(NUL)), content_type="application/json"),
            send(url, _raw_json(field, SURROGATE_JSON), content_type="application/json"),
        ]
    elif where == "path":
        expected_field = "path"
        answers = [send(_url(template, params, bad=field))]
        # A surrogate in a URL is invalid UTF-8 there: Django keeps it percent-encoded.
        surrogate = send(_url(template, params).replace("/1", "/a%ED%A0%80b", 1))
        assert surrogate.status_code < 500, surrogate.content
    else:
        expected_field = field
        url = _url(template, params)
        answers = [
            client.get(url, {field: NUL}) if method == "get" else send(f"{url}?{field}=a%00b")
        ]
    for answer in answers:
        assert answer.status_code == 400, answer.content
        body = answer.json()
        assert body["field"] == expected_field
        assert set(body) == {"error", "field", "rule"}
    assert _rows() == before


def test_the_cases_cover_the_text_fields_the_issue_named():
    ids = {case.id for case in _cases()}
    for expected in (
        "POST /api/v1/tickets json:subject",
        "POST /api/v1/tickets json:body",
        "POST /api/v1/customers json:name",
        "POST /api/v1/calls json:serial",
        "POST /api/v1/tickets/{number}/close json:reason",
        "GET /api/v1/entitlements/{serial} path:serial",
    ):
        assert expected in ids
