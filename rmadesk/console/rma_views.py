"""Agent console: RMAs, the receiving desk and advance exchanges awaiting their part (R1-R8).

Thin views over `rmadesk.rmas.services`: each action calls one service, which checks the role
(agents and managers run RMAs, clerks receive packages) and the rule; the page shows refusals
with their rule. The receiving desk flags what R3 says to flag, prominently, and lists the
flagged packages for a clerk to accept with a reason or reject.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rmadesk.console import forms
from rmadesk.console.pages import (
    REFUSALS,
    Refusal,
    act,
    paginate,
    query_without_page,
    refusal_of,
)
from rmadesk.console.selectors import (
    PAGE_SIZE,
    awaiting_return,
    days_left,
    flagged_returns,
    read_number,
    rma_list,
)
from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput
from rmadesk.core.policies import active_policy
from rmadesk.core.viewers import viewer_zone
from rmadesk.policy.addresses import return_shipping
from rmadesk.policy.money import CONTENTS
from rmadesk.rmas import services
from rmadesk.rmas.choices import Decision, ReceiptFlag, RmaKind, RmaStatus
from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import (
    NO_LIABILITY_NOTICE,
    missing_confirmations,
    required_confirmations,
    return_tracking,
    returned_contents,
    rma_explanation,
    rma_for,
    shipment_of,
    shipment_tracking,
)
from rmadesk.rmas.services.denials import DENIABLE
from rmadesk.tickets.choices import WarrantyDenialCause
from rmadesk.web.decorators import staff_page
from rmadesk.web.templatetags.rmadesk import local


def _post_only(view: Any) -> Any:
    return staff_page(require_POST(view))


# ------------------------------------------------------------------------------ RMA list


@staff_page
def rma_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "")[:200]
    missed = request.GET.get("missed") == "1"
    rmas = rma_list(request.user, status=status, kind=kind, q=q, missed=missed)
    page = paginate(request, rmas, PAGE_SIZE)
    return render(
        request,
        "console/rmas.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "q": q,
            "missed": missed,
            "statuses": RmaStatus.choices,
            "kinds": RmaKind.choices,
            "pager_query": query_without_page(request),
        },
    )


# ------------------------------------------------------------------------------ one RMA


CONFIRMATION_LABELS = {
    "data_backed_up": "the customer backed up their data",
    "removable_media_removed": "the customer removed any removable media",
    "original_packaging": "original or equivalent packaging",
    "insured": "the shipment is insured",
}


def rma_page(
    request: HttpRequest,
    number: int,
    *,
    refusal: Refusal | None = None,
    posted: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rma = rma_for(request.user, number)
    now = clock.now()
    return {
        "rma": rma,
        "items": list(rma.items.all()),
        "explain": rma_explanation(rma),
        "missing": [CONFIRMATION_LABELS[name] for name in missing_confirmations(rma)],
        "confirmations": [
            (name, CONFIRMATION_LABELS[name], getattr(rma, name))
            for name in required_confirmations(rma.kind)
        ],
        "flags": [ReceiptFlag(flag).label for flag in rma.receipt_flags],
        "is_money_back": rma.kind == RmaKind.MONEY_BACK,
        "box": returned_contents(rma),
        "box_rows": [(name, bool((returned_contents(rma) or {}).get(name))) for name in CONTENTS],
        "refund_lines": rma.refund_explanation.splitlines(),
        "has_arrived": rma.status in (RmaStatus.RECEIVED, RmaStatus.FLAGGED, RmaStatus.INSPECTED),
        "decisions": Decision.choices,
        "is_advance_exchange": rma.kind == RmaKind.ADVANCE_EXCHANGE,
        "is_decidable": rma.kind in (RmaKind.REPAIR, RmaKind.REPLACEMENT),
        "is_deniable": rma.status in DENIABLE,
        "denial_causes": WarrantyDenialCause.choices,
        "default_shipped_at": forms.picker_value(now, viewer_zone(request.user)),
        "invoice_days_left": days_left(rma.invoice_at, now),
        "shipment": shipment_of(rma),
        "can_identify": _can_identify(rma),
        "can_ship_back": rma.kind in (RmaKind.REPAIR, RmaKind.REPLACEMENT) and bool(rma.decision),
        "return_shipping": return_shipping(rma.ticket.customer.country, rma.ticket.customer.region),
        "liability_notice": NO_LIABILITY_NOTICE,
        "shipment_tracking": shipment_tracking(rma),
        "return_tracking": return_tracking(rma),
        "carriers": [
            (key, carrier.title) for key, carrier in active_policy().document.carriers.items()
        ],
        "posted": posted or {},
        "refusal": refusal,
    }


def _can_identify(rma: Rma) -> bool:
    """Whether the page offers to record the part's identification (N1-N3)."""
    shipment = shipment_of(rma)
    if shipment is not None and shipment.shipped_at is not None:
        return False
    if rma.kind == RmaKind.ADVANCE_EXCHANGE:
        return rma.status in (RmaStatus.ISSUED, RmaStatus.CONFIRMED, RmaStatus.LABEL_ISSUED)
    return rma.kind in (RmaKind.REPAIR, RmaKind.REPLACEMENT) and bool(rma.decision)


@staff_page
def rma_detail(request: HttpRequest, number: int) -> HttpResponse:
    return render(request, "console/rma.html", rma_page(request, number))


def _rma_action(
    request: HttpRequest, number: int, name: str, form: Any, perform: Any
) -> HttpResponse:
    rma = rma_for(request.user, number)
    return act(
        request,
        lambda: perform(rma, form),
        done=reverse("console:rma", args=[rma.number]),
        page=lambda refusal: rma_page(
            request, number, refusal=refusal, posted={name: form, "action": name}
        ),
        template="console/rma.html",
        name=name,
    )


@_post_only
def confirm_rma(request: HttpRequest, number: int) -> HttpResponse:
    """Staff record the customer's R6 confirmations (given by phone or email)."""

    def perform(rma: Rma, form: forms.ConfirmForm) -> str:
        answers = form.answers()
        services.confirm_rma(
            actor=request.user,
            rma=rma,
            data_backed_up=answers["data_backed_up"],
            original_packaging=answers["original_packaging"],
            insured=answers["insured"],
            removable_media_removed=answers["removable_media_removed"],
        )
        return "Confirmations recorded (rule R6)."

    return _rma_action(request, number, "confirm", forms.ConfirmForm(request.POST), perform)


@_post_only
def issue_label(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, form: Any) -> str:
        services.issue_label(actor=request.user, rma=rma)
        return "Return label issued: it carries the RMA number and its barcode (rule R2)."

    return _rma_action(request, number, "label", None, perform)


@_post_only
def ship_replacement(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, form: forms.ShipForm) -> str:
        zone = viewer_zone(request.user)
        shipped = services.ship_replacement(
            actor=request.user,
            rma=rma,
            shipped_at=form.instant(clock.now(), zone),
            part_identified_at=form.picked("part_identified_at", zone),
        )
        return (
            f"Replacement shipped with its prepaid return label, valid until "
            f"{local(shipped.label_expires_at)}; the unreturned part is invoiced "
            f"{local(shipped.invoice_at)} (rule R4)."
        )

    return _rma_action(request, number, "ship", forms.ShipForm(request.POST), perform)


@_post_only
def identify_part(request: HttpRequest, number: int) -> HttpResponse:
    """When the part to ship was identified: the N1-N3 promise follows."""

    def perform(rma: Rma, form: forms.IdentifyForm) -> str:
        services.identify_part(
            actor=request.user,
            rma=rma,
            identified_at=form.picked("identified_at", viewer_zone(request.user)),
        )
        return f"Part identified: {shipment_text(rma_for(request.user, rma.number))}"

    return _rma_action(request, number, "identify", forms.IdentifyForm(request.POST), perform)


@_post_only
def ship_back(request: HttpRequest, number: int) -> HttpResponse:
    """Ship the repaired or replacement system back (R7, R8), against its promise (N1-N3)."""

    def perform(rma: Rma, form: forms.ShipForm) -> str:
        zone = viewer_zone(request.user)
        services.ship_back(
            actor=request.user,
            rma=rma,
            shipped_at=form.instant(clock.now(), zone),
            part_identified_at=form.picked("part_identified_at", zone),
        )
        return f"Shipped back: {shipment_text(rma_for(request.user, rma.number))}"

    return _rma_action(request, number, "ship_back", forms.ShipForm(request.POST), perform)


@_post_only
def record_delivery(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, form: forms.DeliveredForm) -> str:
        services.record_delivery(
            actor=request.user,
            rma=rma,
            delivered_at=form.picked("delivered_at", viewer_zone(request.user)) or clock.now(),
        )
        return f"Delivery recorded: {shipment_text(rma_for(request.user, rma.number))}"

    return _rma_action(request, number, "delivered", forms.DeliveredForm(request.POST), perform)


def shipment_text(rma: Rma) -> str:
    """One sentence on the RMA's shipment for a message: its promise and whether it was kept."""
    shipment = shipment_of(rma)
    if shipment is None:
        return "no shipment."
    if shipment.promised_delivery_on is None:
        promise = "no next-business-day promise (N3)"
    else:
        promise = (
            f"ships {shipment.promised_ship_on:%a %d %b %Y}, delivered "
            f"{shipment.promised_delivery_on:%a %d %b %Y} ({', '.join(shipment.promise_rules)})"
        )
    missed = (
        f"; PROMISE MISSED: {'; '.join(shipment.promise_misses)}"
        if shipment.is_promise_missed
        else ""
    )
    return f"{promise}{missed}."


@_post_only
def record_tracking(request: HttpRequest, number: int) -> HttpResponse:
    """The carrier and tracking number of the shipment to the customer or of the return."""

    def perform(rma: Rma, form: forms.TrackingForm) -> str:
        services.record_tracking(
            actor=request.user,
            rma=rma,
            direction=form.text("direction"),
            carrier=form.text("carrier"),
            tracking_number=form.text("tracking_number"),
        )
        return "Carrier and tracking number recorded: the customer's RMA page links to them."

    return _rma_action(request, number, "tracking", forms.TrackingForm(request.POST), perform)


@_post_only
def inspect_return(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, form: forms.NotesForm) -> str:
        services.inspect_return(actor=request.user, rma=rma, notes=form.text("notes"))
        return "Inspection recorded."

    return _rma_action(request, number, "inspect", forms.NotesForm(request.POST), perform)


@_post_only
def decide_rma(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, form: forms.DecideForm) -> str:
        decided = services.decide_rma(
            actor=request.user,
            rma=rma,
            decision=form.text("decision"),
            refurbished=form.is_refurbished,
            freight_arrangement=form.text("freight_arrangement"),
        )
        parts = " with refurbished parts" if decided.refurbished else ""
        return f"Decided: {decided.get_decision_display()}{parts} (rule R7)."

    return _rma_action(request, number, "decide", forms.DecideForm(request.POST), perform)


@_post_only
def record_return_contents(request: HttpRequest, number: int) -> HttpResponse:
    """The clerk checks a money-back return's box again (F3)."""

    def perform(rma: Rma, form: forms.ContentsForm) -> str:
        services.record_return_contents(
            actor=request.user,
            rma=rma,
            manuals=form.answer("manuals"),
            media=form.answer("media"),
            documentation=form.answer("documentation"),
        )
        return "Contents recorded; the refund follows them (rule F3)."

    return _rma_action(request, number, "contents", forms.ContentsForm(request.POST), perform)


@_post_only
def accept_missing_contents(request: HttpRequest, number: int) -> HttpResponse:
    """An agent refunds a money-back return without all its contents, with a reason (F3)."""

    def perform(rma: Rma, form: forms.ReasonForm) -> str:
        services.accept_missing_contents(actor=request.user, rma=rma, reason=form.text("reason"))
        return "Missing contents accepted; the refund is recomputed (rule F3)."

    return _rma_action(request, number, "accept_missing", forms.ReasonForm(request.POST), perform)


@_post_only
def deny_rma(request: HttpRequest, number: int) -> HttpResponse:
    """Deny the RMA's warranty claim naming W2's cause, before or after the inspection."""

    def perform(rma: Rma, form: forms.DenyForm) -> str:
        services.deny_rma(
            actor=request.user,
            rma=rma,
            cause=form.text("cause"),
            explanation=form.text("explanation"),
        )
        cause = WarrantyDenialCause(form.text("cause")).label
        return f"Warranty claim denied: {cause} (rule W2); nothing more ships on this RMA."

    return _rma_action(request, number, "deny", forms.DenyForm(request.POST), perform)


@staff_page
def rma_label(request: HttpRequest, number: int) -> HttpResponse:
    """The return label PDF (R2), once issued."""
    rma = rma_for(request.user, number)
    if rma.label_issued_at is None:
        raise Http404("no label issued yet (rule R6)")
    response = HttpResponse(label_pdf(rma), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rma-{rma.number}-label.pdf"'
    return response


# ------------------------------------------------------------------------- receiving desk


def desk_page(
    request: HttpRequest, *, refusal: Refusal | None = None, posted: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "flagged": list(flagged_returns(request.user)),
        "rma_valid_days": active_policy().document.rma.valid_days,
        "posted": posted or {},
        "refusal": refusal,
    }


@staff_page
def receiving(request: HttpRequest) -> HttpResponse:
    """The receiving desk: scan a label (GET shows the desk; POST books the package in)."""
    if request.method != "POST":
        return render(request, "console/receiving.html", desk_page(request))
    form = forms.ScanForm(request.POST)
    box = forms.ContentsForm(request.POST)
    try:
        expected = None
        typed = form.text("expected")
        if typed:
            number = read_number(typed)
            if number is None:
                raise InvalidInput(f"{typed!r} is not an RMA number", field="expected", rule="R3")
            expected = rma_for(request.user, number)
        rma, flags = services.receive_return(
            actor=request.user,
            label_rma_number=form.text("label_rma_number"),
            received_at=clock.now(),
            expected=expected,
            manuals=box.answer("manuals"),
            media=box.answer("media"),
            documentation=box.answer("documentation"),
        )
    except REFUSALS as error:
        refusal = refusal_of(error, "scan")
        return render(
            request,
            "console/receiving.html",
            desk_page(
                request,
                refusal=refusal,
                posted={"scan": form, "scan_box": box},
            ),
            status=refusal.status,
        )
    if flags:
        why = "; ".join(ReceiptFlag(flag).label for flag in flags)
        read = form.text("label_rma_number")
        label = f" (label read “{read}”)" if read else ""
        where = (
            f"The package is booked on RMA {rma.number}: accept it with a reason or reject it "
            f"below."
            if rma is not None
            else "There is no RMA to book it against: set the package aside."
        )
        messages.warning(request, f"FLAGGED FOR REJECTION (rule R3): {why}{label}. {where}")
    elif rma is not None:
        messages.success(request, f"RMA {rma.number} received ({rma.get_kind_display()}).")
    if rma is not None and rma.kind == RmaKind.MONEY_BACK and rma.refund_eligible is False:
        messages.warning(request, f"RMA {rma.number}: no refund. {rma.refund_explanation}")
    return redirect("console:receiving")


def _desk_action(request: HttpRequest, number: int, name: str, perform: Any) -> HttpResponse:
    rma = rma_for(request.user, number)
    form = forms.ReasonForm(request.POST)
    return act(
        request,
        lambda: perform(rma, form.text("reason")),
        done=reverse("console:receiving"),
        page=lambda refusal: desk_page(
            request,
            refusal=refusal,
            posted={"reason": form, "action": name, "number": rma.number},
        ),
        template="console/receiving.html",
        name=name,
    )


@_post_only
def accept_return(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, reason: str) -> str:
        services.accept_return(actor=request.user, rma=rma, reason=reason)
        return f"RMA {rma.number}: flagged package accepted (rule R3)."

    return _desk_action(request, number, "accept", perform)


@_post_only
def reject_return(request: HttpRequest, number: int) -> HttpResponse:
    def perform(rma: Rma, reason: str) -> str:
        services.reject_return(actor=request.user, rma=rma, reason=reason)
        return f"RMA {rma.number}: package rejected (rule R3)."

    return _desk_action(request, number, "reject", perform)


# ---------------------------------------------------------------------- advance exchanges


@staff_page
def advance_exchanges(request: HttpRequest) -> HttpResponse:
    """Replacements shipped whose defective part has not come back (R4)."""
    page = paginate(request, awaiting_return(request.user), PAGE_SIZE)
    now = clock.now()
    rows = [
        {
            "rma": rma,
            "days_left": days_left(rma.invoice_at, now),
            "label_expired": rma.label_expires_at is not None and rma.label_expires_at < now,
        }
        for rma in page.object_list
    ]
    return render(
        request,
        "console/advance_exchanges.html",
        {
            "page": page,
            "rows": rows,
            "invoice_after_days": active_policy().document.rma.invoice_after_days,
            "pager_query": query_without_page(request),
        },
    )
