"""Only the vendor's staff may say a change happened at another time: through every API door.

Every write whose body takes an instant of when it happened (`at`, `opened_at`, `issued_at`,
`received_at`, ...) is read from the OpenAPI schema. A customer's own contact sending one is
refused with 403 naming the field and rule T1 — decided once, by
`core.permissions.instant_for` — and nothing changes; without the instant, the same request is
not refused for it. Staff may back-date. A new write taking an instant must be sorted below
before this test passes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rmadesk.api.api import api
from rmadesk.core import clock
from rmadesk.core.services import add_user, issue_token
from rmadesk.mail.models_outbox import OutboxMessage
from tests.api.test_authorization_matrix import (
    BODIES,
    NOW,
    call,
    concrete,
    records_of_a,  # noqa: F401 - the fixture, shared with the authorization matrix
    snapshot,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# The fields that say when a change happened (an appointment's `starts_at` is when it will be).
WHEN_FIELDS = {"at", "opened_at", "issued_at", "called_at", "requested_at", "received_at",
               "shipped_at"}  # fmt: skip
EARLIER = "2026-11-18T08:00:00-08:00"  # two hours before NOW, still after A's records began
# Writes a customer's contact may make on its own records: a back-dated one is refused by T1.
CUSTOMER_WRITES = {
    ("post", "/tickets"),
    ("post", "/tickets/{number}/replies"),
    ("post", "/rmas/{number}/confirm"),
}
# The vendor's own writes: a customer is refused them for its role, instant or not.
STAFF_WRITES = {
    ("post", "/calls"),
    ("post", "/invoices/{number}/payments"),
    ("post", "/rmas/{number}/deny"),
    ("post", "/rmas/{number}/inspect"),
    ("post", "/rmas/{number}/label"),
    ("post", "/rmas/{number}/receive"),
    ("post", "/rmas/{number}/ship-replacement"),
    ("post", "/rmas/{number}/ship-back"),
    ("post", "/tickets/{number}/close"),
    ("post", "/tickets/{number}/deny-warranty"),
    ("post", "/tickets/{number}/rma"),
    ("post", "/tickets/{number}/severity"),
}


def when_fields() -> dict[tuple[str, str], set[str]]:
    """Each write of the schema whose request body takes a when-field, and those fields."""
    schema = api.get_openapi_schema()
    found: dict[tuple[str, str], set[str]] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            found_schema = body["content"].get("application/json", {}).get("schema", {})
            ref = found_schema.get("$ref")
            if ref is None:
                continue  # a multipart upload or a body without a schema of its own
            properties = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
            names = {name for name in properties if name in WHEN_FIELDS}
            if names:
                found[(method, path.removeprefix("/api/v1"))] = names
    return found


WHEN_WRITES = when_fields()
CASES = sorted((method, path, field) for (method, path), names in WHEN_WRITES.items()
               for field in names)  # fmt: skip


def test_every_write_that_takes_an_instant_is_sorted():
    assert set(WHEN_WRITES) == CUSTOMER_WRITES | STAFF_WRITES


@pytest.mark.parametrize(("method", "path", "field"), CASES)
def test_a_customer_cannot_backdate_through_the_api(records_of_a, contact, method, path, field):  # noqa: F811
    own = contact(_customer_a(records_of_a)).token
    url, body = concrete(path, BODIES[(method, path)], records_of_a)
    assert isinstance(body, dict)
    backdated = {**body, field: EARLIER}
    before = snapshot(), OutboxMessage.objects.count()
    with clock.frozen_at(NOW):
        refused = call(Client(), method, url, backdated, own)
    assert (snapshot(), OutboxMessage.objects.count()) == before, "a refused write changed a thing"
    assert refused.status_code == 403, (url, refused.content[:300])
    if (method, path) in CUSTOMER_WRITES:
        answer = refused.json()
        assert (answer["field"], answer["rule"]) == (field, "T1"), answer
        assert "only be given by the vendor's staff" in answer["error"]
        # The instant was the reason: without it, the same customer is not refused for T1.
        plain = {name: value for name, value in body.items() if name not in WHEN_FIELDS}
        with clock.frozen_at(NOW):
            answered = call(Client(), method, url, plain, own)
        assert answered.status_code < 400 or answered.json()["rule"] != "T1", answered.content


def test_staff_may_record_a_ticket_opened_earlier(records_of_a):  # noqa: F811
    agent = add_user(email="backdating-agent@vendor.example", role="agent")
    url, body = concrete("/tickets", BODIES[("post", "/tickets")], records_of_a)
    assert isinstance(body, dict)
    with clock.frozen_at(NOW):
        made = call(Client(), "post", url, {**body, "opened_at": EARLIER}, issue_token(user=agent))
    assert made.status_code == 201, made.content
    opened = dt.datetime.fromisoformat(made.json()["opened_at"])
    assert opened == dt.datetime.fromisoformat(EARLIER)


def _customer_a(records: dict[str, object]) -> object:
    return CustomerFactory._meta.model.objects.get(pk=records["customer_id"])
