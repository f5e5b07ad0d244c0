"""Denying an RMA's warranty claim, naming W2's cause, before or after the inspection."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rmadesk.core.errors import Conflict
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for
from rmadesk.core.validation import required_text
from rmadesk.rmas.choices import RmaStatus
from rmadesk.rmas.events import RmaDenied
from rmadesk.rmas.models import Rma
from rmadesk.rmas.permissions import require_rma_staff
from rmadesk.rmas.services.common import (
    apply_changes,
    lock_rma,
    not_before_issue,
    record,
    save_changes,
)
from rmadesk.tickets.services import denial_cause, denial_sentence

# A claim is denied while the vendor still decides it: before the return is shipped back or
# after it arrived (e.g. the inspection found negligence). Not once an advance exchange's
# replacement is out and its part not back: the part is received and inspected first, so the
# day-14 invoice (R4) still stands for a part that never comes.
DENIABLE = (
    RmaStatus.ISSUED,
    RmaStatus.CONFIRMED,
    RmaStatus.LABEL_ISSUED,
    RmaStatus.RECEIVED,
    RmaStatus.INSPECTED,
)


@transaction.atomic
def deny_rma(
    *, actor: Actor, rma: Rma, cause: str, explanation: str, at: dt.datetime | None = None
) -> Rma:
    """Deny the RMA's warranty claim naming one of W2's causes, with an explanation.

    The RMA closes as denied: no label, replacement or invoice follows it (the scans skip it),
    and the customer reads the cause in plain words.
    """
    require_rma_staff(actor, "denying a warranty claim")
    found = denial_cause(cause)
    explanation = required_text(
        explanation, "explanation", rule="W2", what="an explanation of the denial"
    )
    at = instant_for(actor, at)
    locked = lock_rma(rma)
    if locked.status == RmaStatus.REPLACEMENT_SHIPPED:
        raise Conflict(
            f"RMA {locked.number}'s replacement has shipped: receive and inspect the returned "
            f"part before denying the claim (rules W2, R4)",
            rule="W2",
        )
    if locked.status not in DENIABLE:
        raise Conflict(
            f"RMA {locked.number} is {locked.get_status_display()}: its warranty claim is no "
            f"longer open to deny (rule W2)",
            rule="W2",
        )
    not_before_issue(locked, at, "at")
    previous = locked.status
    changes = apply_changes(
        locked,
        status=RmaStatus.DENIED,
        denial_cause=found.value,
        denial_explanation=explanation,
        denied_at=at,
    )
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.denied",
        changes=changes,
        rules=("W2",),
        at=at,
        note=f"denied for {found.value} when {previous} (rule W2). {explanation}",
        event=RmaDenied.of(
            locked,
            cause=found.value,
            cause_words=denial_sentence(found),
            explanation=explanation,
        ),
    )
    return copy_back(locked, rma)
