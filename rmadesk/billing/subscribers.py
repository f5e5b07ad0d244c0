"""Billing's subscriptions to domain events (imported by `CoreConfig.ready`)."""

from rmadesk.billing.services.unreturned import credit_returned_part
from rmadesk.core.events import subscribe
from rmadesk.rmas.events import PartReceived

# R4: a part that arrives after its day-14 invoice voids it with a credit note.
subscribe(PartReceived, credit_returned_part)
