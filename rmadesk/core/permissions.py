"""Who may do what: the base every app's `permissions.py` builds on (ARCHITECTURE rule 4).

The one place that reads a user's role. Selectors (`visible_*`) use `customer_scope` to limit
what a customer's contact sees; each app's `permissions.py` decides its writes with
`require_role` and `instant_for`, and its services call it. The API, the console and the portal
never decide these themselves: they call a service and map its refusal.

Two decisions every app shares are made here, once:

- *who is staff*: `is_staff`, `require_role`, `customer_scope` (a customer's contact is limited
  to their own customer; a user with no role may do nothing);
- *who may say when*: `instant_for`. A write happens now; only the vendor's staff (and the
  system's own scans) may record it at another instant — a phone call logged after it ended,
  an RMA issued by phone yesterday. A customer's contact who sends an instant is refused, naming
  the field, through every door (API, portal, mail), so nothing a customer does is back-dated.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

from rmadesk.core import clock
from rmadesk.core.choices import Role
from rmadesk.core.errors import PermissionDenied
from rmadesk.core.models import Account
from rmadesk.core.validation import aware_instant

# Who performs a change: a signed-in user, an anonymous visitor (refused by every write), or
# None for the system itself (the periodic scans, the worker).
Actor: TypeAlias = User | AnonymousUser | None

ANY_STAFF = frozenset({Role.AGENT, Role.CLERK, Role.FINANCE, Role.MANAGER, Role.ADMIN})
# The rule a refused instant names: instants are accepted from users on T1's terms, and the
# vendor's staff are the only users whose instants are not "now".
INSTANT_RULE = "T1"

__all__ = [
    "ANY_STAFF",
    "Actor",
    "PermissionDenied",
    "account_of",
    "customer_scope",
    "instant_for",
    "is_staff",
    "is_system",
    "require_role",
    "role_of",
    "user_or_none",
]


def account_of(user: Actor) -> Account | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        account: Account = user.account  # type: ignore[union-attr]  # the reverse one-to-one
    except Account.DoesNotExist:
        return None
    return account


def role_of(user: Actor) -> str | None:
    if user is not None and getattr(user, "is_superuser", False):
        return Role.ADMIN
    account = account_of(user)
    return None if account is None else account.role


def is_staff(user: Actor) -> bool:
    return role_of(user) in ANY_STAFF


def is_system(actor: Actor) -> bool:
    """The system itself acts (a scan, the worker): `actor=None`, never an anonymous visitor."""
    return actor is None


def user_or_none(actor: Actor) -> User | None:
    """The signed-in user behind an actor, for `opened_by`-style fields (None for the system)."""
    if isinstance(actor, User) and actor.is_authenticated:
        return actor
    return None


def customer_scope(user: Actor) -> int | None:
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


def require_role(user: Actor, roles: frozenset[str] | set[str], action: str) -> None:
    """Refuse unless the user has one of `roles` (admins may do everything)."""
    role = role_of(user)
    if role == Role.ADMIN or role in roles:
        return
    raise PermissionDenied(f"{action} needs the role {' or '.join(sorted(roles))}")


def instant_for(actor: Actor, at: object, *, field: str = "at") -> dt.datetime:
    """The instant a write is recorded at: now, or the instant given by staff or the system.

    `at` None means now (the one clock). Any other value is refused for a customer's contact or
    an anonymous user (PermissionDenied naming `field` and rule T1); from staff it must be an
    aware datetime (T1: a naive one is refused, never guessed), returned in UTC.
    """
    if at is None:
        return clock.now()
    if not (is_system(actor) or is_staff(actor)):
        raise PermissionDenied(
            f"{field} can only be given by the vendor's staff: a customer's change is recorded "
            f"when it is made; leave {field} out",
            rule=INSTANT_RULE,
            field=field,
        )
    return aware_instant(at, field)
