"""The satisfaction app's subscriptions to domain events (imported by `CoreConfig.ready`)."""

from rmadesk.core.events import subscribe
from rmadesk.satisfaction.services import ask_after_close
from rmadesk.tickets.events import TicketClosed

# A ticket closes: its customer is asked, once, to rate it (issue 16).
subscribe(TicketClosed, ask_after_close)
