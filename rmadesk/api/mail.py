"""Held mail: list and read the emails intake held, link one to a customer, or discard it.

Staff who handle held mail only (agents, managers, admins: `rmadesk.mail.permissions`); to a
customer's token held mail does not exist (404), and clerks and finance are refused (403).
Thin adapters (ARCHITECTURE rule 3): parse, call one selector or service of `rmadesk.mail.held`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import StrictBool

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import LONG_TEXT
from rmadesk.api.schemas import In, Out
from rmadesk.api.tickets import Serial, SeverityName
from rmadesk.mail.held import (
    discard_held_message,
    held_message_for,
    held_messages,
    link_held_message,
    preview,
    why_held,
)
from rmadesk.mail.models_inbound import InboundMessage

router = Router(tags=["mail"])

MAX_ID = 2**63 - 1
HeldId = Annotated[int, Path(ge=1, le=MAX_ID)]


class HeldFilters(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_ID)


class LinkIn(In):
    customer: int = Field(ge=1, le=MAX_ID)  # the customer's id
    serial: Serial | None = None  # a serial of the customer: a new ticket on it
    ticket: int | None = Field(None, ge=1, le=MAX_ID)  # a ticket of the customer: a reply on it
    severity: SeverityName | None = None  # of a new ticket; else the one the subject asks for (L2)
    remember_sender: StrictBool = False  # the sender becomes a contact of the customer


class DiscardIn(In):
    note: Annotated[str, Field(max_length=LONG_TEXT)] = ""  # why, for the record


class HeldFileOut(Out):
    name: str
    content_type: str
    size: int  # bytes, as the message carried it
    kept: bool  # False: not stored (`note` says why); the raw message still has it
    note: str


class HeldOut(Out):
    id: int
    status: str
    why: str  # why it is held (or what became of it), in plain words
    reason: str  # what intake found, and what an agent did
    from_address: str
    from_name: str
    subject: str
    received_at: dt.datetime
    preview: str
    attachments: list[str]  # file names
    customer: int | None  # the customer intake recognised, or the one it was linked to
    ticket_hint: int | None  # the ticket the mail answers, when its sender may not write to it


class HeldDetailOut(HeldOut):
    to: list[str]
    sent_at: dt.datetime | None
    text: str
    files: list[HeldFileOut]
    ticket: int | None  # the ticket it opened or was added to
    linked_by: str | None
    linked_at: dt.datetime | None
    discarded_by: str | None
    discarded_at: dt.datetime | None


class HeldPage(Out):
    count: int
    limit: int
    offset: int
    items: list[HeldOut]


def _email(user: Any) -> str | None:
    return None if user is None else (user.email or user.username)


def _held_out(found: InboundMessage, text: str) -> dict[str, Any]:
    return {
        "id": found.pk,
        "status": found.status,
        "why": why_held(found.status),
        "reason": found.reason,
        "from_address": found.from_address,
        "from_name": found.from_name,
        "subject": found.subject,
        "received_at": found.received_at,
        "preview": preview(text),
        "attachments": [a.filename for a in found.attachments.all()],
        "customer": found.customer_id,
        "ticket_hint": found.ticket_hint,
    }


def _detail_out(found: InboundMessage) -> dict[str, Any]:
    return {
        **_held_out(found, found.text),
        "to": [line for line in found.to.splitlines() if line],
        "sent_at": found.sent_at,
        "text": found.text,
        "files": [
            {
                "name": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "kept": a.is_stored,
                "note": a.dropped_reason,
            }
            for a in found.attachments.all()
        ],
        "ticket": found.ticket.number if found.ticket_id and found.ticket else None,
        "linked_by": _email(found.linked_by),
        "linked_at": found.linked_at,
        "discarded_by": _email(found.discarded_by),
        "discarded_at": found.discarded_at,
    }


@router.get("/mail/held", response=HeldPage)
def list_held(request: HttpRequest, filters: Query[HeldFilters]) -> object:
    """Held emails, newest first."""
    rows = held_messages(user_of(request))
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_held_out(r, r.text_head) for r in page],  # type: ignore[attr-defined]
    }


@router.get("/mail/held/{held_id}", response=HeldDetailOut)
def get_held(request: HttpRequest, held_id: HeldId) -> object:
    """One held email (or one an agent has since linked or discarded), with its whole text."""
    return _detail_out(held_message_for(user_of(request), held_id))


@router.post("/mail/held/{held_id}/link", response=HeldDetailOut)
def link_held(request: HttpRequest, payload: LinkIn, held_id: HeldId) -> object:
    """Link to a customer: onto `ticket`, else a new ticket on `serial`, else onto the ticket
    the mail answers. 409 when another agent already linked or discarded it."""
    user = user_of(request)
    link_held_message(
        actor=user,
        inbound=held_id,
        customer=payload.customer,
        serial=payload.serial or "",
        ticket=payload.ticket,
        severity=payload.severity or "",
        remember_sender=payload.remember_sender,
    )
    return _detail_out(held_message_for(user, held_id))


@router.post("/mail/held/{held_id}/discard", response=HeldDetailOut)
def discard_held(request: HttpRequest, payload: DiscardIn, held_id: HeldId) -> object:
    """Discard as spam: kept for the record with who and when, never deleted."""
    user = user_of(request)
    discard_held_message(actor=user, inbound=held_id, note=payload.note)
    return _detail_out(held_message_for(user, held_id))
