"""Phone calls: an agent logs a call and gets its ticket (L4, L8, T1, T3, T5).

A thin adapter (ARCHITECTURE rule 3): parse, call `log_call`, render the ticket as `/tickets`
does (201). A TrueCommand call opens no ticket (L8): 200 with where the caller should write.
Staff who work tickets only; a customer's contact gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field, StrictBool

from rmadesk.api.auth import user_of
from rmadesk.api.bounds import LONG_TEXT, non_blank
from rmadesk.api.schemas import In, Instant, Out
from rmadesk.api.tickets import Serial, SeverityName, TicketOut, ticket_out
from rmadesk.tickets.phone import CALLER_MAX, EmailOnlyCall, log_call
from rmadesk.tickets.selectors import visible_tickets, with_clocks

router = Router(tags=["calls"])


class CallIn(In):
    serial: Serial
    caller: Annotated[str, Field(max_length=CALLER_MAX), non_blank()]
    severity: SeverityName
    notes: Annotated[str, Field(max_length=LONG_TEXT)] = ""
    called_at: Instant | None = None  # T1: with an offset; default now
    warranty_event: StrictBool = False  # T3: a hardware failure reached the warranty phone line
    about_jails_or_plugins: StrictBool = False  # P2


class EmailOnlyCallOut(Out):
    """A TrueCommand call: logged, no ticket opened (L8)."""

    ticket: None = None
    serial: str
    caller: str
    called_at: dt.datetime
    plan: str
    write_to: str
    answer: str
    rule: str


@router.post("/calls", response={201: TicketOut, 200: EmailOnlyCallOut})
def log_phone_call(request: HttpRequest, payload: CallIn) -> Status[object]:
    user = user_of(request)
    logged = log_call(actor=user, **payload.dict())
    if isinstance(logged, EmailOnlyCall):
        return Status(200, logged)
    return Status(201, ticket_out(with_clocks(visible_tickets(user)).get(number=logged.number)))
