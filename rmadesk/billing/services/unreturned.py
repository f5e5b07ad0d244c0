"""The day-14 invoice of an advance exchange's unreturned parts, and its credit note (R4).

The scan `invoice_unreturned_parts` is idempotent and safe when two run at once: each claims its
rows with `select_for_update(skip_locked=True)` and the constraint
`one_automatic_invoice_per_advance_exchange` turns a lost race into "already done". When the
part arrives after all (`rmadesk.rmas.events.PartReceived`), `credit_returned_part` voids the
invoice with a credit note.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from rmadesk.billing.choices import InvoiceKind, InvoiceStatus, LineKind
from rmadesk.billing.models import CreditNote, Invoice
from rmadesk.billing.services.invoices import create_credit_note, create_invoice
from rmadesk.billing.totals import totals_of
from rmadesk.core.locking import claim, locked
from rmadesk.core.permissions import Actor
from rmadesk.core.scan_items import each_item
from rmadesk.core.validation import aware_instant
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.events import PartReceived
from rmadesk.rmas.models import Rma


def _due_for_invoice(now: dt.datetime) -> QuerySet[Rma]:
    """Advance exchanges whose part is still out on their invoice instant, not yet invoiced (R4)."""
    return Rma.objects.filter(
        kind=RmaKind.ADVANCE_EXCHANGE,
        replacement_shipped_at__isnull=False,
        received_at__isnull=True,
        invoice_at__isnull=False,
        invoice_at__lte=now,
    ).exclude(invoices__kind=InvoiceKind.UNRETURNED_PARTS)


def invoice_unreturned_parts(*, now: dt.datetime) -> int:
    """Issue the day-14 invoice of every advance exchange whose part has not come back (R4).

    Exactly one invoice per RMA, for the full cost of its items, however often and however
    concurrently this runs. Each RMA is claimed in its own short transaction, the next due one
    that no concurrent run holds (`SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1` on PostgreSQL),
    so several workers split the work instead of queueing behind each other, and a run killed
    half-way keeps every invoice it committed. Short transactions matter here: invoice numbers
    are gapless (one counter row, locked until commit), so a long transaction would make every
    other worker wait for it. The unique constraint `one_automatic_invoice_per_advance_exchange`
    makes a lost race (an RMA another run invoiced just before we locked it) a no-op. Returns
    how many invoices this run issued.
    """
    now = aware_instant(now, "now")
    issued = 0
    # RMAs this run looked at and left due (nothing priced, or a race lost): not claimed again.
    passed: list[int] = []
    while True:
        with transaction.atomic():
            rma = (
                claim(
                    _due_for_invoice(now)
                    .exclude(pk__in=passed)
                    .select_related("ticket", "ticket__customer")
                )
                .order_by("pk")
                .first()
            )
            if rma is None:
                return issued
            done = False
            with each_item("rma", rma.number):  # a bad RMA is logged and left for the next run
                done = _invoice_unreturned_part(rma, now)
            if done:
                issued += 1
            else:
                passed.append(rma.pk)


def _invoice_unreturned_part(rma: Rma, now: dt.datetime) -> bool:
    """The day-14 invoice of one claimed RMA (R4), in a savepoint; False when none was issued."""
    items = [item for item in rma.items.order_by("pk") if item.unit_price > 0]
    if not items:
        return False  # nothing priced to charge: left for a person to invoice
    lines = [
        {
            "kind": LineKind.PART,
            "description": (
                f"Unreturned {item.part}"
                + (f" (serial {item.serial})" if item.serial else "")
                + f", advance exchange RMA {rma.number} (rule R4)"
            ),
            "amount": item.unit_price,
            "currency": item.currency,
        }
        for item in items
    ]
    try:
        with transaction.atomic():
            create_invoice(
                actor=None,
                customer=rma.ticket.customer,
                kind=InvoiceKind.UNRETURNED_PARTS,
                lines=lines,
                rma=rma,
                at=now,
                currency=None,
                rules=("R4",),
            )
    except IntegrityError:
        return False  # a concurrent run issued it first: already done
    return True


def void_unreturned_parts_invoice(
    *, rma: Rma, at: dt.datetime, actor: Actor = None
) -> CreditNote | None:
    """Credit in full the open day-14 invoice of an RMA whose part has now arrived (R4).

    Returns the credit note, or None when there is no open unreturned-parts invoice (none was
    issued, or it is already credited or paid). Idempotent: a second call finds it credited.
    """
    at = aware_instant(at, "at")
    with transaction.atomic():
        invoice = (
            locked(
                Invoice.objects.select_related(
                    "customer", "rma", "rma__ticket", "rma__ticket__customer"
                )
            )
            .filter(rma=rma, kind=InvoiceKind.UNRETURNED_PARTS, status=InvoiceStatus.OPEN)
            .first()
        )
        if invoice is None:
            return None
        totals = totals_of(invoice)
        amount = totals.amount - totals.credits
        if amount <= 0:
            return None
        note = create_credit_note(
            actor=actor,
            invoice=invoice,
            amount=amount,
            reason=(
                f"the defective part of advance exchange RMA {rma.number} arrived "
                f"{at.isoformat()}: the unreturned-parts invoice is void (rule R4)"
            ),
            at=at,
            rules=("R4",),
        )
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.CREDITED)
        return note


def credit_returned_part(event: PartReceived) -> None:
    """The part of an advance exchange arrived: credit its day-14 invoice, if any (R4).

    Subscribed to `PartReceived`; the credit note is recorded as the clerk's who received it.
    """
    if event.rma.kind != RmaKind.ADVANCE_EXCHANGE:
        return
    rma = Rma.objects.filter(number=event.rma.number).first()
    if rma is None:
        return
    clerk = (
        get_user_model().objects.filter(pk=event.received_by_id).first()
        if event.received_by_id is not None
        else None
    )
    void_unreturned_parts_invoice(rma=rma, at=event.received_at, actor=clerk)
