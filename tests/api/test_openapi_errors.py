"""The OpenAPI document states every operation's error responses (issue 13)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from rmadesk.api.error_responses import error_statuses

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def document(db):
    return json.loads(Client().get("/api/v1/openapi.json").content)


def test_every_operation_declares_its_4xx_responses_with_the_error_schema(document):
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "field", "rule"]
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {
                status: response
                for status, response in operation["responses"].items()
                if status.startswith("4")
            }
            expected = (
                {"400", "401", "403", "422"}
                | ({"404"} if "{" in path else set())
                | ({"409"} if method == "post" else set())
            )
            if not expected <= set(errors):
                missing.append(f"{method.upper()} {path}: {sorted(expected - set(errors))}")
            for status, response in errors.items():
                schema = response["content"]["application/json"]["schema"]
                # A rate limit's 429 is the Error shape plus `retry_after` (TooManyOut).
                if status == "429" and schema == {"$ref": "#/components/schemas/TooManyOut"}:
                    continue
                if schema != ERROR_REF:
                    missing.append(f"{method.upper()} {path} {status}: {schema}")
    assert missing == []


def test_the_statuses_follow_from_the_operation():
    assert error_statuses("get", {"security": [{}]}) == [400, 401, 403, 404, 503]
    assert error_statuses("get", {"parameters": [{"in": "path"}], "security": [{}]}) == [
        400,
        401,
        403,
        404,
        409,
        422,
        503,
    ]
    assert error_statuses(
        "post", {"parameters": [{"in": "path"}], "requestBody": {}, "security": [{}]}
    ) == [400, 401, 403, 404, 409, 413, 422, 503]
