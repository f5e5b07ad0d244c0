"""Issue 14: what the demo's customers read — every portal page and every customer mail — says
things in sentences. No rule ID (R4, W6) and no internal key (data_backed_up, 24x7) shows
outside a `<details>` toggle, where rule IDs stay for the curious."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from rmadesk.assets.models import Asset, ProductModel
from rmadesk.billing.models import Invoice
from rmadesk.core import clock
from rmadesk.demo.data import load_demo_data
from rmadesk.demo.records import CUSTOMERS
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.rmas.models import Rma
from rmadesk.tickets.models import Ticket
from tests.portal.plain_words import codes_in, visible_text
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

# A Thursday afternoon in Pacific time, after the demo's working day.
DEMO_NOW = dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.UTC)
# Staff mail (breach alerts, the staff's notices) may name rules and keys.
STAFF_MAIL = {"breach_alert", "weekly_summary"}  # to staff: the managers' summary too
STAFF_NOTICE = "notice_"


def _look_alikes() -> tuple[str, ...]:
    """Serials (R20-J30002) and model names (TrueNAS R20) that merely look like rule IDs."""
    serials = list(Asset.objects.values_list("serial", flat=True))
    models = list(ProductModel.objects.values_list("name", flat=True))
    return tuple(serials + models)


def _customer_pages(user: Any) -> list[str]:
    customer = user.account.customer_id
    pages = [
        reverse("portal:home"),
        reverse("portal:tickets"),
        reverse("portal:ticket_new"),
        reverse("portal:rmas"),
        reverse("portal:invoices"),
        reverse("portal:money_back"),
        reverse("portal:appointment_new"),
        reverse("portal:policy"),
    ]
    tickets = Ticket.objects.filter(customer_id=customer)
    pages += [reverse("portal:ticket", args=[t.number]) for t in tickets]
    rmas = Rma.objects.filter(ticket__customer_id=customer)
    pages += [reverse("portal:rma", args=[r.number]) for r in rmas]
    invoices = Invoice.objects.filter(customer_id=customer)
    pages += [reverse("portal:invoice", args=[i.number]) for i in invoices]
    promise = reverse("portal:ticket_promise")
    for serial in Asset.objects.filter(customer_id=customer).values_list("serial", flat=True):
        pages += [f"{promise}?serial={serial}&severity={s}" for s in ("S1", "S2", "S3", "S4")]
        pages.append(f"{reverse('portal:ticket_new')}?serial={serial}&severity=S1")
    return pages


def test_demo_customers_read_no_rule_id_or_internal_key_on_any_portal_page():
    with clock.frozen_at(DEMO_NOW):
        load_demo_data()
        allowed = _look_alikes()
        found: list[str] = []
        seen = 0
        for spec in CUSTOMERS:
            user = get_user_model().objects.get(email=spec.contact)
            client = sign_in(Client(), user)
            for url in _customer_pages(user):
                response = client.get(url)
                assert response.status_code == 200, url
                seen += 1
                found += [
                    f"{url}: {code}"
                    for code in codes_in(visible_text(response.content.decode()), allowed)
                ]
    assert seen > 60
    assert not found, "\n".join(found)


def test_demo_customer_mails_read_no_rule_id_or_internal_key():
    with clock.frozen_at(DEMO_NOW):
        load_demo_data()
    allowed = _look_alikes()
    mails = OutboxMessage.objects.exclude(kind__in=STAFF_MAIL).exclude(
        kind__startswith=STAFF_NOTICE
    )
    kinds = set(mails.values_list("kind", flat=True))
    # Every customer mail template of the demo's story is in the outbox.
    assert {"ticket_opened", "rma_issued", "replacement_shipped", "invoice_issued"} <= kinds
    found: list[str] = []
    for mail in mails:
        for part, text in (
            ("subject", mail.subject),
            ("text", mail.text_body),
            ("html", visible_text(mail.html_body)),
        ):
            found += [f"{mail.kind} {part}: {code}" for code in codes_in(text, allowed)]
    assert not found, "\n".join(found)
