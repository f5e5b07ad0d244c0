"""Every operation of the OpenAPI document states the errors it may answer (issue 13).

Each error is the JSON object `{"error", "field", "rule"}` (`rmadesk.api.errors`). Rather than
list them in every route's `response=` (and miss one on the next route), the document is
completed in one place: `ErrorDocumentedAPI.get_openapi_schema` adds, to each operation, the
error statuses that apply to it and that it does not state itself:

- 400: every operation (text holding a NUL or a lone surrogate, anywhere in the URL, is refused
  at the edge; a policy rule says no);
- 401 and 403: every operation that needs a token (no token; the role may not do it);
- 404: every operation (a record named in the path or in the body does not exist or is not the
  caller's; a customer's contact asking for a staff-only list; an unknown path);
- 409: every POST, and every operation with a path parameter (the record's state refuses it,
  e.g. an RMA's label before the customer's confirmations, R6);
- 413: every operation with a body (over the upload limit, answered before any view);
- 422: every operation with a parameter or a body (malformed input);
- 503: every operation (the database is away: try again after Retry-After seconds).

The rest of what the server enforces is stated by `rmadesk.api.constraints` (a pattern on every
text input, the Idempotency-Key header), also applied here.

Status keys are ints, like django-ninja's own: a string "400" next to an int 400 would be the
same JSON key twice, which Swagger UI refuses.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from rmadesk.api.constraints import declare_constraints

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "a sentence for a person"},
        "field": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "the request field at fault, e.g. lines.0.description",
        },
        "rule": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "the POLICY.md rule that refused the request",
        },
        "errors": {
            "type": "array",
            "description": "422 only, when several fields are wrong: one per problem",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "error": {"type": "string"},
                },
            },
        },
    },
    "required": ["error", "field", "rule"],
}
WHAT: dict[int, str] = {
    400: "Refused: a policy rule says no (`rule`), or text holds a NUL or a lone surrogate",
    401: "No token, or a token rmadesk does not know",
    403: "Your role may not do this to a record you can see",
    404: "No such record (named in the path or in the body), or not yours",
    409: "The record's state does not allow it now",
    413: "The request body is over the upload limit",
    422: "Malformed input: a wrong type, an unknown or missing field, a value out of range",
    503: "The database is away: send it again after the Retry-After header's seconds",
}


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation may answer (see the module's docstring)."""
    parameters = operation.get("parameters", [])
    in_path = any(parameter.get("in") == "path" for parameter in parameters)
    statuses = [400, 404, 503]
    if operation.get("security"):
        statuses += [401, 403]
    if method.lower() == "post" or in_path:
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
    if parameters or "requestBody" in operation:
        statuses.append(422)
    return sorted(statuses)


def declare_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Error schema and each operation's error responses to an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_SCHEMA_NAME, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            stated = {int(status) for status in responses if str(status).isdigit()}
            for status in error_statuses(method, operation):
                if status not in stated:
                    responses[status] = {
                        "description": WHAT[status],
                        "content": {"application/json": {"schema": reference}},
                    }
    return schema


class ErrorDocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document states every operation's error responses."""

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_constraints(schema)  # first: its header is a parameter, whose errors follow
        declare_error_responses(schema)
        return schema
