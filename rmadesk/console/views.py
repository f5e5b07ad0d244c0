"""Agent console: a ticket, thin views over the services and selectors of the API (the queue
is in `queue_views`).

Every page is `staff_page` (a customer's contact gets 404, an anonymous visitor the login);
which staff role may do what is checked by the services, and a refusal is shown on the page with
its rule (pages.act). Nothing here computes a due time: clocks come from the ticket services.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rmadesk.console import forms
from rmadesk.console.pages import Refusal, act
from rmadesk.console.selectors import (
    QUEUE_STATUSES,
    assignable_staff,
    queue_badge,
)
from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput
from rmadesk.core.policies import active_policy
from rmadesk.rmas import services as rma_services
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.selectors import visible_rmas
from rmadesk.tickets import services
from rmadesk.tickets.attachments import (
    attachment_for,
    attachments_by_message,
    open_attachment,
    ticket_attachments,
)
from rmadesk.tickets.choices import ClockKind, TicketStatus
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.selectors import ticket_for, ticket_history, ticket_messages
from rmadesk.web.decorators import staff_page
from rmadesk.web.downloads import download_response
from rmadesk.web.templatetags.rmadesk import local

PHONE_CALL_PREFIX = "Phone call: "


# ------------------------------------------------------------------------------- a ticket


def _clocks(ticket: Ticket) -> list[ServiceClock]:
    order = {ClockKind.FIRST_RESPONSE: 0, ClockKind.NEXT_UPDATE: 1}
    return sorted(ticket.clocks.all(), key=lambda c: order.get(ClockKind(c.kind), 9))


def ticket_page(
    request: HttpRequest,
    number: int,
    *,
    refusal: Refusal | None = None,
    posted: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the ticket page shows; `posted` keeps a refused form's input on screen."""
    user = request.user
    ticket = ticket_for(user, number)
    policy = active_policy()
    rma = visible_rmas(user).filter(number=ticket.number).first()
    posted = posted or {}
    files = attachments_by_message(ticket_attachments(user, ticket))
    return {
        "ticket": ticket,
        "now": clock.now(),
        "badge": queue_badge(ticket, clock.now()),
        "is_open": ticket.status in QUEUE_STATUSES,
        "is_waiting": ticket.status == TicketStatus.WAITING_ON_CUSTOMER,
        "clocks": _clocks(ticket),
        "thread": [(m, files.get(m.pk, [])) for m in ticket_messages(ticket, user)],
        "loose_attachments": files.get(None, []),
        "history": ticket_history(ticket),
        "rma": rma,
        "severities": [
            (key, severity.title, severity.description)
            for key, severity in policy.document.severities.items()
        ],
        "out_of_scope_reasons": policy.document.scope.out_of_scope_reasons,
        "assignees": list(assignable_staff()),
        "rma_kinds": RmaKind.choices,
        "rma_form": posted.get("rma") or forms.RmaOpenForm(),
        "posted": posted,
        "refusal": refusal,
    }


@staff_page
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    return render(request, "console/ticket.html", ticket_page(request, number))


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
def reply(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, form: forms.ReplyForm) -> str:
        services.reply(
            actor=request.user, ticket=ticket, body=form.text("body"), public=form.is_public
        )
        if form.is_public:
            return "Reply sent to the customer."
        return "Internal note added (the customer does not see it)."

    return _ticket_action(request, number, "reply", forms.ReplyForm(request.POST), perform)


@_post_only
def log_call(request: HttpRequest, number: int) -> HttpResponse:
    """A phone call, recorded as an internal note starting "Phone call:" (no clock moves)."""

    def perform(ticket: Ticket, form: forms.CallForm) -> str:
        body = form.text("body")
        services.reply(
            actor=request.user,
            ticket=ticket,
            body=f"{PHONE_CALL_PREFIX}{body}" if body else "",
            public=False,
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
