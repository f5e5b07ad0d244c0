"""The console's one-step answer: a reply or note, its files and a status change, all or nothing.

"Send and wait on the customer" and "Send and close" are one click for the agent and one
transaction here, composed of the conversation and handling services: when the status change
is refused (a close without its reason, an out-of-scope reason P1 does not know), the reply and
its files are rolled back with it and the customer hears nothing.

Waiting comes before the reply, so the reply itself tells the customer the ticket waits on them
(one mail, not two: `WaitingOnCustomer.with_reply`) and pauses the next update from the start
(L5); closing comes after the reply and its files, since a closed ticket takes neither.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from rmadesk.core.errors import InvalidInput
from rmadesk.core.permissions import Actor
from rmadesk.tickets.attachments import attach_files
from rmadesk.tickets.choices import TicketStatus
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services.conversation import reply, wait_on_customer
from rmadesk.tickets.services.handling import close_ticket

THEN_STAY = ""
THEN_WAIT = "wait"
THEN_CLOSE = "close"
THEN = (THEN_STAY, THEN_WAIT, THEN_CLOSE)


@transaction.atomic
def answer_ticket(
    *,
    actor: Actor,
    ticket: Ticket,
    body: str,
    public: bool,
    then: str = THEN_STAY,
    files: Sequence[UploadedFile] = (),
    close_reason: str = "",
    out_of_scope: str | None = None,
) -> Message:
    """A reply (or, `public` False, an internal note) with its files, then, in the same
    transaction, the ticket set to wait on the customer (`then="wait"`) or closed
    (`then="close"`, with `close_reason` and optionally one of P1's `out_of_scope` reasons).

    A ticket already waiting on the customer stays waiting: "send and wait" on it is a reply.
    """
    if then not in THEN:
        raise InvalidInput(
            f"{then!r} is not a next step; after sending, the ticket can stay as it is, wait on "
            f"the customer ({THEN_WAIT}) or be closed ({THEN_CLOSE})",
            field="then",
        )
    if then == THEN_WAIT and ticket.status != TicketStatus.WAITING_ON_CUSTOMER:
        wait_on_customer(actor=actor, ticket=ticket, with_reply=public)
    message = reply(actor=actor, ticket=ticket, body=body, public=public)
    if files:
        attach_files(actor=actor, ticket=ticket, message=message, files=files, via="console")
    if then == THEN_CLOSE:
        close_ticket(actor=actor, ticket=ticket, reason=close_reason, out_of_scope=out_of_scope)
    return message
