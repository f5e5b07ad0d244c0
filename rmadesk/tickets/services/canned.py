"""Canned replies: create, change and delete them (shared ones by managers, personal ones by
their owner: `tickets.permissions.require_canned_reply_keeper`), one audit event each."""

from __future__ import annotations

from django.db import transaction

from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor, user_or_none
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text
from rmadesk.tickets.canned import check_placeholders
from rmadesk.tickets.models import CannedReply
from rmadesk.tickets.permissions import require_canned_reply_keeper

MAX_TITLE = 100


def _checked(title: str, body: str) -> tuple[str, str]:
    title = required_text(title, "title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"a title is at most {MAX_TITLE} characters", field="title")
    body = required_text(body, "body")
    check_placeholders(body)
    return title, body


@transaction.atomic
def create_canned_reply(*, actor: Actor, title: str, body: str, shared: bool) -> CannedReply:
    """A new canned reply: shared with every agent, or the actor's own."""
    owner = None if shared else user_or_none(actor)
    require_canned_reply_keeper(
        actor,
        owner_id=None if shared else getattr(owner, "pk", None),
        action="adding a canned reply",
    )
    title, body = _checked(title, body)
    now = clock.now()
    canned = CannedReply.objects.create(
        title=title, body=body, owner=owner, created_at=now, updated_at=now
    )
    record_event(
        actor=actor,
        verb="canned_reply.added",
        subject_type="canned_reply",
        subject_id=canned.pk,
        changes={"title": title, "shared": shared},
        at=now,
    )
    return canned


@transaction.atomic
def change_canned_reply(*, actor: Actor, canned: CannedReply, title: str, body: str) -> CannedReply:
    """New title and body for a canned reply (whether it is shared does not change)."""
    require_canned_reply_keeper(actor, owner_id=canned.owner_id, action="changing a canned reply")
    title, body = _checked(title, body)
    locked = lock(CannedReply.objects.all(), canned.pk)
    before = {"title": locked.title, "body": locked.body}
    locked.title, locked.body, locked.updated_at = title, body, clock.now()
    locked.save(update_fields=["title", "body", "updated_at"])
    record_event(
        actor=actor,
        verb="canned_reply.changed",
        subject_type="canned_reply",
        subject_id=locked.pk,
        changes={
            name: [before[name], getattr(locked, name)]
            for name in ("title", "body")
            if before[name] != getattr(locked, name)
        },
        at=locked.updated_at,
    )
    canned.title, canned.body, canned.updated_at = locked.title, locked.body, locked.updated_at
    return canned


@transaction.atomic
def delete_canned_reply(*, actor: Actor, canned: CannedReply) -> None:
    require_canned_reply_keeper(actor, owner_id=canned.owner_id, action="deleting a canned reply")
    record_event(
        actor=actor,
        verb="canned_reply.deleted",
        subject_type="canned_reply",
        subject_id=canned.pk,
        changes={"title": canned.title, "shared": canned.is_shared},
    )
    CannedReply.objects.filter(pk=canned.pk).delete()
