"""A money-back return's contents (F3): checked again by the clerk, or accepted missing by an
agent with a reason; either recomputes the refund of a return that has arrived."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core.errors import Conflict
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for
from rmadesk.core.validation import required_text, yes_or_no
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.models import Rma
from rmadesk.rmas.permissions import require_receiving, require_rma_staff
from rmadesk.rmas.selectors import CONTENT_FIELDS, returned_contents
from rmadesk.rmas.services.common import (
    apply_changes,
    lock_rma,
    record,
    refund_for,
    save_changes,
)

# A package is in the house in these states: its box can be checked again.
ARRIVED = (RmaStatus.RECEIVED, RmaStatus.FLAGGED, RmaStatus.INSPECTED)


def _money_back(rma: Rma, action: str) -> Rma:
    locked = lock_rma(rma)
    if locked.kind != RmaKind.MONEY_BACK:
        raise Conflict(
            f"RMA {locked.number} is a {locked.get_kind_display()}: only a money-back return "
            f"comes back with its manuals, media and documentation (rule F3)",
            rule="F3",
            field="kind",
        )
    if locked.status not in ARRIVED:
        raise Conflict(
            f"RMA {locked.number} is {locked.status}: {action} is for a return that has arrived "
            f"and is not closed (rule F3)",
            rule="F3",
        )
    return locked


def _refund_again(rma: Rma) -> dict[str, list[object]]:
    """Recompute a stored refund (a flagged package has none until it is accepted, R3)."""
    if rma.refund_eligible is None or rma.received_at is None:
        return {}
    return refund_for(rma, rma.received_at)


@transaction.atomic
def record_return_contents(
    *,
    actor: Actor,
    rma: Rma,
    manuals: bool,
    media: bool,
    documentation: bool,
    at: dt.datetime | None = None,
) -> Rma:
    """The clerk records (again) what came back in a money-back return's box (F3).

    For a box checked wrongly at receiving; the refund is recomputed for the same arrival.
    """
    require_receiving(actor, "checking a money-back return's contents")
    answers = {
        "manuals": yes_or_no(manuals, "manuals"),
        "media": yes_or_no(media, "media"),
        "documentation": yes_or_no(documentation, "documentation"),
    }
    at = instant_for(actor, at)
    locked = _money_back(rma, "checking its contents")
    changes = apply_changes(
        locked, **{CONTENT_FIELDS[name]: answer for name, answer in answers.items()}
    )
    if not changes:
        return copy_back(locked, rma)
    changes |= _refund_again(locked)
    save_changes(locked, changes)
    missing = [name for name, answer in answers.items() if not answer]
    record(
        locked,
        actor=actor,
        verb="rma.contents_recorded",
        changes=changes,
        rules=("F3",),
        at=at,
        note=f"missing: {', '.join(missing)}" if missing else "complete",
    )
    return copy_back(locked, rma)


@transaction.atomic
def accept_missing_contents(
    *, actor: Actor, rma: Rma, reason: str, at: dt.datetime | None = None
) -> Rma:
    """An agent refunds a money-back return that came back without all its contents (F3).

    F3 asks for the product "with its manuals, media and documentation": a missing item
    refuses the refund (our reading), unless an agent accepts it, recording why (e.g. the
    media were downloaded and never shipped). The refund is recomputed.
    """
    require_rma_staff(actor, "accepting a money-back return without all its contents")
    reason = required_text(
        reason, "reason", rule="F3", what="a reason for refunding without all the contents"
    )
    at = instant_for(actor, at)
    locked = _money_back(rma, "accepting missing contents")
    if locked.missing_contents_accepted_reason:
        raise Conflict(
            f"RMA {locked.number}'s missing contents are already accepted: "
            f"{locked.missing_contents_accepted_reason}",
            rule="F3",
        )
    contents = returned_contents(locked)
    if contents is None or all(contents.values()):
        raise Conflict(
            f"RMA {locked.number} is not missing any of its manuals, media and documentation "
            f"(rule F3)",
            rule="F3",
        )
    changes = apply_changes(locked, missing_contents_accepted_reason=reason)
    changes |= _refund_again(locked)
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.missing_contents_accepted",
        changes=changes,
        rules=("F3",),
        at=at,
        note=reason,
    )
    return copy_back(locked, rma)
