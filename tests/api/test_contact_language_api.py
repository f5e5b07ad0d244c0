"""Issue 14: staff set a contact's language through the API; a customer's token may set only its
own contact's (as in the portal); a language rmadesk does not speak is a 400 naming the field."""

from __future__ import annotations

import pytest

from rmadesk.core.models import AuditEvent
from rmadesk.customers.models import Contact
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def path(contact: Contact) -> str:
    return f"/customers/{contact.customer_id}/contacts/{contact.pk}/language"


def test_an_agent_sets_a_contacts_language(staff):
    contact = Contact.objects.create(
        customer=CustomerFactory(), name="Eva", email="eva@kunde.example"
    )
    answer = staff("agent").patch(path(contact), {"language": "de"})
    assert answer.status == 200, answer.body
    assert answer.body == {
        "id": contact.pk,
        "customer": contact.customer_id,
        "name": "Eva",
        "email": "eva@kunde.example",
        "language": "de",
    }
    contact.refresh_from_db()
    assert contact.language == "de"
    event = AuditEvent.objects.get(verb="customer.contact_language_changed")
    assert event.changes == {"email": "eva@kunde.example", "language": ["", "de"]}
    # Blank again: the browser's language on pages, the site's in mail.
    assert staff("agent").patch(path(contact), {"language": ""}).body["language"] == ""


def test_a_language_rmadesk_does_not_speak_is_refused(staff):
    contact = Contact.objects.create(customer=CustomerFactory(), name="Eva", email="e@k.example")
    answer = staff("agent").patch(path(contact), {"language": "fr"})
    assert answer.status == 400
    assert answer.body["field"] == "language"
    assert answer.body["error"] == (
        "'fr' is not a language rmadesk speaks: one of en, de, ja, or blank for the browser's"
    )
    contact.refresh_from_db()
    assert contact.language == ""
    assert not AuditEvent.objects.filter(verb="customer.contact_language_changed").exists()


def test_a_customer_sets_only_its_own_contacts_language(contact):
    customer = CustomerFactory()
    client = contact(customer)
    own = Contact.objects.create(
        customer=customer, name="Me", email=f"contact{customer.pk}@customer.example"
    )
    colleague = Contact.objects.create(customer=customer, name="Kai", email="kai@k.example")
    assert client.patch(path(own), {"language": "ja"}).status == 200
    refused = client.patch(path(colleague), {"language": "ja"})
    assert refused.status == 404
    colleague.refresh_from_db()
    assert colleague.language == ""
