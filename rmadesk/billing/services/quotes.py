"""The customer accepts a billable repair quote (R9): it becomes an invoice due per F1."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.billing.choices import InvoiceKind, LineKind
from rmadesk.billing.models import Invoice
from rmadesk.billing.services.invoices import create_invoice
from rmadesk.core import clock
from rmadesk.core.errors import Conflict
from rmadesk.core.permissions import Actor
from rmadesk.core.policies import active_policy
from rmadesk.rmas.models import RepairQuote
from rmadesk.rmas.services.quotes import answer_quote, lock_pending_quote

LINE_LENGTH = 300  # what InvoiceLine.description holds


@transaction.atomic
def accept_repair_quote(*, actor: Actor, quote: RepairQuote) -> Invoice:
    """The ticket's customer accepts the quote, once: the quote becomes an invoice (R9).

    The invoice bills the quoted amount in the quote's currency, due on the customer's payment
    terms (F1: upfront unless net days are agreed); the ticket's RMA may then open as a
    billable repair of the asset out of warranty. A second answer, a declined quote or one past
    its `valid_until` day is refused, naming R9; another customer's quote is 404.
    """
    locked = lock_pending_quote(actor, quote)
    at = clock.now()
    today = at.astimezone(active_policy().vendor_zone).date()
    if locked.valid_until is not None and today > locked.valid_until:
        raise Conflict(
            _("this repair quote was valid until %(day)s: ask for a new quote (rule R9)")
            % {"day": locked.valid_until},
            rule="R9",
            field="quote",
        )
    ticket = locked.ticket
    serial = ticket.asset.serial if ticket.asset is not None else ""
    line = f"Repair of {serial}, out of warranty (quote {locked.pk}): {locked.description}"
    if len(line) > LINE_LENGTH:
        line = line[: LINE_LENGTH - 1].rstrip() + "…"
    invoice = create_invoice(
        actor=actor,
        customer=ticket.customer,
        kind=InvoiceKind.REPAIR_QUOTE,
        lines=[{"kind": LineKind.SERVICE, "description": line, "amount": locked.amount}],
        rma=None,
        at=at,
        currency=locked.currency,
        rules=("R9",),
        repair_quote=locked,
    )
    answer_quote(
        actor=actor, locked=locked, quote=quote, accepted=True, at=at, invoice=invoice.number
    )
    return invoice
