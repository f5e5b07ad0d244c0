"""Signing in: the second factor staff give (TOTP and recovery codes), and lifting a lockout.

Staff sign in with a second factor: a TOTP authenticator and single-use recovery codes.

Every staff user (an rmadesk staff role, or a Django `is_staff`/superuser flag, who may open the
admin) needs one. The secret lives in django-otp's `TOTPDevice`; recovery codes are the tokens of
a `StaticDevice`, each deleted when used. Enrolling replaces the user's authenticator and
recovery codes at once, so a lost phone is dealt with by enrolling again (`rmadesk user enroll
EMAIL`, or the console's "Sign-in security" page with the password and a current code).

A code is checked with django-otp's throttling (each failure doubles the wait before the next
try) and replay guard (a TOTP code is accepted once); the web adapter also counts a wrong code
as a failed sign-in for the account lockout (django-axes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rmadesk.core.errors import Conflict, NotFound
from rmadesk.core.permissions import Actor, is_staff
from rmadesk.core.services import record_event

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


@dataclass(frozen=True)
class Enrollment:
    """A new authenticator: its otpauth:// URI (text or QR code) and the recovery codes.

    Shown once, to the person enrolling; neither is ever shown again.
    """

    uri: str
    secret: str  # base32, for typing into an app by hand
    recovery_codes: tuple[str, ...]


def needs_second_factor(user: Any) -> bool:
    """Whether signing in takes a second factor: staff, and anyone who may open the admin."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or is_staff(user))


def has_authenticator(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def secret_of(device: TOTPDevice) -> str:
    """The device's secret in base32, as authenticator apps take it."""
    uri: str = device.config_url
    return uri.split("secret=", 1)[1].split("&", 1)[0]


def _new_recovery_codes(user: Any) -> tuple[str, ...]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = tuple(StaticToken.random_token() for _ in range(RECOVERY_CODES))
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _record(actor: Actor, user: Any, verb: str, note: str = "") -> None:
    record_event(actor=actor, verb=verb, subject_type="user", subject_id=user.pk, note=note)


@transaction.atomic
def enroll_authenticator(*, user: Any, actor: Actor = None) -> Enrollment:
    """Give `user` a new authenticator and new recovery codes, replacing any they had."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
    codes = _new_recovery_codes(user)
    _record(actor, user, "user.second_factor_enrolled", "authenticator and recovery codes")
    return Enrollment(uri=device.config_url, secret=secret_of(device), recovery_codes=codes)


@transaction.atomic
def start_reenrollment(*, user: Any) -> TOTPDevice:
    """A new, unconfirmed authenticator: it replaces the old one once a code from it is given."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@transaction.atomic
def confirm_reenrollment(*, user: Any, device_id: int, code: str, actor: Actor) -> Enrollment:
    """Swap in the new authenticator once it gave a right `code`; new recovery codes too."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None:
        raise NotFound("no new authenticator is waiting: start again", field="code")
    if not device.verify_token(code.strip()):
        raise Conflict("that code is not the new authenticator's current code", field="code")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _record(actor, user, "user.second_factor_enrolled", "re-enrolled from the console")
    return Enrollment(uri=device.config_url, secret=secret_of(device), recovery_codes=codes)


def verify_code(user: Any, code: str) -> Device | None:
    """The device that accepts `code` (a current TOTP code or an unused recovery code), or None.

    A recovery code is used up; a TOTP code cannot be used twice. Each device throttles its
    own failures (django-otp: the wait before the next try doubles).
    """
    code = "".join(code.split()).lower()
    if not code:
        return None
    with transaction.atomic():
        devices: list[Device] = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        )
        devices += list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            if device.verify_token(code):
                return device
    return None


def recovery_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def unlock(*, email: str, actor: Actor = None) -> int:
    """Lift the sign-in lockout of `email` at every address; returns the records removed."""
    user = get_user_model().objects.filter(username=email).first()
    if user is None:
        raise NotFound(f"no user {email}", field="email")
    removed = int(reset_lockout(username=email.strip().lower()) or 0)
    _record(actor, user, "user.unlocked", f"{removed} failed sign-in record(s) removed")
    return removed
