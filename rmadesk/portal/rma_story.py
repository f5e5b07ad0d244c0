"""An RMA as its customer reads it: one headline with the next thing to do and its deadline,
then the RMA's dates in date order (issue 14).

Every date is one the RMA services stored from the policy core (`rma_dates`: R1's 30 days, R4's
10-day label and day-14 invoice); this module only chooses which one the customer must meet and
says so in words, in the viewer's zone. The rule each sentence applies is kept beside it for the
page's details toggle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rmadesk.billing.choices import InvoiceKind
from rmadesk.billing.models import Invoice
from rmadesk.core import clock
from rmadesk.core.wording import needs_text
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import missing_confirmations
from rmadesk.web.templatetags.rmadesk import local

WAITING_FOR_CONFIRMATIONS = (RmaStatus.ISSUED, RmaStatus.CONFIRMED)
RECEIVED_STATES = (RmaStatus.RECEIVED, RmaStatus.FLAGGED, RmaStatus.INSPECTED)


@dataclass(frozen=True)
class Headline:
    """What the customer does next (or that there is nothing to do), and by when."""

    state: str  # a CSS hook and a test handle: confirm, ship, ship_part, invoiced, wait, ...
    text: str
    deadline: dt.datetime | None = None
    rules: tuple[str, ...] = ()
    new_rma_hint: bool = False  # expired: say how to get a new one
    invoice: Invoice | None = None


@dataclass(frozen=True)
class Step:
    """One dated point of an RMA: done (in the past) or still to come."""

    title: str
    at: dt.datetime | None
    done: bool
    note: str = ""
    rules: tuple[str, ...] = ()


def _what(rma: Rma) -> str:
    """The returned thing in words: "the defective part" or "the system"."""
    if rma.kind == RmaKind.ADVANCE_EXCHANGE:
        return _("the defective part")
    return _("the system")


def unreturned_invoice(rma: Rma) -> Invoice | None:
    return Invoice.objects.filter(rma=rma, kind=InvoiceKind.UNRETURNED_PARTS).first()


def rma_headline(rma: Rma, now: dt.datetime | None = None) -> Headline:
    """The one sentence at the top of an RMA's page (R1, R3, R4, R6, R7, W2)."""
    now = now or clock.now()
    status = rma.status
    number = rma.ticket.number
    if status == RmaStatus.DENIED:
        return Headline(
            "denied",
            _(
                "Your warranty claim was denied, so no return, replacement or repair follows. "
                "For a paid repair, reply on ticket %(number)s and we will send you a quote."
            )
            % {"number": number},
            rules=("W2",),
        )
    if status == RmaStatus.EXPIRED:
        return Headline(
            "expired",
            _(
                "This RMA expired on %(date)s before the return arrived, and its number can no "
                "longer be used. To return the system now, ask for a new RMA: reply on ticket "
                "%(number)s, or open a new ticket."
            )
            % {"date": local(rma.expires_at), "number": number},
            rules=("R1",),
            new_rma_hint=True,
        )
    if status == RmaStatus.REJECTED:
        return Headline(
            "rejected",
            _(
                "We could not accept your package. Reply on ticket %(number)s and we will tell "
                "you how to go on."
            )
            % {"number": number},
            rules=("R3",),
        )
    if status == RmaStatus.CLOSED:
        if rma.decision:
            text = _("This RMA is closed: we %(decision)s and shipped it back to you.") % {
                "decision": _("repaired your system")
                if rma.decision == "repair"
                else _("replaced your system"),
            }
            return Headline("closed", text + " " + _("Nothing more to do."), rules=("R7",))
        return Headline("closed", _("This RMA is closed. Nothing more to do."))
    if rma.kind == RmaKind.ADVANCE_EXCHANGE and rma.replacement_shipped_at is not None:
        return _advance_exchange_headline(rma, now)
    if status in RECEIVED_STATES:
        if status == RmaStatus.FLAGGED:
            text = _(
                "We received your package on %(date)s and are checking it, because its RMA "
                "number had a problem. Nothing to do: we will write to you."
            )
            rules: tuple[str, ...] = ("R3",)
        elif rma.decision:
            text = _(
                "We received your return on %(date)s and decided to %(decision)s it. Nothing to "
                "do: we ship it back and tell you when."
            )
            rules = ("R7",)
        else:
            text = _(
                "We received your return on %(date)s. Nothing to do: we inspect it and tell you "
                "what we decide."
            )
            rules = ()
        decision = _("repair") if rma.decision == "repair" else _("replace")
        return Headline(
            "received",
            text % {"date": local(rma.received_at), "decision": decision},
            rules=rules,
        )
    missing = missing_confirmations(rma)
    if status in WAITING_FOR_CONFIRMATIONS and missing:
        if rma.kind == RmaKind.ADVANCE_EXCHANGE:
            then = _("then we ship your replacement with a prepaid return label.")
        else:
            then = _("then we send the return label.")
        return Headline(
            "confirm",
            _("Confirm below that %(needs)s; %(then)s")
            % {"needs": needs_text(missing), "then": then},
            rules=("R6",),
        )
    if rma.kind == RmaKind.ADVANCE_EXCHANGE:
        return Headline(
            "wait",
            _(
                "Your confirmations are complete. Nothing to do: we ship your replacement with a "
                "prepaid return label for the defective part."
            ),
            rules=("R4", "R6"),
        )
    if rma.label_issued_at is None:
        return Headline(
            "wait",
            _(
                "Your confirmations are complete. We send the return label next; the return "
                "must arrive by %(date)s."
            )
            % {"date": local(rma.expires_at)},
            deadline=rma.expires_at,
            rules=("R1", "R6"),
        )
    return Headline(
        "ship",
        _(
            "Ship %(what)s with the return label so that it arrives by %(date)s; after that the "
            "RMA number expires and the package may be refused."
        )
        % {"what": _what(rma), "date": local(rma.expires_at)},
        deadline=rma.expires_at,
        rules=("R1", "R3"),
    )


def _advance_exchange_headline(rma: Rma, now: dt.datetime) -> Headline:
    """R4: ship the part with the label within its 10 days; not arrived by day 14, invoiced."""
    if rma.received_at is not None:
        if rma.invoice_at is not None and rma.received_at > rma.invoice_at:
            text = _(
                "We received the defective part on %(date)s, after the invoice date; the "
                "invoice for it is cancelled with a credit note. Nothing more to do."
            )
        else:
            text = _(
                "We received the defective part on %(date)s, in time: nothing is invoiced. "
                "Nothing more to do."
            )
        return Headline("received", text % {"date": local(rma.received_at)}, rules=("R4",))
    invoice = unreturned_invoice(rma)
    if invoice is not None or (rma.invoice_at is not None and rma.invoice_at <= now):
        return Headline(
            "invoiced",
            _(
                "The defective part had not arrived by %(date)s, so we invoiced it%(invoice)s. "
                "If you still send it, we cancel the invoice with a credit note when it arrives."
            )
            % {
                "date": local(rma.invoice_at),
                "invoice": (_(" (invoice %(number)s)") % {"number": invoice.number})
                if invoice
                else "",
            },
            deadline=rma.invoice_at,
            rules=("R4",),
            invoice=invoice,
        )
    if rma.label_expires_at is not None and rma.label_expires_at > now:
        text = _(
            "Ship the defective part by %(label)s, while its prepaid return label is valid. If "
            "it has not arrived by %(invoice)s, it is invoiced on that day."
        )
    else:
        text = _(
            "Your prepaid return label expired on %(label)s: ship the defective part at your own "
            "cost now. If it has not arrived by %(invoice)s, it is invoiced on that day."
        )
    return Headline(
        "ship_part",
        text % {"label": local(rma.label_expires_at), "invoice": local(rma.invoice_at)},
        deadline=rma.invoice_at,
        rules=("R4",),
    )


def rma_timeline(rma: Rma, now: dt.datetime | None = None) -> list[Step]:
    """The RMA's dates, earliest first; steps without a date yet come last (R1, R4)."""
    now = now or clock.now()
    exchange = rma.kind == RmaKind.ADVANCE_EXCHANGE
    steps = [Step(_("RMA issued"), rma.issued_at, True)]
    received = rma.received_at
    if rma.label_issued_at is not None and not exchange:
        steps.append(Step(_("Return label sent"), rma.label_issued_at, True, rules=("R2",)))
    if exchange:
        if rma.replacement_shipped_at is None:
            steps.append(
                Step(
                    _("Replacement ships"),
                    None,
                    False,
                    _("with a prepaid return label, once your confirmations are complete"),
                    ("R4", "R6"),
                )
            )
        else:
            steps.append(Step(_("Replacement shipped"), rma.replacement_shipped_at, True))
            if received is None:
                steps.append(
                    Step(
                        _("Last day to ship the defective part with the prepaid label"),
                        rma.label_expires_at,
                        rma.label_expires_at is not None and rma.label_expires_at <= now,
                        _("the label is valid for a limited time after the replacement ships"),
                        ("R4",),
                    )
                )
            in_time = received is not None and rma.invoice_at is not None
            in_time = in_time and received <= rma.invoice_at  # type: ignore[operator]
            if in_time:
                note = _("no invoice: the part arrived in time")
            else:
                note = _("if the defective part has not arrived by then, it is invoiced")
            steps.append(
                Step(
                    _("Defective part must arrive (invoice date)"),
                    rma.invoice_at,
                    rma.invoice_at is not None and rma.invoice_at <= now,
                    note,
                    ("R4",),
                )
            )
    if received is not None:
        title = _("Defective part received") if exchange else _("Return received")
        steps.append(Step(title, received, True))
    elif not exchange and rma.status not in (RmaStatus.DENIED, RmaStatus.CLOSED):
        steps.append(
            Step(
                _("Return must arrive by"),
                rma.expires_at,
                rma.expires_at <= now,
                _("the RMA number expires then"),
                ("R1",),
            )
        )
    if rma.inspected_at is not None:
        steps.append(Step(_("Return inspected"), rma.inspected_at, True))
    if rma.denied_at is not None:
        steps.append(Step(_("Warranty claim denied"), rma.denied_at, True, rules=("W2",)))
    if rma.expired_at is not None:
        steps.append(Step(_("RMA expired"), rma.expired_at, True, rules=("R1",)))
    dated = sorted((s for s in steps if s.at is not None), key=lambda s: s.at)  # type: ignore[arg-type,return-value]
    return dated + [s for s in steps if s.at is None]
