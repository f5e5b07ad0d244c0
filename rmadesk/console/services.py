"""Writes of the console's own records: saving, renaming and deleting queue views.

Services like every app's (ARCHITECTURE rule 2): keyword-only `actor`, one transaction, who may
do it decided by `console.permissions`, the row locked for a change, and one audit event each.
A view stores the queue's canonical query string, so two views that show the same list store
the same text whatever order the user's filters came in.
"""

from __future__ import annotations

from django.db import transaction

from rmadesk.console.models import SavedView
from rmadesk.console.permissions import require_may_share, require_owner, require_staff
from rmadesk.console.queue_selectors import QueueFilters
from rmadesk.core import clock
from rmadesk.core.errors import Conflict, NotFound, PermissionDenied
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor, user_or_none
from rmadesk.core.services import record_event
from rmadesk.core.validation import required_text

NAME_LENGTH = 80


def _name(actor: Actor, name: str, *, other_than: int | None = None) -> str:
    text = required_text(name, "name", max_length=NAME_LENGTH, what="a name for the view")
    taken = SavedView.objects.filter(owner_id=getattr(actor, "pk", None), name__iexact=text)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise Conflict(f"you already have a view named {text!r}; choose another name", field="name")
    return text


@transaction.atomic
def save_view(*, actor: Actor, name: str, query: str, shared: bool = False) -> SavedView:
    """Save the queue's filters and sort under a name, for the actor (or everyone: managers)."""
    require_staff(actor, "saving a queue view")
    if shared:
        require_may_share(actor)
    owner = user_or_none(actor)
    if owner is None:
        raise PermissionDenied("saving a queue view needs a signed-in user")
    text = _name(actor, name)
    canonical = QueueFilters.from_string(query).query_string()
    view = SavedView.objects.create(
        owner=owner,
        name=text,
        query=canonical,
        is_shared=shared,
        created_at=clock.now(),
    )
    record_event(
        actor=actor,
        verb="queue_view.saved",
        subject_type="queue_view",
        subject_id=view.pk,
        changes={"name": text, "query": canonical, "shared": shared},
    )
    return view


def _locked_view(actor: Actor, view_id: int, action: str) -> SavedView:
    if not SavedView.objects.filter(pk=view_id).exists():
        raise NotFound(f"no saved view {view_id}", field="view")
    view = lock(SavedView.objects.all(), view_id)
    require_owner(actor, view, action)
    return view


@transaction.atomic
def rename_view(*, actor: Actor, view_id: int, name: str) -> SavedView:
    """A new name for one of the actor's own views."""
    require_staff(actor, "renaming a queue view")
    view = _locked_view(actor, view_id, "renaming a view")
    text = _name(actor, name, other_than=view.pk)
    before = view.name
    view.name = text
    view.save(update_fields=["name"])
    record_event(
        actor=actor,
        verb="queue_view.renamed",
        subject_type="queue_view",
        subject_id=view.pk,
        changes={"name": [before, text]},
    )
    return view


@transaction.atomic
def delete_view(*, actor: Actor, view_id: int) -> str:
    """Delete one of the actor's own views; returns its name (for the page's message)."""
    require_staff(actor, "deleting a queue view")
    view = _locked_view(actor, view_id, "deleting a view")
    name = view.name
    record_event(
        actor=actor,
        verb="queue_view.deleted",
        subject_type="queue_view",
        subject_id=view.pk,
        changes={"name": name, "query": view.query, "shared": view.is_shared},
    )
    view.delete()
    return name
