"""The portal's authorization matrix: anonymous → login, staff → 404, customer B → 404 on A's
records with nothing changed, and CSRF enforced on every form (ARCHITECTURE "Tests")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rmadesk.billing.services import issue_credit_note
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import add_user
from rmadesk.onsite.models import Appointment
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import confirm_rma, issue_label, open_rma
from rmadesk.tickets.models import Attachment, Message, Ticket
from tests.billing.factories import finance_user, invoice
from tests.portal.conftest import PASSWORD, logged_in
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db

ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]
PAGES = [
    "/portal/",
    "/portal/tickets/",
    "/portal/tickets/new",
    "/portal/tickets/promise",
    "/portal/rmas/",
    "/portal/money-back",
    "/portal/appointments/new",
    "/portal/invoices/",
]


@pytest.fixture
def records(acme, agent) -> dict[str, Any]:
    """Acme's ticket (with a file), its advance-exchange RMA with a label, and an invoice."""
    acme.asset.onsite = "4h"
    acme.asset.save()
    client = logged_in(acme.email)
    client.post(
        "/portal/tickets/new",
        {
            "serial": acme.asset.serial,
            "severity": "S2",
            "subject": "Pool degraded",
            "body": "Disk 3 shows errors.",
            "attachments": _file("debug.log", b"zpool status\n"),
        },
    )
    ticket = Ticket.objects.get()
    rma = open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)
    confirm_rma(
        actor=agent,
        rma=rma,
        data_backed_up=True,
        original_packaging=False,
        insured=False,
        removable_media_removed=True,
    )
    issue_label(actor=agent, rma=rma)
    bill = invoice(customer=acme.customer, at=pacific(2026, 11, 2, 10, 0))
    note = issue_credit_note(
        actor=finance_user(), invoice=bill, amount=Decimal("1.00"), reason="goodwill"
    )
    attachment = Attachment.objects.get()
    n = ticket.number
    return {
        "ticket": ticket,
        "rma": rma,
        "invoice": bill,
        "gets": [
            f"/portal/tickets/{n}/",
            f"/portal/tickets/{n}/attachments/{attachment.pk}/",
            f"/portal/rmas/{n}/",
            f"/portal/rmas/{n}/label.pdf",
            f"/portal/invoices/{bill.number}/",
            f"/portal/invoices/{bill.number}/invoice.pdf",
            f"/portal/credit-notes/{note.number}/credit-note.pdf",
            f"/portal/appointments/new?ticket={n}",
        ],
        "posts": [
            (f"/portal/tickets/{n}/reply", {"body": "Not mine"}),
            (f"/portal/tickets/{n}/solved", {}),
            (f"/portal/tickets/{n}/reopen", {}),
            (f"/portal/rmas/{n}/confirm", {"data_backed_up": "on", "insured": "on"}),
            ("/portal/appointments/new", {"ticket": n, "starts_at": "2026-12-10T10:00"}),
        ],
    }


def _file(name: str, content: bytes, content_type: str = "text/plain") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def _state() -> tuple[Any, ...]:
    return (
        Ticket.objects.count(),
        list(Ticket.objects.order_by("pk").values_list("status", "closed_at")),
        Message.objects.count(),
        list(Rma.objects.values_list("data_backed_up", "original_packaging", "insured", "status")),
        Appointment.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
        len(mail.outbox),
    )


def test_anonymous_is_sent_to_the_login(db, records):
    client = Client()
    for path in [*PAGES, *records["gets"]]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next=/portal/"), path
    before = _state()
    for path, data in records["posts"]:
        assert client.post(path, data).status_code == 302, path
    assert _state() == before


@pytest.mark.parametrize("role", ["agent", "clerk", "finance", "manager", "admin"])
def test_staff_get_no_portal_page(db, records, role):
    add_user(email=f"{role}-x@vendor.example", role=role, password=PASSWORD)
    client = logged_in(f"{role}-x@vendor.example")
    for path in [*PAGES, *records["gets"]]:
        assert client.get(path).status_code == 404, path
    before = _state()
    for path, data in records["posts"]:
        assert client.post(path, data).status_code == 404, path
    assert _state() == before


def test_customer_A_sees_every_record_page(records, alice):
    for path in records["gets"]:
        assert alice.get(path).status_code == 200, path


def test_customer_B_gets_404_on_A_records_and_changes_nothing(records, bob):
    for path in records["gets"]:
        assert bob.get(path).status_code == 404, path
    before = _state()
    for path, data in records["posts"]:
        assert bob.post(path, data).status_code == 404, path
    # Opening a ticket on A's serial, asking A's money back: refused as unknown serials.
    opened = bob.post(
        "/portal/tickets/new",
        {"serial_typed": "M50-000042", "severity": "S2", "subject": "x", "body": "y"},
    )
    assert opened.status_code == 400
    assert bob.post("/portal/money-back", {"serial": "M50-000042"}).status_code == 400
    promise = bob.get("/portal/tickets/promise", {"serial": "M50-000042", "severity": "S2"})
    assert "No system with serial M50-000042 among yours." in promise.content.decode()
    assert _state() == before
    # B's own lists name none of A's records.
    for path in ("/portal/", "/portal/tickets/", "/portal/rmas/", "/portal/invoices/"):
        body = bob.get(path).content.decode()
        assert "M50-000042" not in body and "Pool degraded" not in body, path
        assert records["invoice"].number not in body, path


def test_numbers_past_the_database_range_are_404(alice, acme):
    huge = 2**64
    for path in (
        f"/portal/tickets/{huge}/",
        f"/portal/rmas/{huge}/",
        f"/portal/rmas/{huge}/label.pdf",
    ):
        assert alice.get(path).status_code == 404, path
    assert alice.get(f"/portal/appointments/new?ticket={huge}").status_code == 404


# --------------------------------------------------------------------------------- CSRF


def test_every_portal_form_enforces_csrf(records, acme):
    client = logged_in(acme.email, csrf=True)
    n = records["ticket"].number
    forms = [
        (
            "/portal/tickets/new",
            {"serial": "M50-000042", "severity": "S3", "subject": "s", "body": "b"},
        ),
        ("/portal/tickets/promise", {"serial": "M50-000042", "severity": "S2"}),
        (f"/portal/tickets/{n}/reply", {"body": "hello"}),
        (f"/portal/tickets/{n}/solved", {}),
        (f"/portal/tickets/{n}/reopen", {}),
        (f"/portal/rmas/{n}/confirm", {"data_backed_up": "on"}),
        ("/portal/money-back", {"serial": "M50-000042"}),
        ("/portal/appointments/new", {"ticket": n, "starts_at": "2026-12-10T10:00"}),
    ]
    before = _state()
    for path, data in forms:
        assert client.post(path, data).status_code == 403, path
    assert _state() == before
    # With the token from the page, the same client's reply goes through.
    page = client.get(f"/portal/tickets/{n}/")
    token = page.context["csrf_token"]
    response = client.post(
        f"/portal/tickets/{n}/reply", {"body": "hello", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_every_form_page_carries_the_csrf_token(records, alice):
    n = records["ticket"].number
    for path in (
        "/portal/tickets/new",
        f"/portal/tickets/{n}/",
        "/portal/money-back",
        f"/portal/appointments/new?ticket={n}",
    ):
        assert 'name="csrfmiddlewaretoken"' in alice.get(path).content.decode(), path


def test_password_reset_form_enforces_csrf(acme):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/password_reset/", {"email": acme.email})
    assert response.status_code == 403
    assert mail.outbox == []
