"""Customer portal pages: thin views over the same services and selectors as the API.

Each view finds records through the authorization selectors (another customer's record answers
404, like a missing one), calls one service for a change, and renders. A refusal shows the
service's message with its rule on the page, with status 400; a change that succeeds redirects
(POST-redirect-GET) with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rmadesk.billing.paying import payment_instructions
from rmadesk.billing.pdfs import (
    credit_note_filename,
    credit_note_pdf,
    invoice_filename,
    invoice_pdf,
)
from rmadesk.billing.selectors import credit_note_for, invoice_for, vendor_today
from rmadesk.billing.services import accept_repair_quote
from rmadesk.core import clock, wording
from rmadesk.core.errors import DomainError, NotFound
from rmadesk.core.permissions import role_of
from rmadesk.core.policies import active_policy
from rmadesk.core.wording import needs_text
from rmadesk.customers.services import set_my_language
from rmadesk.onsite.selectors import visible_appointments
from rmadesk.onsite.services import book_appointment
from rmadesk.policy.errors import PolicyError
from rmadesk.portal import selectors
from rmadesk.portal.forms import (
    AppointmentForm,
    ConfirmForm,
    MoneyBackForm,
    RatingForm,
    ReplyForm,
    TicketForm,
    files_of,
    severity_definitions,
)
from rmadesk.portal.rma_story import rma_headline, rma_timeline
from rmadesk.portal.services import open_ticket_with_files, reply_with_files, request_money_back
from rmadesk.portal.terms import holiday_countries, phone_line_words, policy_terms
from rmadesk.rmas.choices import RmaStatus
from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import (
    NO_LIABILITY_NOTICE,
    missing_confirmations,
    required_confirmations,
    return_tracking,
    rma_explanation,
    rma_for,
    shipment_of,
    shipment_tracking,
)
from rmadesk.rmas.services import confirm_rma, decline_repair_quote
from rmadesk.rmas.warranty import quote_for, ticket_quotes
from rmadesk.satisfaction.models import MAX_RATING
from rmadesk.satisfaction.selectors import survey_of
from rmadesk.satisfaction.services import rate_from_portal
from rmadesk.tickets.attachments import (
    attachment_for,
    attachments_by_message,
    open_attachment,
    ticket_attachments,
)
from rmadesk.tickets.choices import CLOSED_STATUSES, ClockKind
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.selectors import clocks_of, reopen_until, ticket_for, ticket_messages
from rmadesk.tickets.services import mark_solved, reopen_ticket
from rmadesk.web import limits
from rmadesk.web.decorators import customer_page
from rmadesk.web.downloads import download_response
from rmadesk.web.errors import REFUSALS, refusal_of
from rmadesk.web.instants import posted_instant
from rmadesk.web.templatetags.rmadesk import local

TOO_MANY_TICKETS = gettext_lazy(
    "You opened many tickets in the last hour. "
    "Please wait before opening another, or add to an open one."
)

Refusal = PolicyError | DomainError
PER_PAGE = 25
SYSTEMS_PER_PAGE = 20


def _page(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> Page[Any]:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _refused(error: Refusal) -> dict[str, Any]:
    """The refusal in plain words; its rule goes to the page's details toggle (issue 14)."""
    refusal = refusal_of(error)
    rule = refusal.rule or ", ".join(wording.rules_in(refusal.message)) or None
    return {
        "refusal": wording.full_stop(wording.plain(refusal.message)),
        "refusal_rule": rule,
        "refusal_status": refusal.status,
    }


# ------------------------------------------------------------------------------ systems


@customer_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My systems: each serial with plan, warranty, on-site, advance exchange, money back (W6)."""
    page = _page(request, selectors.my_assets(request.user), SYSTEMS_PER_PAGE)
    systems = [selectors.system_view(request.user, asset) for asset in page]
    return render(request, "portal/home.html", {"page": page, "systems": systems})


# ------------------------------------------------------------------------------ tickets


@customer_page
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.my_tickets(request.user))
    return render(request, "portal/tickets.html", {"page": page})


def _promise_for(request: HttpRequest, serial: str, severity: str) -> dict[str, Any]:
    """The context of the promise partial for a serial and a severity (either may be blank)."""
    if not serial or not severity:
        return {"promise": None, "promise_hint": True}
    try:
        promise = selectors.ticket_promise(request.user, serial, severity)
    except NotFound:
        return {"promise": None, "promise_unknown_serial": serial}
    return {"promise": promise}


@customer_page
@require_http_methods(["GET", "POST"])
def ticket_promise(request: HttpRequest) -> HttpResponse:
    """The first-response promise for the chosen system and severity (an HTMX partial)."""
    data = request.POST if request.method == "POST" else request.GET
    serial = (data.get("serial_typed") or "").strip() or (data.get("serial") or "").strip()
    severity = (data.get("severity") or "").strip()
    return render(request, "portal/_promise.html", _promise_for(request, serial, severity))


@customer_page
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = 200
    context: dict[str, Any] = {
        "severities": severity_definitions(),
        "warranty_line": phone_line_words(
            active_policy(), now=clock.now(), zone=timezone.get_current_timezone()
        ),
    }
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:  # issue 13: the same limit as the API's, per user
                limits.check(limits.ticket_create_limit(), f"user:{user.pk}", str(TOO_MANY_TICKETS))
            except limits.TooManyRequests as refused:
                return limits.too_many_page(request, refused)
            try:
                ticket = open_ticket_with_files(
                    actor=user,
                    serial=data["serial"],
                    severity=data["severity"],
                    subject=data["subject"],
                    body=data["body"],
                    files=files_of(form),
                    opened_at=posted_instant(request, "opened_at"),
                    about_jails_or_plugins=data["about_jails_or_plugins"],
                )
            except REFUSALS as error:
                context |= _refused(error)
            else:
                first = clocks_of(ticket).get(ClockKind.FIRST_RESPONSE)
                due = first.due_at if first is not None else None
                if due:
                    text = _("Ticket %(number)s opened. First response by %(due)s.") % {
                        "number": ticket.number,
                        "due": local(due),
                    }
                else:
                    text = _("Ticket %(number)s opened.") % {"number": ticket.number}
                messages.success(request, text)
                return redirect("portal:ticket", number=ticket.number)
        status = 400
        serial = form.cleaned_data.get("serial") or request.POST.get("serial", "")
        severity = request.POST.get("severity", "")
    else:
        serial = request.GET.get("serial", "").strip()
        severity = request.GET.get("severity", "").strip()
        form = TicketForm(initial={"serial": serial, "severity": severity}, user=user)
    context |= {"form": form} | _promise_for(request, str(serial), severity)
    status = context.get("refusal_status", status)
    return render(request, "portal/ticket_new.html", context, status=status)


def _ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    user = request.user
    thread = ticket_messages(ticket, user)  # public messages only for a customer
    by_message = attachments_by_message(ticket_attachments(user, ticket))
    clocks = clocks_of(ticket)
    ordered = [clocks[k] for k in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE) if k in clocks]
    return {
        "ticket": ticket,
        "thread": [(message, by_message.get(message.pk, [])) for message in thread],
        "loose_attachments": by_message.get(None, []),
        "clocks": ordered,
        "rma": selectors.rma_of_ticket(user, ticket),
        "appointments": list(visible_appointments(user).filter(ticket=ticket)),
        "is_closed": ticket.status in CLOSED_STATUSES,
        "quotes": list(ticket_quotes(user, ticket)),
        "survey": survey_of(ticket),
        "rating_form": RatingForm(),
    } | _reopen_context(ticket)


def _reopen_context(ticket: Ticket) -> dict[str, Any]:
    """Whether the customer may still reopen the ticket they marked solved (L5 reading)."""
    until = reopen_until(ticket)
    return {"reopen_until": until, "can_reopen": until is not None and clock.now() <= until}


@customer_page
@require_GET
def ticket(request: HttpRequest, number: int) -> HttpResponse:
    found = ticket_for(request.user, selectors.checked_number(number))
    context = _ticket_context(request, found) | {"form": ReplyForm()}
    return render(request, "portal/ticket.html", context)


@customer_page
@require_POST
def ticket_reply(request: HttpRequest, number: int) -> HttpResponse:
    found = ticket_for(request.user, selectors.checked_number(number))
    form = ReplyForm(request.POST, request.FILES)
    extra: dict[str, Any] = {}
    if form.is_valid():
        try:
            reply_with_files(
                actor=request.user,
                ticket=found,
                body=form.cleaned_data["body"],
                files=files_of(form),
                at=posted_instant(request, "at"),
            )
        except REFUSALS as error:
            extra = _refused(error)
        else:
            messages.success(request, _("Your reply was added."))
            return redirect("portal:ticket", number=found.number)
    context = _ticket_context(request, found) | {"form": form} | extra
    return render(request, "portal/ticket.html", context, status=extra.get("refusal_status", 400))


def _close_or_reopen(request: HttpRequest, number: int, *, reopen: bool) -> HttpResponse:
    """The customer marks their ticket solved, or reopens it within the period (L5 reading)."""
    found = ticket_for(request.user, selectors.checked_number(number))
    try:
        if reopen:
            reopen_ticket(actor=request.user, ticket=found)
        else:
            mark_solved(actor=request.user, ticket=found)
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise
        context = _ticket_context(request, found) | {"form": ReplyForm()} | _refused(error)
        return render(request, "portal/ticket.html", context, status=context["refusal_status"])
    if reopen:
        messages.success(request, _("Your ticket is open again: we will answer it."))
    else:
        until = reopen_until(found)
        text = _("Your ticket is closed as solved.")
        if until is not None:
            text += " " + _("You can reopen it until %(until)s.") % {"until": local(until)}
        messages.success(request, text)
    return redirect("portal:ticket", number=found.number)


@customer_page
@require_POST
def ticket_solved(request: HttpRequest, number: int) -> HttpResponse:
    return _close_or_reopen(request, number, reopen=False)


@customer_page
@require_POST
def ticket_reopen(request: HttpRequest, number: int) -> HttpResponse:
    return _close_or_reopen(request, number, reopen=True)


@customer_page
@require_POST
def ticket_rating(request: HttpRequest, number: int) -> HttpResponse:
    """The signed-in contact rates their closed ticket (issue 16), once, as by the mail's link."""
    found = ticket_for(request.user, selectors.checked_number(number))
    form = RatingForm(request.POST)
    extra: dict[str, Any] = {"refusal_status": 400}
    if form.is_valid():
        try:
            rated = rate_from_portal(
                actor=request.user,
                ticket=found,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except REFUSALS as error:
            if isinstance(error, NotFound):
                raise
            extra = _refused(error)
        else:
            messages.success(
                request,
                _("Thank you: you rated this ticket %(rating)s out of %(most)s.")
                % {"rating": rated.rating, "most": MAX_RATING},
            )
            return redirect("portal:ticket", number=found.number)
    context = _ticket_context(request, found) | {"form": ReplyForm(), "rating_form": form} | extra
    return render(request, "portal/ticket.html", context, status=extra["refusal_status"])


def _answer_quote(
    request: HttpRequest, number: int, quote_id: int, *, accept: bool
) -> HttpResponse:
    """The customer's one-click answer to a repair quote on their ticket (R9)."""
    found = ticket_for(request.user, selectors.checked_number(number))
    quote = quote_for(request.user, found, quote_id)
    try:
        if accept:
            invoice = accept_repair_quote(actor=request.user, quote=quote)
        else:
            decline_repair_quote(actor=request.user, quote=quote)
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise
        context = _ticket_context(request, found) | {"form": ReplyForm()} | _refused(error)
        return render(request, "portal/ticket.html", context, status=context["refusal_status"])
    if accept:
        messages.success(
            request,
            _(
                "Thank you: you accepted the repair quote. Invoice %(number)s is in your "
                "invoices, and we will send the return authorisation next."
            )
            % {"number": invoice.number},
        )
    else:
        messages.success(request, _("You declined the repair quote: nothing is charged."))
    return redirect("portal:ticket", number=found.number)


@customer_page
@require_POST
def quote_accept(request: HttpRequest, number: int, quote_id: int) -> HttpResponse:
    return _answer_quote(request, number, quote_id, accept=True)


@customer_page
@require_POST
def quote_decline(request: HttpRequest, number: int, quote_id: int) -> HttpResponse:
    return _answer_quote(request, number, quote_id, accept=False)


@customer_page
@require_GET
def attachment(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    """A file of the customer's own ticket, always as a download (another's: 404)."""
    found = attachment_for(request.user, number, attachment_id)
    return download_response(
        open_attachment(found), filename=found.name, content_type=found.content_type
    )


# --------------------------------------------------------------------------------- RMAs


@customer_page
@require_GET
def rmas(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.my_rmas(request.user))
    # States with a return still to arrive: their deadline is the RMA number's expiry (R1).
    open_states = ("issued", "confirmed", "label_issued")
    return render(request, "portal/rmas.html", {"page": page, "open_states": open_states})


def _rma_context(rma: Rma) -> dict[str, Any]:
    required = required_confirmations(rma.kind)
    can_confirm = rma.label_issued_at is None and rma.status in (
        RmaStatus.ISSUED,
        RmaStatus.CONFIRMED,
    )
    return {
        "rma": rma,
        "kind_words": wording.rma_kind_words(rma.kind),
        "status_sentence": wording.rma_status_sentence(rma.status),
        "headline": rma_headline(rma),
        "required": required,
        "missing": missing_confirmations(rma),
        "can_confirm": can_confirm,
        # The label and its no-liability notice (R6) matter while a return is still to ship.
        "shows_label_section": can_confirm or rma.label_issued_at is not None,
        "explain": rma_explanation(rma),
        "timeline": rma_timeline(rma),
        "items": list(rma.items.all()),
        "liability_notice": NO_LIABILITY_NOTICE,
        "shipment": shipment_of(rma),
        "shipment_tracking": shipment_tracking(rma),
        "return_tracking": return_tracking(rma),
    }


@customer_page
@require_GET
def rma(request: HttpRequest, number: int) -> HttpResponse:
    found = rma_for(request.user, selectors.checked_number(number))
    form = ConfirmForm(
        initial={
            "data_backed_up": found.data_backed_up,
            "removable_media_removed": found.removable_media_removed,
            "original_packaging": found.original_packaging,
            "insured": found.insured,
        }
    )
    return render(request, "portal/rma.html", _rma_context(found) | {"form": form})


@customer_page
@require_POST
def rma_confirm(request: HttpRequest, number: int) -> HttpResponse:
    """The customer's R6 confirmations: data backed up, packaging, insurance."""
    found = rma_for(request.user, selectors.checked_number(number))
    form = ConfirmForm(request.POST)
    extra: dict[str, Any] = {}
    if form.is_valid():
        try:
            confirm_rma(
                actor=request.user,
                rma=found,
                **form.cleaned_data,
                at=posted_instant(request, "at"),
            )
        except REFUSALS as error:
            extra = _refused(error)
        else:
            missing = missing_confirmations(found)
            if missing:
                needed = needs_text(missing)
                text = _("Saved. Before the label we still need to know that %(needed)s.") % {
                    "needed": needed
                }
            else:
                text = _("Thank you: your confirmations are complete; the return label comes next.")
            messages.success(request, text)
            return redirect("portal:rma", number=found.number)
    context = _rma_context(found) | {"form": form} | extra
    return render(request, "portal/rma.html", context, status=extra.get("refusal_status", 400))


@customer_page
@require_GET
def rma_label(request: HttpRequest, number: int) -> HttpResponse:
    """The return label PDF (R2), once it is issued after the R6 confirmations; else 404."""
    found = rma_for(request.user, selectors.checked_number(number))
    if found.label_issued_at is None:
        missing = missing_confirmations(found)
        if missing:
            why = _(
                "No label yet: first confirm that %(needed)s; the label is issued after your "
                "confirmations."
            ) % {"needed": needs_text(missing)}
        else:
            why = _("No label yet: the label is issued after your confirmations.")
        context = _rma_context(found) | {
            "form": ConfirmForm(),
            "refusal": why,
            "refusal_rule": "R6",
        }
        return render(request, "portal/rma.html", context, status=404)
    # In the language the contact reads this page in (issue 14).
    response = HttpResponse(
        label_pdf(found, translation.get_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="rma-{found.number}-label.pdf"'
    return response


# --------------------------------------------------------------------------- money back


@customer_page
@require_http_methods(["GET", "POST"])
def money_back(request: HttpRequest) -> HttpResponse:
    """Ask for a money-back return (F3): refused with the rule when the window has passed."""
    user = request.user
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = MoneyBackForm(request.POST, user=user)
        if form.is_valid():
            try:
                ticket = request_money_back(
                    actor=user,
                    serial=form.cleaned_data["serial"],
                    reason=form.cleaned_data["reason"],
                    opened_at=posted_instant(request, "opened_at"),
                )
            except REFUSALS as error:
                context |= _refused(error)
            else:
                messages.success(
                    request,
                    _(
                        "Money-back request recorded as ticket %(number)s; an agent will send "
                        "the RMA."
                    )
                    % {"number": ticket.number},
                )
                return redirect("portal:ticket", number=ticket.number)
        status = 400
    else:
        form = MoneyBackForm(initial={"serial": request.GET.get("serial", "")}, user=user)
    page = _page(request, selectors.my_assets(user), SYSTEMS_PER_PAGE)
    systems = [selectors.system_view(user, asset) for asset in page]
    context |= {"form": form, "systems": systems, "page": page, "terms": selectors.money_terms()}
    status = context.get("refusal_status", status)
    return render(request, "portal/money_back.html", context, status=status)


# --------------------------------------------------------------------------- appointments


@customer_page
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book an on-site visit on a ticket (W3), at least 48 hours ahead (W5)."""
    user = request.user
    found: Ticket | None = None
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = AppointmentForm(request.POST)
        if form.is_valid():
            found = ticket_for(user, form.cleaned_data["ticket"])
            try:
                booked = book_appointment(
                    actor=user,
                    ticket=found,
                    starts_at=form.cleaned_data["starts_at"],
                    requested_at=posted_instant(request, "requested_at"),
                )
            except REFUSALS as error:
                context |= _refused(error)
            else:
                messages.success(
                    request,
                    _("On-site visit booked for %(start)s.") % {"start": local(booked.starts_at)},
                )
                return redirect("portal:ticket", number=found.number)
        status = 400
    else:
        number = request.GET.get("ticket", "").strip()
        if number.isdigit():
            found = ticket_for(user, selectors.checked_number(int(number)))
        form = AppointmentForm(initial={"ticket": found.number if found else None})
    window = selectors.appointment_window()
    context |= {
        "form": form,
        "ticket": found,
        "window": window,
        "notice_hours": f"{window.required.total_seconds() / 3600:g}",
    }
    status = context.get("refusal_status", status)
    return render(request, "portal/appointment_new.html", context, status=status)


# ----------------------------------------------------------------------------- invoices


@customer_page
@require_GET
def invoices(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.my_invoices(request.user))
    today = vendor_today()
    rows = [selectors.invoice_row(invoice, today) for invoice in page]
    entries = [(row, payment_instructions(row.invoice, row.totals)) for row in rows]
    context = {"page": page, "rows": rows, "entries": entries, "terms": selectors.money_terms()}
    return render(request, "portal/invoices.html", context)


@customer_page
@require_GET
def invoice(request: HttpRequest, number: str) -> HttpResponse:
    found = invoice_for(request.user, number)
    today = vendor_today()
    row = selectors.invoice_row(found, today)
    return render(
        request,
        "portal/invoice.html",
        {
            "row": row,
            "invoice": found,
            "lines": list(found.lines.all()),
            "credit_notes": list(found.credit_notes.all()),
            "payments": list(found.payments.all()),
            "late_fee_explain": selectors.late_fee_explanation(row, today),
            "pay": payment_instructions(found, row.totals),
        },
    )


@customer_page
@require_GET
def invoice_download(request: HttpRequest, number: str) -> HttpResponse:
    """The invoice as a PDF, for the customer's own invoices only (another's is 404)."""
    found = invoice_for(request.user, number)
    response = HttpResponse(
        invoice_pdf(found, translation.get_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(found)}"'
    return response


@customer_page
@require_GET
def credit_note_download(request: HttpRequest, number: str) -> HttpResponse:
    """A credit note as a PDF, for the customer's own invoices only (another's is 404)."""
    found = credit_note_for(request.user, number)
    response = HttpResponse(credit_note_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{credit_note_filename(found)}"'
    return response


# ------------------------------------------------------------------------------- policy


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """The active policy as terms a customer can read and file; public, like a published text.

    `?country=DE` adds that country's public holidays (business days for parts, N2, and a
    Silver customer's own hours, L3); a signed-in customer sees their own country's.
    """
    country = (request.GET.get("country") or "").strip()[:2]
    if not country and role_of(request.user) == "customer":
        country = selectors.customer_country(request.user)
    year = vendor_today().year
    found = active_policy()
    context = {
        "terms": policy_terms(found, year, country),
        "country": country.upper(),
        "countries": holiday_countries(found),
    }
    return render(request, "portal/policy.html", context)


# ------------------------------------------------------------------------------ language


@customer_page
@require_POST
def language(request: HttpRequest) -> HttpResponseBase:
    """The contact's language (issue 14): a choice of LANGUAGES, or blank for the browser's.

    Back to the page the selector was on (a path of this site only), in the new language.
    """
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("portal:home")
    try:
        contact = set_my_language(actor=request.user, language=request.POST.get("language", ""))
    except DomainError as refused:
        # A forged or stale choice (the selector offers only LANGUAGES): a 400 saying why, the
        # language as it was, and the way back.
        context = {**_refused(refused), "back": back}
        return render(request, "portal/language_refused.html", context, status=400)
    if contact.language:
        translation.activate(contact.language)
    else:
        translation.activate(translation.get_language_from_request(request))
    messages.success(request, _("Language changed."))
    return redirect(back)
