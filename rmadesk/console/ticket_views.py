"""Agent console: a ticket, its context panel and its one-step actions.

Every page is `staff_page` (a customer's contact gets 404, an anonymous visitor the login);
which staff role may do what is checked by the services, and a refusal is shown on the page with
its rule (pages.act). Nothing here computes a due time or a policy answer: clocks come from the
ticket services, entitlement and warranty from the assets selectors.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from rmadesk.console import forms
from rmadesk.console.pages import REFUSALS, Refusal, act, refusal_of
from rmadesk.console.selectors import QUEUE_STATUSES, assignable_staff, queue_badge
from rmadesk.console.ticket_context import ticket_context
from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput, NotFound
from rmadesk.core.policies import active_policy
from rmadesk.core.viewers import viewer_zone
from rmadesk.rmas import services as rma_services
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.selectors import visible_rmas
from rmadesk.rmas.warranty import ticket_quotes, warranty_status
from rmadesk.satisfaction.selectors import rating_of
from rmadesk.tickets import file_types, services
from rmadesk.tickets.attachments import (
    attachment_for,
    attachments_by_message,
    open_attachment,
    ticket_attachments,
)
from rmadesk.tickets.canned import canned_reply_for, fill_canned_reply, usable_canned_replies
from rmadesk.tickets.choices import ClockKind, TicketStatus, WarrantyDenialCause
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.selectors import ticket_for, ticket_history, ticket_messages
from rmadesk.web.decorators import staff_page
from rmadesk.web.downloads import download_response
from rmadesk.web.history import history_rows
from rmadesk.web.templatetags.rmadesk import local

PHONE_CALL_PREFIX = "Phone call: "


def _clocks(ticket: Ticket) -> list[ServiceClock]:
    order = {ClockKind.FIRST_RESPONSE: 0, ClockKind.NEXT_UPDATE: 1}
    return sorted(ticket.clocks.all(), key=lambda c: order.get(ClockKind(c.kind), 9))


def ticket_page(
    request: HttpRequest,
    number: int,
    *,
    refusal: Refusal | None = None,
    posted: dict[str, Any] | None = None,
    reply_body: str = "",
) -> dict[str, Any]:
    """Everything the ticket page shows; `posted` keeps a refused form's input on screen."""
    user = request.user
    ticket = ticket_for(user, number)
    policy = active_policy()
    rma = visible_rmas(user).filter(number=ticket.number).first()
    posted = posted or {}
    files = attachments_by_message(ticket_attachments(user, ticket))
    if "reply" in posted:
        reply_body = str(posted["reply"].data.get("body", ""))
    return {
        "ticket": ticket,
        "now": clock.now(),
        "badge": queue_badge(ticket, clock.now()),
        "is_open": ticket.status in QUEUE_STATUSES,
        "is_waiting": ticket.status == TicketStatus.WAITING_ON_CUSTOMER,
        "is_mine": ticket.assignee_id is not None and ticket.assignee_id == user.pk,
        "clocks": _clocks(ticket),
        "thread": [(m, files.get(m.pk, [])) for m in ticket_messages(ticket, user)],
        "loose_attachments": files.get(None, []),
        "history": history_rows(ticket_history(ticket)),
        "context": ticket_context(user, ticket),
        "rma": rma,
        "severities": [
            (key, severity.title, severity.description)
            for key, severity in policy.document.severities.items()
        ],
        "out_of_scope_reasons": policy.document.scope.out_of_scope_reasons,
        "assignees": list(assignable_staff()),
        "canned_replies": list(usable_canned_replies(user)),
        "reply_body": reply_body,
        "file_limits": file_types.limits_text(),
        "file_accept": file_types.accept_list(),
        "rma_kinds": RmaKind.choices,
        "denial_causes": WarrantyDenialCause.choices,
        "quotes": list(ticket_quotes(user, ticket)),
        "warranty": warranty_status(ticket.asset, clock.now()) if ticket.asset else None,
        "customer_rating": rating_of(ticket),  # issue 16
        "rma_form": posted.get("rma") or forms.RmaOpenForm(),
        "posted": posted,
        "refusal": refusal,
    }


@staff_page
@require_safe
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    return render(request, "console/ticket.html", ticket_page(request, number))


def _with_canned_reply(request: HttpRequest, number: int, chosen: str, typed: str) -> str:
    ticket = ticket_for(request.user, number)
    if not chosen:
        raise InvalidInput("choose a canned reply to insert", field="canned")
    if not chosen.isdigit():
        raise NotFound(f"no canned reply {chosen}", field="canned_reply")
    canned = canned_reply_for(request.user, int(chosen))
    filled = fill_canned_reply(request.user, canned, ticket).body
    typed = typed.rstrip()
    return f"{typed}\n\n{filled}" if typed else filled


@staff_page
@require_safe
def canned_reply_fill(request: HttpRequest, number: int) -> HttpResponse:
    """The reply box (an htmx fragment) with the chosen canned reply (`canned`) added after what
    was typed (`body`), its placeholders filled for this ticket; a refusal (an unknown
    placeholder, no RMA for `{rma}`) is shown in the box with 400, and what was typed is kept."""
    typed = request.GET.get("body", "")
    context: dict[str, Any] = {"ticket": ticket_for(request.user, number), "refusal": None}
    try:
        context["reply_body"] = _with_canned_reply(
            request, number, request.GET.get("canned", "").strip(), typed
        )
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise  # another agent's own reply, like a missing one: 404
        context |= {"reply_body": typed, "refusal": refusal_of(error, "canned")}
        return render(request, "console/_reply_box.html", context, status=400)
    return render(request, "console/_reply_box.html", context)


@staff_page
def ticket_attachment(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    """A file on the ticket, as a download, after the same visibility check as the ticket."""
    found = attachment_for(request.user, number, attachment_id)
    return download_response(
        open_attachment(found), filename=found.name, content_type=found.content_type
    )


def _ticket_action(
    request: HttpRequest,
    number: int,
    name: str,
    form: Any,
    perform: Any,
) -> HttpResponse:
    """Run one ticket service; back to the ticket, or the ticket page with the refusal."""
    ticket = ticket_for(request.user, number)
    return act(
        request,
        lambda: perform(ticket, form),
        done=reverse("console:ticket", args=[ticket.number]),
        page=lambda refusal: ticket_page(
            request, number, refusal=refusal, posted={name: form, "action": name}
        ),
        template="console/ticket.html",
        name=name,
    )


def _post_only(view: Any) -> Any:
    return staff_page(require_POST(view))


@_post_only
def change_severity(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: forms.SeverityForm) -> str:
        severity = form.text("severity")
        services.change_severity(actor=request.user, ticket=ticket, severity=severity)
        return f"Severity changed to {severity}: the clocks were re-targeted (rule L7)."

    return _ticket_action(request, number, "severity", forms.SeverityForm(request.POST), perform)


@_post_only
def wait_on_customer(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: Any) -> str:
        services.wait_on_customer(actor=request.user, ticket=ticket)
        return "The ticket waits on the customer: the next-update clock is paused (rule L5)."

    return _ticket_action(request, number, "wait", None, perform)


@_post_only
def resume_ticket(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: Any) -> str:
        services.resume_ticket(actor=request.user, ticket=ticket)
        return "The ticket waits on the vendor again: the next update restarts now (rule L5)."

    return _ticket_action(request, number, "resume", None, perform)


@_post_only
def assign_ticket(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: forms.AssignForm) -> str:
        chosen = form.text("assignee")
        assignee = None
        if chosen:
            assignee = (
                assignable_staff().filter(pk=int(chosen)).first() if chosen.isdigit() else None
            )
            if assignee is None:
                raise InvalidInput("choose an agent or a manager", field="assignee")
        services.assign_ticket(actor=request.user, ticket=ticket, assignee=assignee)
        return f"Assigned to {assignee.email}." if assignee is not None else "Unassigned."

    return _ticket_action(request, number, "assign", forms.AssignForm(request.POST), perform)


@_post_only
def assign_to_me(request: HttpRequest, number: int) -> HttpResponse:
    """One click: the ticket is the signed-in agent's (the service decides whether it may be)."""

    def perform(ticket: Ticket, form: Any) -> str:
        services.assign_ticket(actor=request.user, ticket=ticket, assignee=request.user)
        return gettext("Assigned to you.")

    return _ticket_action(request, number, "assign", None, perform)


@_post_only
def close_ticket(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: forms.CloseForm) -> str:
        scope = form.text("out_of_scope")
        services.close_ticket(
            actor=request.user,
            ticket=ticket,
            reason=form.text("reason"),
            out_of_scope=scope or None,
        )
        if scope:
            return f"Closed as out of scope: {scope} (rule P1)."
        return "Closed as resolved."

    return _ticket_action(request, number, "close", forms.CloseForm(request.POST), perform)


@_post_only
def deny_warranty(request: HttpRequest, number: int) -> HttpResponse:
    """Close the ticket as a denied warranty claim, naming W2's cause."""

    def perform(ticket: Ticket, form: forms.DenyForm) -> str:
        services.deny_warranty_claim(
            actor=request.user,
            ticket=ticket,
            cause=form.text("cause"),
            explanation=form.text("explanation"),
        )
        cause = WarrantyDenialCause(form.text("cause")).label
        return f"Warranty claim denied: {cause} (rule W2); the ticket is closed."

    return _ticket_action(request, number, "deny", forms.DenyForm(request.POST), perform)


@_post_only
def record_quote(request: HttpRequest, number: int) -> HttpResponse:
    """A billable repair quote for an asset out of warranty, mailed to the customer (R9)."""

    def perform(ticket: Ticket, form: forms.QuoteForm) -> str:
        quote = rma_services.record_repair_quote(
            actor=request.user,
            ticket=ticket,
            amount=form.text("amount"),
            currency=form.text("currency") or None,
            description=form.text("description"),
            valid_until=form.valid_until_date(),
        )
        return (
            f"Repair quote of {quote.amount} {quote.currency} sent to the customer: the RMA "
            f"opens once they accept it (rule R9)."
        )

    return _ticket_action(request, number, "quote", forms.QuoteForm(request.POST), perform)


@_post_only
def reply(request: HttpRequest, number: int) -> HttpResponse:
    """A reply or a note with its files, and the status change the button chose, in one step."""
    form = forms.ReplyForm(request.POST)

    def perform(ticket: Ticket, form: forms.ReplyForm) -> str:
        then = form.text("then")
        scope = form.text("out_of_scope")
        # The files go to `attach_files` unchecked here: the attachment service decides which
        # files a ticket accepts (by name and content), the same for every door.
        files = request.FILES.getlist("attachments")
        services.answer_ticket(
            actor=request.user,
            ticket=ticket,
            body=form.text("body"),
            public=form.is_public,
            then=then,
            files=files,
            close_reason=form.text("close_reason"),
            out_of_scope=scope or None,
        )
        return _sent_message(public=form.is_public, files=len(files), then=then)

    name = "note" if not form.is_public else "reply"
    return _ticket_action(request, number, name, form, perform)


def _sent_message(*, public: bool, files: int, then: str) -> str:
    """What the agent is told after a reply or note: what was sent, with how many files, and
    what became of the ticket."""
    if public:
        sent = (
            ngettext(
                "Reply sent to the customer with %(count)d file",
                "Reply sent to the customer with %(count)d files",
                files,
            )
            if files
            else gettext("Reply sent to the customer")
        )
    else:
        sent = (
            ngettext(
                "Internal note added with %(count)d file",
                "Internal note added with %(count)d files",
                files,
            )
            if files
            else gettext("Internal note added")
        )
    sent = sent % {"count": files} if files else sent
    if then == "wait":
        return gettext("%(sent)s; the ticket waits on the customer (rule L5).") % {"sent": sent}
    if then == "close":
        return gettext("%(sent)s; the ticket is closed.") % {"sent": sent}
    if public:
        return gettext("%(sent)s.") % {"sent": sent}
    return gettext("%(sent)s (the customer does not see it).") % {"sent": sent}


@_post_only
def log_call(request: HttpRequest, number: int) -> HttpResponse:
    """A phone call, recorded as an internal note starting "Phone call:" (no clock moves), at
    the time picked in the agent's zone (now when none is)."""

    def perform(ticket: Ticket, form: forms.CallForm) -> str:
        body = form.text("body")
        services.reply(
            actor=request.user,
            ticket=ticket,
            body=f"{PHONE_CALL_PREFIX}{body}" if body else "",
            public=False,
            at=form.instant(viewer_zone(request.user)),
        )
        return "Phone call logged."

    return _ticket_action(request, number, "call", forms.CallForm(request.POST), perform)


@_post_only
def open_rma(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: forms.RmaOpenForm) -> str:
        rma = rma_services.open_rma(
            actor=request.user, ticket=ticket, kind=form.text("kind"), items=form.items()
        )
        return (
            f"RMA {rma.number} opened ({rma.get_kind_display()}), valid until "
            f"{local(rma.expires_at)} (rule R1)."
        )

    return _ticket_action(request, number, "rma", forms.RmaOpenForm(request.POST), perform)
