"""The authorization matrix over every API endpoint, read from the OpenAPI schema.

Customer B's token gets 404 on everything of customer A's (ticket, RMA, label, invoice, serial,
customer record) and on held mail (which is no customer's), exactly like a record that does not
exist, and nothing changes; no token
gets 401. A new endpoint that is not in BODIES below fails this test until it is added.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rmadesk.api.api import api
from rmadesk.billing.models import Invoice
from rmadesk.billing.services import issue_credit_note, issue_invoice
from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.customers.models import Contact
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models import InboundMessage
from rmadesk.onsite.models import Appointment
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.rmas.services import confirm_rma, issue_label, open_rma
from rmadesk.tickets.attachments import attach_files
from rmadesk.tickets.models import Attachment, Message, Ticket
from rmadesk.tickets.services import open_ticket
from tests.factories import AssetFactory, ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 18, 18, 0, tzinfo=dt.UTC)
LATER = "2026-11-25T10:00:00-08:00"

# A valid body for each write, so a refusal can only come from who is asking.
BODIES: dict[tuple[str, str], dict[str, object] | None] = {
    ("post", "/customers"): {"name": "X", "country": "US", "zone": "UTC", "email": "x@y.example"},
    ("get", "/customers/{customer_id}"): None,
    ("patch", "/customers/{customer_id}/address"): {"city": "Oakland"},
    ("patch", "/customers/{customer_id}/billing"): {"vat_id": "DE123456789"},
    ("patch", "/customers/{customer_id}/contacts/{contact_id}/language"): {"language": "de"},
    ("post", "/contracts"): {
        "customer": "{customer_id}",
        "plan": "gold",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    },
    ("post", "/product-models"): {"name": "Y", "product_line": "truenas"},
    ("post", "/assets"): {
        "customer": "{customer_id}",
        "serial": "NEW-1",
        "model": "{model_id}",
        "shipped_on": "2026-01-01",
        "warranty_years": 1,
        "price": "1.00",
    },
    ("post", "/assets/{serial}/drives"): {"drives": 5},
    ("get", "/entitlements/{serial}"): None,
    ("get", "/tickets"): None,
    ("post", "/tickets"): {
        "serial": "{serial}",
        "severity": "S3",
        "subject": "s",
        "body": "b",
        "channel": "portal",
    },
    ("get", "/tickets/{number}"): None,
    ("get", "/tickets/{number}/attachments"): None,
    ("get", "/tickets/{number}/attachments/{attachment_id}"): None,
    ("post", "/tickets/{number}/attachments"): {"file": "zpool.log"},  # multipart, see call()
    ("post", "/tickets/{number}/replies"): {"body": "hello", "public": True},
    ("post", "/tickets/{number}/severity"): {"severity": "S1"},
    ("post", "/tickets/{number}/close"): {"reason": "done"},
    ("post", "/tickets/{number}/wait"): {},
    ("post", "/tickets/{number}/resume"): {},
    ("post", "/tickets/{number}/mark-solved"): {},
    ("post", "/tickets/{number}/reopen"): {},
    ("post", "/tickets/{number}/assign"): {"assignee": "agent@vendor.example"},
    ("post", "/tickets/{number}/rma"): {
        "kind": "repair",
        "items": [{"part": "PSU", "serial": "P1", "unit_price": "10.00"}],
    },
    ("get", "/rmas"): None,
    ("get", "/rmas/{number}"): None,
    ("post", "/rmas/{number}/confirm"): {
        "data_backed_up": True,
        "original_packaging": True,
        "insured": True,
        "removable_media_removed": True,
    },
    ("post", "/rmas/{number}/label"): {},
    ("get", "/rmas/{number}/label.pdf"): None,
    ("post", "/rmas/{number}/ship-replacement"): {"shipped_at": LATER},
    ("post", "/rmas/{number}/receive"): {"received_at": LATER, "label_rma_number": "{number_text}"},
    ("post", "/rmas/{number}/accept"): {"reason": "ok"},
    ("post", "/rmas/{number}/reject"): {"reason": "no"},
    ("post", "/rmas/{number}/inspect"): {"notes": "fine"},
    ("post", "/rmas/{number}/decide"): {"decision": "repair", "refurbished": False},
    ("post", "/rmas/{number}/identify-part"): {},
    ("post", "/rmas/{number}/ship-back"): {"shipped_at": LATER},
    ("post", "/rmas/{number}/tracking"): {
        "direction": "return",
        "carrier": "ups",
        "tracking_number": "1Z999AA10123456784",
    },
    ("post", "/rmas/{number}/delivered"): {"delivered_at": LATER},
    ("post", "/rmas/{number}/waive-restocking-fee"): {"reason": "goodwill"},
    ("post", "/rmas/{number}/contents"): {"manuals": True, "media": True, "documentation": True},
    ("post", "/rmas/{number}/accept-missing-contents"): {"reason": "media are downloads"},
    # warranty decisions (W2, R9)
    ("post", "/tickets/{number}/deny-warranty"): {
        "cause": "customer_negligence",
        "explanation": "x",
    },
    ("post", "/rmas/{number}/deny"): {"cause": "customer_negligence", "explanation": "x"},
    ("get", "/tickets/{number}/repair-quotes"): None,
    ("post", "/tickets/{number}/repair-quotes"): {"amount": "100.00", "description": "repair"},
    ("post", "/tickets/{number}/repair-quotes/{quote_id}/accept"): None,
    ("post", "/tickets/{number}/repair-quotes/{quote_id}/decline"): None,
    ("get", "/invoices"): None,
    ("get", "/invoices/{number}"): None,
    ("get", "/invoices/{number}/invoice.pdf"): None,
    ("get", "/credit-notes/{number}/credit-note.pdf"): None,
    ("post", "/invoices/{number}/payments"): {"amount": "1.00", "received_at": LATER},
    ("post", "/invoices/{number}/credit-notes"): {"amount": "1.00", "reason": "goodwill"},
    ("post", "/appointments"): {"ticket": "{number}", "starts_at": "2026-12-20T10:00:00-08:00"},
    ("post", "/calls"): {
        "serial": "{serial}",
        "caller": "Kim",
        "severity": "S2",
        "notes": "n",
        "called_at": LATER,
    },
    # held mail: the vendor's inbox, never a customer's (404 like a missing record)
    ("get", "/mail/held"): None,
    ("get", "/mail/held/{held_id}"): None,
    ("post", "/mail/held/{held_id}/link"): {"customer": "{customer_id}", "serial": "{serial}"},
    ("post", "/mail/held/{held_id}/discard"): {"note": "spam"},
    # satisfaction results (issue 16): managers and admins only
    ("get", "/reports/satisfaction"): None,
    # reports: staff with the manager or admin role; to a customer they do not exist
    ("get", "/reports/attainment"): None,
    ("get", "/reports/breaches"): None,
    ("get", "/reports/backlog"): None,
    ("get", "/reports/rmas"): None,
    ("get", "/reports/money"): None,
}
LISTS = {"/tickets", "/rmas", "/invoices"}
# Uploads: multipart/form-data, not JSON (their bad input is tested in test_attachment_upload).
MULTIPART = {("post", "/tickets/{number}/attachments")}
# Writes that name no record of customer A: a customer is refused for its role (403).
STAFF_ONLY_CREATES = {("post", "/customers"), ("post", "/product-models"), ("post", "/calls")}


def endpoints() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [
        (method, path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        for method in operations
    ]


def test_every_endpoint_is_in_the_matrix():
    assert sorted(endpoints()) == sorted(BODIES)


@pytest.fixture
def records_of_a(settings, tmp_path):
    settings.RMADESK_DATA_DIR = tmp_path
    with clock.frozen_at(NOW):
        customer = CustomerFactory(name="Customer A")
        contact_a = Contact.objects.create(customer=customer, name="A", email="a@a.example")
        ContractFactory(customer=customer, plan="gold")
        asset = AssetFactory(customer=customer, serial="A-SERIAL-1", onsite="4h")
        agent = add_user(email="agent@vendor.example", role="agent")
        finance = add_user(email="finance@vendor.example", role="finance")
        ticket = open_ticket(
            actor=agent, serial=asset.serial, severity="S2", subject="A's problem",
            body="details", channel="portal",
        )  # fmt: skip
        [attachment] = attach_files(
            actor=agent, ticket=ticket, message=ticket.messages.get(),
            files=[SimpleUploadedFile("debug.log", b"zpool status\n", "text/plain")],
        )  # fmt: skip
        rma = open_rma(
            actor=agent, ticket=ticket, kind="advance_exchange",
            items=[{"part": "HDD", "serial": "Z1", "unit_price": "100.00"}],
        )  # fmt: skip
        confirm_rma(actor=agent, rma=rma, data_backed_up=True, original_packaging=True,
                    insured=True, removable_media_removed=True)  # fmt: skip
        issue_label(actor=agent, rma=rma)
        invoice = issue_invoice(
            actor=finance, customer=customer, kind="service",
            lines=[{"kind": "service", "description": "install", "amount": Decimal("100.00")}],
        )  # fmt: skip
        note = issue_credit_note(
            actor=finance, invoice=invoice, amount=Decimal("1.00"), reason="goodwill"
        )
        held = ingest_message(
            b"From: someone@example.net\nTo: support@vendor.example\nSubject: A-SERIAL-1 broke\n"
            b"Message-ID: <held@example.net>\n\nPlease help.\n"
        )
        assert held.status == "held_unknown_sender"
        # A quote waiting for A's answer (a row: the service quotes tickets without an RMA).
        quote = RepairQuote.objects.create(
            ticket=ticket, amount=Decimal("900.00"), currency="USD", description="repair",
            recorded_at=NOW,
        )  # fmt: skip
    return {
        "customer_id": customer.pk,
        "contact_id": contact_a.pk,
        "model_id": asset.model_id,
        "serial": asset.serial,
        "ticket": ticket.number,
        "rma": rma.number,
        "invoice": invoice.number,
        "credit_note": note.number,
        "attachment_id": attachment.pk,
        "held_id": held.pk,
        "quote_id": quote.pk,
    }


def concrete(path: str, body: object, records: dict[str, object]) -> tuple[str, object]:
    area = path.split("/")[1]
    number = {"tickets": records["ticket"], "rmas": records["rma"], "invoices": records["invoice"],
              "appointments": records["ticket"],
              "credit-notes": records["credit_note"]}.get(area)  # fmt: skip
    values = {**records, "number": number, "number_text": str(number)}

    def fill(value: object) -> object:
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return values[value[1:-1]]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path, fill(body)


def snapshot() -> tuple[int, ...]:
    return (
        tuple(
            model.objects.count()
            for model in (AuditEvent, Ticket, Message, Attachment, Rma, Invoice, Appointment)
        )
        + tuple(Ticket.objects.order_by("pk").values_list("status", flat=True))
        + tuple(Rma.objects.order_by("pk").values_list("return_tracking_number", flat=True))
        + tuple(InboundMessage.objects.order_by("pk").values_list("status", flat=True))
        + tuple(RepairQuote.objects.order_by("pk").values_list("status", flat=True))
    )


def call(client: Client, method: str, path: str, body: object, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(f"/api/v1{path}", headers=headers)
    if path.endswith("/attachments"):
        upload = SimpleUploadedFile("zpool.log", b"pool: tank\n", "text/x-log")
        return client.post(f"/api/v1{path}", {"file": upload}, headers=headers)
    import json

    send = client.patch if method == "patch" else client.post
    return send(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(("method", "path"), sorted(BODIES))
def test_customer_b_cannot_see_or_touch_customer_a(records_of_a, contact, method, path):
    other = CustomerFactory(name="Customer B")
    token_b = contact(other).token
    url, body = concrete(path, BODIES[(method, path)], records_of_a)
    before = snapshot()
    with clock.frozen_at(NOW):
        response = call(Client(), method, url, body, token_b)
    assert snapshot() == before, "a refused request changed something"
    if path in LISTS and method == "get":
        assert response.status_code == 200
        shown = response.json()
        items = shown["items"] if isinstance(shown, dict) else shown
        assert items == []
    elif (method, path) in STAFF_ONLY_CREATES:
        assert response.status_code == 403
    else:
        assert response.status_code == 404, (url, response.content[:200])
        assert response.json() == {"error": "not found", "field": None, "rule": None}


@pytest.mark.parametrize(("method", "path"), sorted(BODIES))
def test_no_token_is_401_everywhere(records_of_a, method, path):
    url, body = concrete(path, BODIES[(method, path)], records_of_a)
    before = snapshot()
    response = call(Client(), method, url, body, None)
    assert response.status_code == 401
    assert snapshot() == before


def required_fields(method: str, path: str) -> set[str]:
    """The request body's required fields, as the OpenAPI schema publishes them."""
    schema = api.get_openapi_schema()
    operation = schema["paths"][f"/api/v1{path}"][method]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[1]].get("required", ()))


def malformed_bodies(body: dict[str, object], required: set[str]) -> list[tuple[str, object]]:
    """Missing fields, an unknown field, each field of the wrong type, naive instants."""
    cases: list[tuple[str, object]] = [
        ("not an object", [1, 2]),
        ("unknown field", {**body, "zzz": 1}),
    ]
    for name, value in body.items():
        if name in required:
            cases.append((f"{name} missing", {k: v for k, v in body.items() if k != name}))
        cases.append((f"{name} wrong type", {**body, name: {"nested": [value]}}))
        if isinstance(value, str) and value[:4].isdigit() and "T" in value:
            cases.append((f"{name} naive", {**body, name: value[:19]}))
    return cases


@pytest.mark.parametrize(
    ("method", "path"),
    sorted(k for k, v in BODIES.items() if k[0] in ("post", "patch") and v and k not in MULTIPART),
)
def test_bad_input_is_a_4xx_naming_the_field_never_a_500(records_of_a, method, path):
    admin = add_user(email="root@vendor.example", role="admin")
    from rmadesk.core.services import issue_token

    token = issue_token(user=admin)
    url, body = concrete(path, BODIES[(method, path)], records_of_a)
    assert isinstance(body, dict)
    for case, bad in malformed_bodies(body, required_fields(method, path)):
        before = snapshot()
        with clock.frozen_at(NOW):
            response = call(Client(), method, url, bad, token)
        assert 400 <= response.status_code < 500, (case, response.status_code, response.content)
        answer = response.json()
        assert set(answer) >= {"error", "field", "rule"}, (case, answer)
        if case.endswith("naive"):
            assert answer["rule"] == "T1", (case, answer)
        if case.endswith(("missing", "wrong type", "naive")) and response.status_code == 422:
            assert answer["field"] == case.rsplit(" ", 1)[0].removesuffix(" wrong"), (case, answer)
        assert snapshot() == before, case
