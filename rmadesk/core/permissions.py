"""Who may do what: the one place that reads a user's role (ARCHITECTURE rule 4).

Selectors (`visible_*`) use `customer_scope` to limit what a customer's contact sees; services
call `require_role` before a staff-only change. A forbidden record answers like a missing one.
"""

from __future__ import annotations

from typing import Any

from rmadesk.core.choices import Role
from rmadesk.core.models import Account

ANY_STAFF = frozenset({Role.AGENT, Role.CLERK, Role.FINANCE, Role.MANAGER, Role.ADMIN})


class PermissionDenied(Exception):
    """The user's role may not do this (answers 403 where the record is visible to them)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def account_of(user: Any) -> Account | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.account  # type: ignore[no-any-return]
    except Account.DoesNotExist:
        return None


def role_of(user: Any) -> str | None:
    if user is not None and getattr(user, "is_superuser", False):
        return Role.ADMIN
    account = account_of(user)
    return None if account is None else account.role


def is_staff(user: Any) -> bool:
    return role_of(user) in ANY_STAFF


def customer_scope(user: Any) -> int | None:
    """The customer id a user is limited to, or None for staff (who see every customer).

    Raises PermissionDenied for a user with no role at all.
    """
    role = role_of(user)
    if role in ANY_STAFF:
        return None
    account = account_of(user)
    if account is None or account.customer_id is None:
        raise PermissionDenied("this user has no rmadesk role")
    return account.customer_id


def require_role(user: Any, roles: frozenset[str] | set[str], action: str) -> None:
    role = role_of(user)
    if role == Role.ADMIN or role in roles:
        return
    raise PermissionDenied(f"{action} needs the role {' or '.join(sorted(roles))}")
