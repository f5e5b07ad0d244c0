"""What the server enforces on every operation, stated in the OpenAPI document (issue 13).

Two rules hold for every operation rather than for one field, so they are written into the
document in one place, as `rmadesk.api.error_responses` writes the error responses:

- Text: the edge (`rmadesk.web.input_guard`) refuses, with 400, any text holding a control
  character other than tab, line feed and carriage return, or a lone surrogate. Every string a
  client sends (a JSON body's, a path's, a query's) gets `TEXT_PATTERN`, unless its own schema
  already says more (an enum, a format, a pattern of its own, which excludes them too).
- Forms: a multipart field is left out rather than sent as null, and a required list of files
  holds one at least (`file` of an upload).
- `Idempotency-Key`: every POST accepts the header (`rmadesk.api.idempotency`): 1 to 255
  visible ASCII characters, else 400.
"""

from __future__ import annotations

from typing import Any

from rmadesk.api.idempotency import HEADER, KEY_PATTERN

# Any text but the C0 controls the edge refuses (tab, LF and CR are ordinary text).
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
# Text a rule requires (a reason, a body, a caller): besides the above, one character that is
# not a space. A blank one is refused naming the field, with its rule where it has one.
NON_BLANK_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Sent again with the same key (by the same user), the request is not done twice: the "
        "first answer is replayed with `Idempotent-Replayed: true`. A key reused for another "
        "request answers 422; one still being processed answers 409. Keys are kept "
        "RMADESK_IDEMPOTENCY_HOURS (24 by default)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
}


def _has_own_rule(schema: dict[str, Any]) -> bool:
    return any(key in schema for key in ("enum", "const", "format", "pattern"))


def _constrain_text(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> None:
    """Give every string inside `schema` (following $refs, once each) the text pattern."""
    reference = schema.get("$ref")
    if isinstance(reference, str):
        name = reference.rsplit("/", 1)[-1]
        if name not in seen and name in components:
            seen.add(name)
            _constrain_text(components[name], components, seen)
        return
    if schema.get("type") == "string" and not _has_own_rule(schema):
        schema["pattern"] = TEXT_PATTERN
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for option in schema.get(key, ()):
            _constrain_text(option, components, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _constrain_text(schema[key], components, seen)
    for value in schema.get("properties", {}).values():
        _constrain_text(value, components, seen)


def _form_fields(schema: dict[str, Any], components: dict[str, Any]) -> None:
    """A multipart form sends no null (a field is left out instead), and a required list of
    files holds at least one."""
    reference = schema.get("$ref")
    if isinstance(reference, str):
        schema = components.get(reference.rsplit("/", 1)[-1], {})
    required = set(schema.get("required", ()))
    for name, field in schema.get("properties", {}).items():
        options = [o for o in field.get("anyOf", ()) if o.get("type") != "null"]
        if "anyOf" in field and len(options) == 1:
            del field["anyOf"]
            field.update(options[0])
        if name in required and field.get("type") == "array":
            field.setdefault("minItems", 1)


def declare_constraints(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the text pattern to every input string and the Idempotency-Key header to every POST."""
    components = schema.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                _constrain_text(parameter.get("schema", {}), components, seen)
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                _constrain_text(content.get("schema", {}), components, seen)
                if kind == "multipart/form-data":
                    _form_fields(content.get("schema", {}), components)
            if method.lower() == "post" and not any(p.get("name") == HEADER for p in parameters):
                parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
            if not parameters:
                del operation["parameters"]
    return schema
