"""A record's history in plain words: each audit verb as a person says it (one table).

The audit keeps its raw keys (`ticket.customer_replied`) and rule IDs; pages show the words
below, in the viewer's language, with the key and the rules behind a "details" disclosure for
staff. A verb missing from the table still shows, as its key made readable ("Ticket merged"),
so a new audit event never breaks a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rmadesk.core.models import AuditEvent

# Every audit verb recorded under a ticket's number (its RMA's and invoices' too, P3).
VERB_WORDS: dict[str, Promise] = {
    "ticket.opened": _("Ticket opened"),
    "ticket.customer_replied": _("Customer replied"),
    "ticket.replied": _("Agent replied to the customer"),
    "ticket.note_added": _("Internal note added"),
    "ticket.call_logged": _("Phone call logged"),
    "ticket.attachment_added": _("File attached"),
    "ticket.waiting_on_customer": _("Set to wait on the customer"),
    "ticket.resumed": _("Waiting on us again"),
    "ticket.severity_changed": _("Severity changed"),
    "ticket.policy_retargeted": _("Moved to a newly activated policy, clocks re-targeted"),
    "ticket.assigned": _("Assignee changed"),
    "ticket.closed": _("Ticket closed"),
    "ticket.warranty_denied": _("Warranty claim denied, ticket closed"),
    "ticket.solved_by_customer": _("Closed by the customer (solved)"),
    "ticket.reopened": _("Reopened by the customer"),
    "ticket.rating_asked": _("Customer asked to rate the ticket"),
    "ticket.rated": _("Customer rated the ticket"),
    "ticket.repair_quote_recorded": _("Repair quote sent to the customer"),
    "ticket.repair_quote_accepted": _("Customer accepted the repair quote"),
    "ticket.repair_quote_declined": _("Customer declined the repair quote"),
    "clock.breached": _("Service-level clock breached"),
    "clock.breach_warning": _("Service-level clock about to breach"),
    "mail.received": _("Mail received"),
    "mail.linked": _("Mail linked to the ticket"),
    "mail.discarded": _("Mail discarded as spam"),
    "rma.opened": _("RMA opened"),
    "rma.denied": _("Warranty claim denied"),
    "rma.confirmations_recorded": _("Customer's confirmations recorded"),
    "rma.confirmed": _("RMA confirmed by the customer"),
    "rma.label_issued": _("Return label issued"),
    "rma.label_expiring": _("Return label about to expire"),
    "rma.label_expired": _("Return label expired"),
    "rma.replacement_shipped": _("Replacement shipped"),
    "rma.received": _("Returned package received"),
    "rma.flagged": _("Returned package flagged at receiving"),
    "rma.package_unmatched": _("Package could not be matched"),
    "rma.return_accepted": _("Returned package accepted"),
    "rma.return_rejected": _("Returned package rejected"),
    "rma.inspected": _("Returned part inspected"),
    "rma.decided": _("Repair or replacement decided"),
    "rma.restocking_fee_waived": _("Restocking fee waived"),
    "rma.contents_recorded": _("Money-back return's contents checked"),
    "rma.missing_contents_accepted": _("Money-back return accepted without all its contents"),
    "rma.part_not_returned": _("Part not returned in time"),
    "rma.expired": _("RMA expired"),
    "rma.part_identified": _("Part identified: ship and delivery dates promised"),
    "rma.shipped_back": _("System shipped back to the customer"),
    "rma.shipment_delivered": _("Shipment delivered to the customer"),
    "rma.tracking_recorded": _("Carrier and tracking number recorded"),
    "customer.address_changed": _("Customer's address changed"),
    "invoice.issued": _("Invoice issued"),
    "invoice.payment_recorded": _("Payment recorded"),
    "invoice.credit_note_issued": _("Credit note issued"),
    "invoice.late_fee_accrued": _("Late fee added"),
    "invoice.late_fee_corrected": _("Late fee corrected for a payment received earlier"),
    "appointment.booked": _("On-site appointment booked"),
    "money_back.requested": _("Money back requested"),
    "policy.activated": _("Policy file activated"),
}


def words_for(verb: str) -> str:
    """What the verb says to a person: from VERB_WORDS, else its key made readable."""
    found = VERB_WORDS.get(verb)
    if found is not None:
        return str(found)
    readable = verb.replace(".", " ").replace("_", " ").strip()
    return readable[:1].upper() + readable[1:]


@dataclass(frozen=True)
class HistoryRow:
    """One line of a history: when, who, what in words; the raw key and rules for "details"."""

    at: dt.datetime
    actor: str
    words: str
    verb: str
    rules: tuple[str, ...] = ()
    note: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


def history_rows(events: Iterable[AuditEvent]) -> list[HistoryRow]:
    return [
        HistoryRow(
            at=event.at,
            actor=event.actor_label,
            words=words_for(event.verb),
            verb=event.verb,
            rules=tuple(event.rules or ()),
            note=event.note,
            changes=dict(event.changes or {}),
        )
        for event in events
    ]
