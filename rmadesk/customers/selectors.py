"""Reads for customers and contracts, limited to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from rmadesk.core.permissions import Actor, account_of, customer_scope, is_staff
from rmadesk.customers.models import Contact, Contract, Customer


def visible_customers(user: Actor) -> QuerySet[Customer]:
    scope = customer_scope(user)
    customers = Customer.objects.all()
    return customers if scope is None else customers.filter(pk=scope)


def contract_on(customer: Customer, day: dt.date) -> Contract | None:
    """The customer's contract in force on a day (the latest-starting one if several)."""
    return (
        Contract.objects.filter(customer=customer, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on", "-id")
        .first()
    )


def contact_of(user: Actor) -> Contact | None:
    """The contact a signed-in customer user is: its customer's contact with the user's address."""
    if user is None or is_staff(user):
        return None
    account = account_of(user)
    email = getattr(user, "email", "")
    if account is None or account.customer_id is None or not email:
        return None
    return Contact.objects.filter(customer_id=account.customer_id, email__iexact=email).first()


def contact_language(customer_id: int | None, email: str) -> str:
    """The language chosen by the customer's contact with this address; "" when none is chosen."""
    if customer_id is None or not email:
        return ""
    found = (
        Contact.objects.filter(customer_id=customer_id, email__iexact=email.strip())
        .values_list("language", flat=True)
        .first()
    )
    return found or ""


def customer_language(customer: Customer) -> str:
    """The language of a customer's documents: its own address's contact's, else "" (the site's)."""
    return contact_language(customer.pk, customer.email)
