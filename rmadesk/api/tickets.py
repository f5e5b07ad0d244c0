"""Tickets: open, list, read, reply, change severity, wait and resume, assign, close (L1-L7, P1-P3).

A customer's token may mark its own ticket solved (`mark-solved`) and reopen it within the
policy's `reopen_within_days` (`reopen`, rule L5); staff close with a reason (`close`).

Thin adapters (ARCHITECTURE rule 3): parse, find the ticket through `ticket_for` (404 for a ticket
the user may not see, the same as a missing one), call one service, render. Times in and out are
ISO 8601 with an offset (T1); a customer's contact sending a staff-only time override gets 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from ninja import Body, Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StrictBool

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import (
    CURSOR_LENGTH,
    CURSOR_PATTERN,
    LONG_TEXT,
    length_of,
    non_blank,
    one_of,
)
from rmadesk.api.schemas import In, Instant, Out
from rmadesk.assets.models import Asset
from rmadesk.core.models import AuditEvent
from rmadesk.core.paging import capped_count, keyset_page
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import configured_policy
from rmadesk.tickets import services
from rmadesk.tickets.attachments import attachment_for, open_attachment, ticket_attachments
from rmadesk.tickets.choices import Channel, ClockKind, Severity, TicketStatus
from rmadesk.tickets.file_types import KINDS, limits_text
from rmadesk.tickets.models import Attachment, Message, ServiceClock, Ticket
from rmadesk.tickets.selectors import (
    clocks_of,
    filter_tickets,
    reopen_until,
    ticket_for,
    ticket_history,
    ticket_messages,
    visible_tickets,
    with_clocks,
)
from rmadesk.web import limits
from rmadesk.web.downloads import download_response

router = Router(tags=["tickets"])
CLOSE_RULES: dict[str, str] = {TicketStatus.OUT_OF_SCOPE: "P1", TicketStatus.WARRANTY_DENIED: "W2"}

# Ticket numbers and ids are 64-bit in the database: a larger number is a 4xx, never a 500.
MAX_ID = 2**63 - 1
# A file is stored under the type its ending names (KINDS); older files may be plain bytes.
OCTET_STREAM = "application/octet-stream"
StatusName = Literal["open", "waiting_on_customer", "resolved", "out_of_scope", "warranty_denied"]


# --------------------------------------------------------------------------- schemas


def out_of_scope_reasons(schema: dict[str, Any]) -> None:
    """P1's reasons, as the configured policy names them, when the document is asked for."""
    schema["enum"] = list(configured_policy().document.scope.out_of_scope_reasons)


# Text fields, bounded as their columns (issue 13); a text column is bounded by LONG_TEXT.
Serial = Annotated[str, Field(max_length=length_of(Asset, "serial"))]
SeverityName = Annotated[str, one_of(Severity.values)]
Subject = Annotated[str, Field(max_length=length_of(Ticket, "subject")), non_blank()]
MessageBody = Annotated[str, Field(max_length=LONG_TEXT), non_blank()]


class TicketIn(In):
    serial: Serial
    severity: SeverityName
    subject: Subject
    body: MessageBody
    channel: Annotated[str, one_of(Channel.values)] = "portal"
    opened_at: Instant | None = None  # staff only
    about_jails_or_plugins: StrictBool = False  # P2: supported only by the contract's arrangement


class ReplyIn(In):
    body: MessageBody
    public: StrictBool = True  # a customer's reply is always public
    at: Instant | None = None  # staff only


class SeverityIn(In):
    severity: SeverityName
    at: Instant | None = None  # staff only


class CloseIn(In):
    reason: Annotated[str, Field(max_length=LONG_TEXT), non_blank()]
    # One of the active policy's P1 reasons (a ticket on an older policy: that version's).
    out_of_scope: Annotated[str, Field(json_schema_extra=out_of_scope_reasons)] | None = None
    at: Instant | None = None  # staff only


class MomentIn(In):
    at: Instant | None = None  # staff only


class AssignIn(In):
    # An agent's email; null to unassign.
    assignee: Annotated[str, Field(max_length=length_of(get_user_model(), "username"))] | None


class TicketFilters(Schema):
    status: StatusName | None = None
    breached: bool | None = None
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_ID)
    # Issue 15: the `next` of the page before; the page starts after it (at any depth, as
    # fast as the first). Opaque to the client: send back what you were given.
    cursor: str | None = Field(None, pattern=CURSOR_PATTERN, max_length=CURSOR_LENGTH)


class ClockOut(Out):
    kind: str
    state: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    paused_at: dt.datetime | None
    stopped_at: dt.datetime | None
    target: str
    calendar: str
    explain: list[str]


class TicketOut(Out):
    number: int
    status: str
    severity: str
    plan: str
    channel: str
    subject: str
    customer: int
    serial: str | None
    opened_at: dt.datetime
    first_response_due: dt.datetime | None
    next_update_due: dt.datetime | None
    policy_version: str
    assignee: str | None
    closed_at: dt.datetime | None
    close_reason: str | None
    out_of_scope_reason: str | None
    warranty_denial_cause: str | None = None  # W2's cause when the claim was denied
    close_rule: str | None
    closed_by_customer: bool = False  # the customer marked it solved (L5 reading)
    reopen_until: dt.datetime | None = None  # until when that customer may reopen it
    unsupported_software: bool
    unsupported_software_reason: str | None
    jails_and_plugins: str | None  # P2: "arranged" or "unsupported"; None: not about them
    clocks: list[ClockOut]


class MessageOut(Out):
    id: int
    kind: str
    public: bool
    body: str
    at: dt.datetime
    author: str | None


class EventOut(Out):
    at: dt.datetime
    actor: str
    verb: str
    changes: dict[str, Any]
    rules: list[str]
    note: str


class AttachmentOut(Out):
    id: int
    name: str
    content_type: str
    size: int  # bytes
    uploaded_at: dt.datetime
    uploaded_by: str | None
    message: int | None  # the id of the message it came with (None: on the ticket itself)
    url: str  # GET it for the bytes


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    history: list[EventOut]


class TicketPage(Out):
    count: int  # counted up to COUNT_LIMIT (10,000); `count_is_exact` is false beyond
    count_is_exact: bool
    limit: int
    offset: int
    next: str | None  # the `cursor` of the next page; null on the last page
    items: list[TicketOut]


class ReplyOut(MessageOut):
    ticket: TicketOut


# ------------------------------------------------------------------------- rendering


def _clock_out(found: ServiceClock) -> dict[str, Any]:
    return {
        "kind": found.kind,
        "state": found.state,
        "started_at": found.started_at,
        "due_at": found.due_at,
        "paused_at": found.paused_at,
        "stopped_at": found.stopped_at,
        "target": found.target,
        "calendar": found.calendar,
        "explain": list(found.explanation or []),
    }


def _due_of(found: ServiceClock | None) -> dt.datetime | None:
    """The clock's due instant (None while paused, and where no service level applies)."""
    return None if found is None else found.due_at


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    clocks = clocks_of(ticket)
    first = clocks.get(ClockKind.FIRST_RESPONSE)
    ordered = [clocks[k] for k in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE) if k in clocks]
    return {
        "number": ticket.number,
        "status": ticket.status,
        "severity": ticket.severity,
        "plan": ticket.plan,
        "channel": ticket.channel,
        "subject": ticket.subject,
        "customer": ticket.customer_id,
        "serial": ticket.asset.serial if ticket.asset_id is not None and ticket.asset else None,
        "opened_at": ticket.opened_at,
        "first_response_due": None if first is None else first.due_at,
        "next_update_due": _due_of(clocks.get(ClockKind.NEXT_UPDATE)),
        "policy_version": ticket.policy_version,
        "assignee": ticket.assignee.email if ticket.assignee_id and ticket.assignee else None,
        "closed_at": ticket.closed_at,
        "close_reason": ticket.close_reason or None,
        "out_of_scope_reason": ticket.out_of_scope_reason or None,
        "warranty_denial_cause": ticket.warranty_denial_cause or None,
        "close_rule": CLOSE_RULES.get(ticket.status),
        "closed_by_customer": ticket.is_closed_by_customer,
        "reopen_until": reopen_until(ticket),
        "unsupported_software": ticket.is_unsupported_software,
        "unsupported_software_reason": ticket.unsupported_software_reason or None,
        "jails_and_plugins": ticket.jails_and_plugins or None,
        "clocks": [_clock_out(c) for c in ordered],
    }


def _message_out(message: Message) -> dict[str, Any]:
    author = message.author
    return {
        "id": message.pk,
        "kind": message.kind,
        "public": message.is_public,
        "body": message.body,
        "at": message.at,
        "author": author.email if author is not None else None,
    }


def _attachment_out(attachment: Attachment) -> dict[str, Any]:
    uploader = attachment.uploaded_by
    number = attachment.ticket.number
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_at": attachment.uploaded_at,
        "uploaded_by": (uploader.email or uploader.username) if uploader is not None else None,
        "message": attachment.message_id,
        "url": f"/api/v1/tickets/{number}/attachments/{attachment.pk}",
    }


def _event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "actor": event.actor_label,
        "verb": event.verb,
        "changes": event.changes or {},
        "rules": list(event.rules or []),
        "note": event.note,
    }


def _fresh(user: Actor, number: int) -> dict[str, Any]:
    """The ticket as the user now sees it, clocks included (after a service changed it)."""
    return ticket_out(with_clocks(visible_tickets(user)).get(number=number))


TOO_MANY_TICKETS = "Too many tickets opened in the last hour: try again later."

TicketNumber = Annotated[int, Path(ge=1, le=MAX_ID)]
AttachmentId = Annotated[int, Path(ge=1, le=MAX_ID)]


# -------------------------------------------------------------------------- endpoints


class TooManyOut(Schema):
    """429: a rate limit was reached; the Retry-After header says in how many seconds."""

    error: str
    field: str | None = None
    rule: str | None = None
    retry_after: int


@router.post("/tickets", response={201: TicketOut, 429: TooManyOut})
def open_ticket(request: HttpRequest, payload: TicketIn) -> Status[object] | HttpResponse:
    user = user_of(request)
    try:  # issue 13: RMADESK_TICKET_CREATE_LIMIT tickets an hour per user, portal and API alike
        limits.check(limits.ticket_create_limit(), f"user:{user.pk}", TOO_MANY_TICKETS)
    except limits.TooManyRequests as refused:
        answer = JsonResponse(
            {
                "error": refused.message,
                "field": None,
                "rule": None,
                "retry_after": refused.retry_after,
            },
            status=429,
        )
        answer["Retry-After"] = str(refused.retry_after)
        return answer
    ticket = services.open_ticket(actor=user, **payload.dict())
    return Status(201, _fresh(user, ticket.number))


@router.get("/tickets", response=TicketPage)
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> object:
    user = user_of(request)
    tickets = filter_tickets(
        visible_tickets(user),
        status=filters.status,
        breached=filters.breached,
        customer=filters.customer,
    )
    count = capped_count(tickets)
    page = keyset_page(
        tickets,
        keys=("number",),
        after=(int(filters.cursor),) if filters.cursor else None,
        offset=filters.offset,
        limit=filters.limit,
    )
    return {
        "count": count.value,
        "count_is_exact": count.exact,
        "limit": filters.limit,
        "offset": filters.offset,
        "next": None if page.next_key is None else str(page.next_key[0]),
        "items": [ticket_out(t) for t in page.items],
    }


@router.get("/tickets/{number}", response=TicketDetailOut)
def get_ticket(request: HttpRequest, number: TicketNumber) -> object:
    user = user_of(request)
    ticket = ticket_for(user, number)
    return {
        **ticket_out(ticket),
        "messages": [_message_out(m) for m in ticket_messages(ticket, user)],
        "history": [_event_out(e) for e in ticket_history(ticket, viewer=user)],
    }


@router.post("/tickets/{number}/replies", response={201: ReplyOut})
def reply(request: HttpRequest, payload: ReplyIn, number: TicketNumber) -> Status[object]:
    user = user_of(request)
    ticket = ticket_for(user, number)
    message = services.reply(actor=user, ticket=ticket, **payload.dict())
    return Status(201, {**_message_out(message), "ticket": _fresh(user, number)})


@router.post("/tickets/{number}/severity", response=TicketOut)
def change_severity(request: HttpRequest, payload: SeverityIn, number: TicketNumber) -> object:
    user = user_of(request)
    ticket = ticket_for(user, number)
    services.change_severity(actor=user, ticket=ticket, **payload.dict())
    return _fresh(user, number)


@router.post("/tickets/{number}/close", response=TicketOut)
def close_ticket(request: HttpRequest, payload: CloseIn, number: TicketNumber) -> object:
    user = user_of(request)
    ticket = ticket_for(user, number)
    services.close_ticket(actor=user, ticket=ticket, **payload.dict())
    return _fresh(user, number)


def _at_moment(
    request: HttpRequest,
    number: int,
    payload: MomentIn | None,
    act: Callable[..., object],
) -> object:
    """A ticket transition that takes only an optional instant (`at`), as the caller's."""
    user = user_of(request)
    act(actor=user, ticket=ticket_for(user, number), at=payload.at if payload is not None else None)
    return _fresh(user, number)


@router.post("/tickets/{number}/mark-solved", response=TicketOut)
def mark_solved(
    request: HttpRequest, number: TicketNumber, payload: Body[MomentIn | None] = None
) -> object:
    """The customer closes its own ticket as solved; the clocks stop (rule L5)."""
    return _at_moment(request, number, payload, services.mark_solved)


@router.post("/tickets/{number}/reopen", response=TicketOut)
def reopen_ticket(
    request: HttpRequest, number: TicketNumber, payload: Body[MomentIn | None] = None
) -> object:
    """The customer reopens a ticket it marked solved, within `reopen_within_days` (rule L5)."""
    return _at_moment(request, number, payload, services.reopen_ticket)


@router.post("/tickets/{number}/wait", response=TicketOut)
def wait_on_customer(
    request: HttpRequest, number: TicketNumber, payload: Body[MomentIn | None] = None
) -> object:
    return _at_moment(request, number, payload, services.wait_on_customer)


@router.post("/tickets/{number}/resume", response=TicketOut)
def resume_ticket(
    request: HttpRequest, number: TicketNumber, payload: Body[MomentIn | None] = None
) -> object:
    return _at_moment(request, number, payload, services.resume_ticket)


@router.post("/tickets/{number}/assign", response=TicketOut)
def assign_ticket(request: HttpRequest, payload: AssignIn, number: TicketNumber) -> object:
    user = user_of(request)
    ticket = ticket_for(user, number)
    services.assign_ticket(actor=user, ticket=ticket, assignee=payload.assignee)
    return _fresh(user, number)


@router.get("/tickets/{number}/attachments", response=list[AttachmentOut])
def list_attachments(request: HttpRequest, number: TicketNumber) -> object:
    """The files on a ticket, oldest first (a customer's token: not those of internal notes)."""
    user = user_of(request)
    ticket = ticket_for(user, number)
    return [_attachment_out(a) for a in ticket_attachments(user, ticket)]


@router.post(
    "/tickets/{number}/attachments",
    response={201: list[AttachmentOut]},
    description=(
        "Upload files (multipart/form-data, one `file` part each). "
        f"{limits_text()} A file is accepted by its name's ending and its content (gzip, zip, "
        "PNG, JPEG, PDF, tar by their first bytes; text as UTF-8 without NUL bytes), whatever "
        "type the client declares; it is stored under the type its ending names. `message`: "
        "the id of a message of the ticket to add them to (a customer: one of its own "
        "messages). `internal` (staff only): for staff only; without `message`, a new "
        "internal note carries them. Neither: the files go on the ticket itself. A refused "
        "file answers 400 naming the field `file` and the rule, and nothing is written."
    ),
)
def upload_attachments(
    request: HttpRequest,
    number: TicketNumber,
    file: File[list[UploadedFile]],
    message: Form[Annotated[int, Field(ge=1, le=MAX_ID)] | None] = None,
    internal: Form[bool] = False,
) -> Status[object]:
    user = user_of(request)
    ticket = ticket_for(user, number)
    made = services.add_attachments(
        actor=user, ticket=ticket, files=file, message_id=message, internal=internal
    )
    return Status(201, [_attachment_out(a) for a in made])


@router.get(
    "/tickets/{number}/attachments/{attachment_id}",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "the file as it was attached, always as a download, with its "
                "stored content type",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in sorted({k.content_type for k in KINDS} | {OCTET_STREAM})
                },
            }
        }
    },
)
def get_attachment(
    request: HttpRequest, number: TicketNumber, attachment_id: AttachmentId
) -> HttpResponseBase:
    """One file's bytes (`Content-Disposition: attachment`); 404 like the ticket when hidden."""
    found = attachment_for(user_of(request), number, attachment_id)
    return download_response(
        open_attachment(found), filename=found.name, content_type=found.content_type
    )
