"""Phone calls: an agent logs a call and gets its ticket (L4, T1, T5).

A thin adapter (ARCHITECTURE rule 3): parse, call `log_call`, render the ticket as `/tickets`
does. Staff who work tickets only; a customer's contact gets 403.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from rmadesk.api.auth import user_of
from rmadesk.api.schemas import In, Instant
from rmadesk.api.tickets import TicketOut, ticket_out
from rmadesk.tickets.phone import log_call
from rmadesk.tickets.selectors import visible_tickets, with_clocks

router = Router(tags=["calls"])


class CallIn(In):
    serial: str
    caller: str
    severity: str
    notes: str = ""
    called_at: Instant | None = None  # T1: with an offset; default now


@router.post("/calls", response={201: TicketOut})
def log_phone_call(request: HttpRequest, payload: CallIn) -> Status[object]:
    user = user_of(request)
    ticket = log_call(actor=user, **payload.dict())
    return Status(201, ticket_out(with_clocks(visible_tickets(user)).get(number=ticket.number)))
