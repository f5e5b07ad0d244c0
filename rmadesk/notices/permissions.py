"""Who may read and change notifications: staff, and each only their own."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, is_staff, user_or_none


def require_staff(actor: Actor) -> User:
    """The staff user acting; anyone else finds no such notification (404, not 403)."""
    user = user_or_none(actor)
    if user is None or not is_staff(user):
        raise NotFound(_("no such notification"))
    return user
