"""An RMA on its way back: R6 confirmations, the label (R2), the advance-exchange replacement
(R4) and receiving the package (R3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import copy_back
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.core.validation import aware_instant, required_text, yes_or_no
from rmadesk.policy.rma import is_rma_expired, rma_dates
from rmadesk.rmas.choices import ReceiptFlag, RmaKind, RmaStatus, ShipmentKind
from rmadesk.rmas.events import (
    ConfirmationsRecorded,
    LabelIssued,
    PartReceived,
    ReplacementShipped,
    ReturnFlagged,
    ReturnRejected,
)
from rmadesk.rmas.models import Rma
from rmadesk.rmas.permissions import (
    require_receiving,
    require_rma_staff,
    require_staff_or_own_customer,
)
from rmadesk.rmas.selectors import CONTENT_FIELDS, missing_confirmations
from rmadesk.rmas.services.common import (
    LABEL_NUMBER,
    RECEIVABLE,
    apply_changes,
    lock_rma,
    not_before_issue,
    record,
    refund_for,
    save_changes,
    still_valid,
)
from rmadesk.rmas.services.shipments import ship_with_promise
from rmadesk.rmas.services.tracking import optional_tracking


@transaction.atomic
def confirm_rma(
    *,
    actor: Actor,
    rma: Rma,
    data_backed_up: bool,
    original_packaging: bool,
    insured: bool,
    removable_media_removed: bool | None = None,
    at: dt.datetime | None = None,
) -> Rma:
    """Record the customer's R6 confirmations (the customer's own contact, or staff for them).

    Every return needs the data backup and the removable media removed before its label; a
    whole-system return (repair, replacement, money-back) also packaging and insurance. Answers
    can change until the label is issued; the RMA is `confirmed` exactly while the required
    ones are all true. `removable_media_removed` None leaves that answer as it was (a client
    that predates the question).
    """
    require_staff_or_own_customer(actor, rma, "confirming an RMA")
    answers = {
        "data_backed_up": yes_or_no(data_backed_up, "data_backed_up"),
        "original_packaging": yes_or_no(original_packaging, "original_packaging"),
        "insured": yes_or_no(insured, "insured"),
    }
    if removable_media_removed is not None:
        answers["removable_media_removed"] = yes_or_no(
            removable_media_removed, "removable_media_removed"
        )
    at = instant_for(actor, at)
    locked = lock_rma(rma)
    if locked.status not in (RmaStatus.ISSUED, RmaStatus.CONFIRMED, RmaStatus.EXPIRED):
        raise Conflict(
            _(
                "RMA %(number)s is %(status)s: the confirmations are recorded before "
                "its label is issued, and fixed after (rule R6)"
            )
            % {"number": locked.number, "status": locked.status},
            rule="R6",
        )
    not_before_issue(locked, at, "at")
    still_valid(locked, at, "confirming")
    changes = apply_changes(locked, **answers)
    complete = not missing_confirmations(locked)
    changes |= apply_changes(
        locked,
        status=RmaStatus.CONFIRMED if complete else RmaStatus.ISSUED,
        confirmed_at=(locked.confirmed_at or at) if complete else None,
    )
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.confirmed" if complete else "rma.confirmations_recorded",
        changes=changes,
        rules=("R6",),
        at=at,
        note="" if complete else f"still missing: {', '.join(missing_confirmations(locked))}",
        event=ConfirmationsRecorded.of(locked, is_complete=complete),
    )
    return copy_back(locked, rma)


@transaction.atomic
def issue_label(
    *,
    actor: Actor,
    rma: Rma,
    at: dt.datetime | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Rma:
    """Issue the return label, printed with the RMA number and its barcode (R2).

    Only after the customer's R6 confirmations; never for an expired RMA (R1). The label's
    carrier and tracking number go together, or neither (`record_tracking` adds them later).
    """
    require_rma_staff(actor, "issuing a return label")
    at = instant_for(actor, at)
    tracking = optional_tracking(carrier, tracking_number)
    locked = lock_rma(rma)
    if locked.label_issued_at is not None:
        raise Conflict(
            f"RMA {locked.number}'s label was issued {locked.label_issued_at.isoformat()}",
            rule="R2",
        )
    not_before_issue(locked, at, "at")
    still_valid(locked, at, "issuing a label")
    missing = missing_confirmations(locked)
    if missing:
        raise Conflict(
            f"the label is issued only after the customer confirms {', '.join(missing)} (rule R6)",
            rule="R6",
            field=missing[0],
        )
    if locked.status != RmaStatus.CONFIRMED:
        raise Conflict(f"RMA {locked.number} is {locked.status}: no label now", rule="R2")
    changes = apply_changes(locked, label_issued_at=at, status=RmaStatus.LABEL_ISSUED)
    if tracking is not None:
        changes |= apply_changes(
            locked, return_carrier=tracking[0], return_tracking_number=tracking[1]
        )
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.label_issued",
        changes=changes,
        rules=("R2", "R6"),
        at=at,
        event=LabelIssued.of(locked),
    )
    return copy_back(locked, rma)


@transaction.atomic
def ship_replacement(
    *,
    actor: Actor,
    rma: Rma,
    shipped_at: dt.datetime,
    part_identified_at: dt.datetime | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Rma:
    """Ship an advance exchange's replacement with its prepaid return label (R4).

    The label is valid 10 days and the unreturned-parts invoice falls due 14 days after the
    shipment (both from `rma_dates`). The label ships in the box, so one is issued now if it
    was not already; the R6 confirmations (data backed up, removable media removed) must be on
    record either way. The shipment keeps the N1-N3 promise of its part's identification
    (`part_identified_at`, or the one recorded by `identify_part`, or else the RMA's issue),
    and the replacement's carrier and tracking number if given (both, or neither).
    """
    require_rma_staff(actor, "shipping a replacement")
    shipped = aware_instant(shipped_at, "shipped_at")
    tracking = optional_tracking(carrier, tracking_number)
    locked = lock_rma(rma)
    if locked.kind != RmaKind.ADVANCE_EXCHANGE:
        raise Conflict(
            f"RMA {locked.number} is a {locked.get_kind_display()}: only an advance exchange "
            f"ships its replacement before the return (rule R4)",
            rule="R4",
            field="kind",
        )
    if locked.replacement_shipped_at is not None:
        raise Conflict(
            f"RMA {locked.number}'s replacement shipped "
            f"{locked.replacement_shipped_at.isoformat()}",
            rule="R4",
        )
    still_valid(locked, shipped, "shipping the replacement")
    missing = missing_confirmations(locked)
    if missing:
        raise Conflict(
            f"the replacement ships with the return label, issued only after the customer "
            f"confirms {', '.join(missing)} (rule R6)",
            rule="R6",
            field=missing[0],
        )
    if locked.status not in (RmaStatus.CONFIRMED, RmaStatus.LABEL_ISSUED):
        raise Conflict(
            f"RMA {locked.number} is {locked.status}: too late to ship a replacement", rule="R4"
        )
    dates = rma_dates(active_policy(), issued=locked.issued_at, replacement_shipped=shipped)
    shipment, shipment_changes = ship_with_promise(
        locked,
        kind=ShipmentKind.ADVANCE_REPLACEMENT,
        shipped=shipped,
        identified=part_identified_at,
        tracking=tracking,
    )
    changes = apply_changes(
        locked,
        replacement_shipped_at=shipped,
        label_issued_at=locked.label_issued_at or shipped,
        label_expires_at=dates.label_expires_at,
        invoice_at=dates.invoice_at,
        status=RmaStatus.REPLACEMENT_SHIPPED,
    )
    save_changes(locked, changes)
    changes |= shipment_changes
    record(
        locked,
        actor=actor,
        verb="rma.replacement_shipped",
        changes=changes,
        rules=("R4", *shipment.promise_rules),
        at=shipped,
        note=" ".join(dates.explain[1:]),
        event=ReplacementShipped.of(locked),
    )
    return copy_back(locked, rma)


def read_label_number(label: Any) -> int | None:
    """The RMA number read off a label, or None when there is none readable (R3)."""
    if isinstance(label, bool) or label is None:
        return None
    if isinstance(label, int):
        return label if label > 0 else None
    match = LABEL_NUMBER.match(str(label))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


@transaction.atomic
def receive_return(
    *,
    actor: Actor,
    label_rma_number: Any,
    received_at: dt.datetime,
    expected: Rma | None = None,
    manuals: bool | None = None,
    media: bool | None = None,
    documentation: bool | None = None,
) -> tuple[Rma | None, list[str]]:
    """Book a package in at receiving and flag it for rejection where R3 says so.

    The flags come from the label: `unreadable` (no readable RMA number), `unknown` (no such
    RMA), `expired` (the named RMA's number expired before `received_at`). A package is booked
    against the RMA its label names; when the label names none, against `expected` (the RMA the
    desk is receiving for), if given, so a clerk can still accept it with a reason. A label that
    names a different RMA than `expected` is refused, changing nothing: the scan wins, and the
    clerk receives it on that RMA. Unflagged: `received` (a money-back refund is computed, F3;
    an advance exchange's day-14 invoice is voided, R4). Flagged: `flagged`, waiting for
    accept_return or reject_return. A flagged package with no RMA is only recorded.

    A money-back return's box is checked here (F3): `manuals`, `media` and `documentation` say
    whether each came back, and are required for one (True or False; a missing one refuses the
    refund unless an agent accepts it with a reason). For other RMAs they are not recorded.
    """
    require_receiving(actor, "receiving a return")
    received = aware_instant(received_at, "received_at")
    label_text = "" if label_rma_number is None else str(label_rma_number).strip()
    number = read_label_number(label_rma_number)
    flags: list[str] = []
    named = None
    if number is None:
        flags.append(ReceiptFlag.UNREADABLE)
    else:
        named = Rma.objects.filter(number=number).first()
        if named is None:
            flags.append(ReceiptFlag.UNKNOWN)
    if named is not None and expected is not None and named.pk != expected.pk:
        raise Conflict(
            f"the label reads RMA {named.number}, not {expected.number}: receive this package "
            f"on RMA {named.number} (rule R3)",
            rule="R3",
            field="label_rma_number",
        )
    target = named or expected
    if target is None:
        record_event(
            actor=actor,
            verb="rma.package_unmatched",
            subject_type="package",
            subject_id=label_text[:40] or "(no label)",
            changes={"label_rma_number": label_text, "received_at": received, "flags": flags},
            rules=("R3",),
            at=received,
            note="flagged for rejection: no RMA to book it against",
        )
        return None, flags
    locked = lock_rma(target)
    if locked.status not in RECEIVABLE:
        raise Conflict(
            f"RMA {locked.number} is {locked.status}: a package was already booked against it "
            f"(rule R3)",
            rule="R3",
        )
    not_before_issue(locked, received, "received_at")
    contents = _checked_contents(
        locked, {"manuals": manuals, "media": media, "documentation": documentation}
    )
    if named is not None and is_rma_expired(locked.expires_at, received):
        flags.append(ReceiptFlag.EXPIRED)
    changes = apply_changes(
        locked,
        received_at=received,
        received_label_number=label_text[:40],
        receipt_flags=[str(flag) for flag in flags],
        status=RmaStatus.FLAGGED if flags else RmaStatus.RECEIVED,
        **contents,
    )
    rules = ["R3"]
    if not flags:
        changes |= _on_received(locked, at=received, rules=rules)
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.flagged" if flags else "rma.received",
        changes=changes,
        rules=rules,
        at=received,
        note=f"flagged for rejection: {', '.join(flags)}" if flags else "",
        event=(
            ReturnFlagged.of(locked, flags=tuple(str(flag) for flag in flags))
            if flags
            else PartReceived.of(locked, received_at=received, received_by_id=_user_id(actor))
        ),
    )
    booked = expected if expected is not None and expected.pk == locked.pk else locked
    return copy_back(locked, booked), [str(flag) for flag in flags]


def _flagged(rma: Rma, action: str) -> Rma:
    locked = lock_rma(rma)
    if locked.status != RmaStatus.FLAGGED:
        raise Conflict(
            f"RMA {locked.number} is {locked.status}: only a package flagged at receiving is "
            f"{action} (rule R3)",
            rule="R3",
        )
    return locked


@transaction.atomic
def accept_return(*, actor: Actor, rma: Rma, reason: str) -> Rma:
    """A clerk accepts a flagged package with a recorded reason (R3); it counts as received."""
    require_receiving(actor, "accepting a flagged return")
    reason = required_text(
        reason, "reason", rule="R3", what="a reason for accepting a flagged package"
    )
    locked = _flagged(rma, "accepted")
    arrived = locked.received_at or clock.now()
    at = max(clock.now(), arrived)  # a decision on a package never precedes its arrival
    rules = ["R3"]
    changes = apply_changes(locked, status=RmaStatus.RECEIVED, receipt_decision_reason=reason)
    changes |= _on_received(locked, at=arrived, rules=rules)
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.return_accepted",
        changes=changes,
        rules=rules,
        at=at,
        note=reason,
        event=PartReceived.of(locked, received_at=arrived, received_by_id=_user_id(actor)),
    )
    return copy_back(locked, rma)


@transaction.atomic
def reject_return(*, actor: Actor, rma: Rma, reason: str) -> Rma:
    """A clerk rejects a flagged package, recording why (R3)."""
    require_receiving(actor, "rejecting a flagged return")
    reason = required_text(reason, "reason", rule="R3", what="a reason for rejecting a package")
    locked = _flagged(rma, "rejected")
    at = max(clock.now(), locked.received_at or clock.now())
    changes = apply_changes(locked, status=RmaStatus.REJECTED, receipt_decision_reason=reason)
    save_changes(locked, changes)
    record(
        locked,
        actor=actor,
        verb="rma.return_rejected",
        changes=changes,
        rules=("R3",),
        at=at,
        note=reason,
        event=ReturnRejected.of(locked, reason=reason),
    )
    return copy_back(locked, rma)


def _on_received(rma: Rma, *, at: dt.datetime, rules: list[str]) -> dict[str, Any]:
    """What receiving a return changes on the RMA itself: a money-back refund (F3).

    An advance exchange's day-14 invoice is billing's: it credits it when it hears of the
    arrival (`PartReceived`, R4).
    """
    if rma.kind != RmaKind.MONEY_BACK:
        return {}
    rules.append("F3")
    return refund_for(rma, at)


def _checked_contents(rma: Rma, answers: dict[str, bool | None]) -> dict[str, bool]:
    """The fields of a money-back return's checked contents (F3); nothing for other RMAs."""
    if rma.kind != RmaKind.MONEY_BACK:
        return {}
    for name, answer in answers.items():
        if answer is None:
            raise InvalidInput(
                f"a money-back return is checked at receiving: say whether its {name} came back "
                f"(true or false)",
                rule="F3",
                field=name,
            )
    return {CONTENT_FIELDS[name]: yes_or_no(answer, name) for name, answer in answers.items()}


def _user_id(actor: Actor) -> int | None:
    user = user_or_none(actor)
    return None if user is None else int(user.pk)
