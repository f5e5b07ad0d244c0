"""Reads for customers and contracts, limited to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from rmadesk.core.permissions import Actor, customer_scope
from rmadesk.customers.models import Contract, Customer


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
