"""Demo data for trying rmadesk out: `rmadesk demo` loads it into a fresh or existing database.

`load_demo_data()` is idempotent (it looks each record up before creating it), so the demo can be
run again at any time. The business records themselves are made in `rmadesk.demo.records`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from rmadesk.core.signin import AUTHENTICATOR, needs_second_factor
from rmadesk.demo.records import (
    DEMO_PASSWORD,
    demo_logins,
    demo_records_exist,
    load_demo_records,
)
from rmadesk.demo.teams import seed_demo_teams

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"  # a published demo login, never for production
# Staff sign in with a second factor (issue 13), the demo's too: every demo staff login gets an
# authenticator with this one published secret, so one entry in an authenticator app gives the
# code for all of them. Never for production (`rmadesk user add` makes a random one per user).
DEMO_TOTP_SECRET = "RMADESKDEMOSTAFFRMADESKDEMOSTAFF"
DEMO_TOTP_URI = f"otpauth://totp/rmadesk%3Ademo%20staff?secret={DEMO_TOTP_SECRET}&issuer=rmadesk"


@dataclass(frozen=True)
class DemoLogin:
    """A login to show the person running the demo; `password` None when it was changed since."""

    role: str
    username: str
    password: str | None
    is_new: bool


@dataclass
class DemoData:
    """What `load_demo_data()` did: the logins to print and what it created on this run."""

    logins: list[DemoLogin] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


def load_demo_data() -> DemoData:
    """Create the demo records that are missing; existing ones are left exactly as they are."""
    result = DemoData()
    with transaction.atomic():
        result.logins.append(_ensure_admin(result))
        exists = demo_records_exist()
        logins = demo_logins() if exists else load_demo_records()
        result.created.extend(seed_demo_teams())
    for role, email in logins:
        result.logins.append(DemoLogin(role, email, DEMO_PASSWORD, is_new=not exists))
    _enrol_demo_staff([login.username for login in result.logins])
    if not exists:
        result.created.append("customers on every plan, tickets, RMAs in every state, invoices")
    return result


def _ensure_admin(result: DemoData) -> DemoLogin:
    user_model = get_user_model()
    user = user_model.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        # create_superuser skips the password validators on purpose: "admin" is a demo login.
        user_model.objects.create_superuser(
            username=ADMIN_USERNAME, email="admin@example.com", password=ADMIN_PASSWORD
        )
        result.created.append(f"superuser {ADMIN_USERNAME!r}")
        return DemoLogin("administrator", ADMIN_USERNAME, ADMIN_PASSWORD, is_new=True)
    # Someone may have changed the demo password: do not print one that no longer works.
    password = ADMIN_PASSWORD if user.check_password(ADMIN_PASSWORD) else None
    return DemoLogin("administrator", ADMIN_USERNAME, password, is_new=False)


def _enrol_demo_staff(usernames: list[str]) -> None:
    """Give each demo staff login without an authenticator the demo's published one."""
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    for user in get_user_model().objects.filter(username__in=usernames):
        if needs_second_factor(user) and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=key, confirmed=True)
