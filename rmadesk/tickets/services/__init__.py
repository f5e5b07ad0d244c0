"""Writes for tickets: open, reply, re-target, wait, resume, assign, close, breach (L1-L7, P1-P3).

Every function here is a service (ARCHITECTURE rule 2): keyword-only `actor`, one transaction,
the ticket row locked for a transition (`rmadesk.core.locking`), who may do it decided by
`rmadesk.tickets.permissions`, and one audit event per call carrying the ticket number and a
typed domain event (`rmadesk.tickets.events`) that its subscribers receive once the
transaction commits. Due times come from the policy core; nothing here computes a date itself.

The modules, by what they change: `opening` (a new ticket), `conversation` (replies, waiting on
the customer), `handling` (severity, assignee, closing), `clocks` (the service-level clocks and
the queue fields they give), `reopening` (the customer reopens a ticket they marked solved,
L5), `breaches` (the breach scan), `answering` (a reply and a status
change in one step), `canned` (canned replies), `uploads` (files uploaded on their own), `bulk`
(one change to many tickets, one service call each).
"""

from rmadesk.tickets.services.answering import answer_ticket
from rmadesk.tickets.services.breaches import mark_breached_clocks
from rmadesk.tickets.services.bulk import (
    BulkOutcome,
    assign_tickets,
    close_tickets,
    resume_tickets,
    wait_on_customer_for,
)
from rmadesk.tickets.services.canned import (
    change_canned_reply,
    create_canned_reply,
    delete_canned_reply,
)
from rmadesk.tickets.services.clocks import queue_fields
from rmadesk.tickets.services.conversation import reply, resume_ticket, wait_on_customer
from rmadesk.tickets.services.handling import (
    assign_ticket,
    change_severity,
    close_ticket,
    denial_cause,
    denial_sentence,
    deny_warranty_claim,
    mark_solved,
)
from rmadesk.tickets.services.opening import open_ticket, plan_for, prerelease_marker
from rmadesk.tickets.services.reopening import reopen_ticket
from rmadesk.tickets.services.uploads import add_attachments

__all__ = [
    "BulkOutcome",
    "add_attachments",
    "answer_ticket",
    "assign_ticket",
    "assign_tickets",
    "change_canned_reply",
    "change_severity",
    "close_ticket",
    "close_tickets",
    "create_canned_reply",
    "delete_canned_reply",
    "denial_cause",
    "denial_sentence",
    "deny_warranty_claim",
    "mark_breached_clocks",
    "mark_solved",
    "open_ticket",
    "plan_for",
    "prerelease_marker",
    "queue_fields",
    "reopen_ticket",
    "reply",
    "resume_ticket",
    "resume_tickets",
    "wait_on_customer",
    "wait_on_customer_for",
]
