"""Writes for customers, contacts and contracts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput
from rmadesk.core.permissions import Actor
from rmadesk.core.services import record_event
from rmadesk.customers.models import MAX_PAYMENT_TERMS_DAYS, Contact, Contract, Customer, Plan
from rmadesk.customers.permissions import require_accounts
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.loader import holiday_country


@transaction.atomic
def add_customer(
    *,
    actor: Actor,
    name: str,
    country: str,
    zone: str,
    email: str,
    payment_terms_days: int = 0,
) -> Customer:
    """A new customer (F1: payment terms default to upfront)."""
    require_accounts(actor, "adding a customer")
    zone_named(zone, field="zone")  # an IANA zone, or a refusal naming the field (T1)
    code = holiday_country(country, "L3")
    if not name.strip():
        raise PolicyError("a customer needs a name", rule="F1", field="name")
    if not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS_DAYS:
        raise PolicyError(
            f"payment terms are 0 to {MAX_PAYMENT_TERMS_DAYS} days",
            rule="F1",
            field="payment_terms_days",
        )
    customer = Customer.objects.create(
        name=name.strip(),
        country=code,
        zone=zone,
        email=email,
        payment_terms_days=payment_terms_days,
        created_at=clock.now(),
    )
    Contact.objects.create(customer=customer, name=name.strip(), email=email)
    record_event(
        actor=actor,
        verb="customer.added",
        subject_type="customer",
        subject_id=customer.pk,
        changes={
            "name": customer.name,
            "country": code,
            "zone": zone,
            "email": email,
            "payment_terms_days": payment_terms_days,
        },
        rules=("F1",),
    )
    return customer


@transaction.atomic
def add_contract(
    *,
    actor: Actor,
    customer: Customer,
    plan: str,
    starts_on: dt.date,
    ends_on: dt.date,
    jails_and_plugins: bool = False,
) -> Contract:
    """A support contract on a plan (L1) for a span of dates."""
    require_accounts(actor, "adding a contract")
    if plan not in Plan.values:
        raise PolicyError(
            f"unknown plan {plan!r}; the plans are {', '.join(Plan.values)}",
            rule="L1",
            field="plan",
        )
    if ends_on < starts_on:
        raise InvalidInput("a contract cannot end before it starts", field="ends_on")
    contract = Contract.objects.create(
        customer=customer,
        plan=plan,
        starts_on=starts_on,
        ends_on=ends_on,
        jails_and_plugins=jails_and_plugins,
    )
    record_event(
        actor=actor,
        verb="contract.added",
        subject_type="customer",
        subject_id=customer.pk,
        changes={
            "plan": plan,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "jails_and_plugins": jails_and_plugins,
        },
        rules=("L1",),
    )
    return contract


@transaction.atomic
def add_contact(*, actor: Actor, customer: Customer, email: str, name: str = "") -> Contact:
    """A contact of the customer: mail from this address is then the customer's own.

    Idempotent: an address that is already a contact of the customer (in any case, as mail
    intake compares it) is returned as it is, and nothing is recorded again.
    """
    require_accounts(actor, "adding a contact")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"{email!r} is not an email address", field="email") from None
    found = Contact.objects.filter(customer=customer, email__iexact=email).first()
    if found is not None:
        return found
    contact = Contact.objects.create(
        customer=customer, name=(" ".join(name.split()) or email)[:200], email=email
    )
    record_event(
        actor=actor,
        verb="customer.contact_added",
        subject_type="customer",
        subject_id=customer.pk,
        changes={"email": email, "name": contact.name},
    )
    return contact
