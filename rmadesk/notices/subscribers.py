"""The notices app's subscriptions to domain events (imported by `CoreConfig.ready`)."""

from rmadesk.core.events import subscribe
from rmadesk.notices.events import BreachApproaching
from rmadesk.notices.notify import (
    on_breach_approaching,
    on_customer_replied,
    on_note_added,
    on_part_received,
    on_repair_quote_answered,
    on_ticket_opened,
    on_ticket_reopened,
)
from rmadesk.rmas.events import PartReceived, RepairQuoteAnswered
from rmadesk.tickets.events import CustomerReplied, NoteAdded, TicketOpened, TicketReopened

subscribe(TicketOpened, on_ticket_opened)
subscribe(CustomerReplied, on_customer_replied)
subscribe(TicketReopened, on_ticket_reopened)
subscribe(NoteAdded, on_note_added)
subscribe(PartReceived, on_part_received)
subscribe(BreachApproaching, on_breach_approaching)
subscribe(RepairQuoteAnswered, on_repair_quote_answered)
