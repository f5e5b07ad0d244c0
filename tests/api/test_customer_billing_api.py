"""Issue 14: the customer's billing address and VAT ID, which invoices and credit notes print."""

from __future__ import annotations

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

GMBH = {"name": "Kunde GmbH", "country": "DE", "zone": "Europe/Berlin", "email": "ap@kunde.example"}


def test_billing_address_and_vat_id_are_recorded_and_changed(staff):
    agent = staff("agent")
    made = agent.post(
        "/customers",
        GMBH | {"billing_address": "Buchhaltung\n  Friedrichstraße 123 \n\n10117 Berlin"},
    )
    assert made.status == 201, made.body
    assert made.body["billing_address"] == "Buchhaltung\nFriedrichstraße 123\n10117 Berlin"
    assert made.body["vat_id"] == ""
    changed = agent.patch(f"/customers/{made.body['id']}/billing", {"vat_id": "de811907980"})
    assert changed.status == 200, changed.body
    assert changed.body["vat_id"] == "DE811907980"
    assert changed.body["billing_address"].startswith("Buchhaltung")  # kept
    assert AuditEvent.objects.filter(verb="customer.billing_changed").count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"vat_id": "D" * 33}, 422, "vat_id"),
        ({"vat_id": "DE<script>"}, 400, "vat_id"),
        ({"billing_address": "x" * 501}, 422, "billing_address"),
        ({"billing_address": "\n".join(["line"] * 9)}, 400, "billing_address"),
    ],
)
def test_bad_billing_details_are_a_4xx_naming_the_field(staff, body, status, field):
    customer = CustomerFactory(country="DE", zone="Europe/Berlin")
    answer = staff("agent").patch(f"/customers/{customer.pk}/billing", body)
    assert (answer.status, answer.body["field"]) == (status, field), answer.body
    assert Customer.objects.get().vat_id == "" and Customer.objects.get().billing_address == ""


def test_a_customer_cannot_change_its_billing_details_through_the_api(contact):
    customer = CustomerFactory()
    answer = contact(customer).patch(f"/customers/{customer.pk}/billing", {"vat_id": "DE1"})
    assert answer.status == 403
    assert Customer.objects.get().vat_id == ""
