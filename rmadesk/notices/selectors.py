"""Reads of staff notifications: a user's own, newest first; the unread count; the choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor
from rmadesk.notices.choices import Delivery, NoticeKind
from rmadesk.notices.models import Notice, NoticePreference
from rmadesk.notices.permissions import require_staff


def visible_notices(user: Actor) -> QuerySet[Notice]:
    """The user's own notifications, newest first; nobody else's, ever (404 for the rest)."""
    return Notice.objects.filter(recipient=require_staff(user)).order_by("-created_at", "-id")


def notice_for(user: Actor, notice_id: int) -> Notice:
    """One of the user's own notifications; another's answers like a missing one."""
    found = visible_notices(user).filter(pk=notice_id).first()
    if found is None:
        raise NotFound(_("no such notification"), field="notice")
    return found


def unread_count(user: Actor) -> int:
    """How many of the user's notifications are unread (the bell): one COUNT on an index."""
    return visible_notices(user).filter(read_at__isnull=True).count()


def preferences_of(user: Any) -> dict[NoticeKind, Delivery]:
    """How the user hears of each kind, every kind listed (both, unless chosen otherwise)."""
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: Delivery(chosen.get(kind, Delivery.BOTH)) for kind in NoticeKind}


def deliveries_for(user_ids: Iterable[int], kind: str) -> dict[int, Delivery]:
    """How each of these users hears of `kind`; users who never chose are left out (both)."""
    rows = NoticePreference.objects.filter(user_id__in=list(user_ids), kind=kind)
    return {
        user_id: Delivery(delivery) for user_id, delivery in rows.values_list("user_id", "delivery")
    }
