"""Choices shared across apps."""

from django.db import models


class Role(models.TextChoices):
    """Who a user is to rmadesk: one of the staff roles, or a customer's contact."""

    AGENT = "agent", "agent"
    CLERK = "clerk", "clerk (receiving)"
    FINANCE = "finance", "finance"
    MANAGER = "manager", "manager"
    ADMIN = "admin", "admin"
    CUSTOMER = "customer", "customer contact"


STAFF_ROLES = frozenset({Role.AGENT, Role.CLERK, Role.FINANCE, Role.MANAGER, Role.ADMIN})
