"""Writes for RMAs: open (R1, R5, F3), confirm (R6), label (R2), advance exchange (R4),
receiving (R3), inspection and decision (R7, R8), money-back refunds (F3), expiry scans and
reminders.

Every function is a service in the house sense: keyword-only `actor`, one transaction, the RMA
row locked for a transition (`common.lock_rma`), who may do it decided by
`rmadesk.rmas.permissions`, and an audit event carrying the ticket's number (the RMA number is
the ticket number, P3) with a typed event (`rmadesk.rmas.events`) its subscribers receive once
the transaction commits. Dates come from the policy core (`rma_dates`, `is_rma_expired`,
`money_back_refund`), never from here.

The modules, by stage: `opening`, `returns` (confirmations, label, replacement, receiving),
`decisions` (inspection, repair or replace, restocking fee), `denials` (a warranty claim
denied naming W2's cause), `quotes` (billable repair quotes out of warranty, R9), `refunds` (a
money-back return's contents, F3), `shipments` (what ships to the customer and its N1-N3
promise), `tracking` (carriers and tracking numbers), `scans` (expiry, reminders).
"""

from rmadesk.rmas.services.decisions import decide_rma, inspect_return, waive_restocking_fee
from rmadesk.rmas.services.denials import deny_rma
from rmadesk.rmas.services.opening import open_rma
from rmadesk.rmas.services.quotes import decline_repair_quote, record_repair_quote
from rmadesk.rmas.services.refunds import accept_missing_contents, record_return_contents
from rmadesk.rmas.services.returns import (
    accept_return,
    confirm_rma,
    issue_label,
    read_label_number,
    receive_return,
    reject_return,
    ship_replacement,
)
from rmadesk.rmas.services.scans import (
    expire_labels,
    expire_rmas,
    remind_label_expiring,
    remind_part_not_returned,
)
from rmadesk.rmas.services.shipments import identify_part, record_delivery, ship_back
from rmadesk.rmas.services.tracking import record_tracking

__all__ = [
    "accept_missing_contents",
    "accept_return",
    "confirm_rma",
    "decide_rma",
    "decline_repair_quote",
    "deny_rma",
    "expire_labels",
    "expire_rmas",
    "identify_part",
    "inspect_return",
    "issue_label",
    "open_rma",
    "read_label_number",
    "receive_return",
    "record_delivery",
    "record_repair_quote",
    "record_return_contents",
    "record_tracking",
    "reject_return",
    "remind_label_expiring",
    "remind_part_not_returned",
    "ship_back",
    "ship_replacement",
    "waive_restocking_fee",
]
