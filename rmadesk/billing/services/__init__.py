"""Writes for invoices: issue, pay, credit, the day-14 invoice (R4) and late fees (F1, F2, F4).

Every change locks the invoice (or the RMA it bills), is allowed by `rmadesk.billing.permissions`
and leaves an audit event with a typed event (`rmadesk.billing.events`). The modules:
`invoices` (issuing, payments, credit notes), `unreturned` (the day-14 invoice and its credit
note), `late_fees` (the monthly late fee).
"""

from rmadesk.billing.services.invoices import (
    credit_note_number,
    invoice_number,
    issue_credit_note,
    issue_invoice,
    record_payment,
)
from rmadesk.billing.services.late_fees import accrue_late_fees, late_fee_lines
from rmadesk.billing.services.quotes import accept_repair_quote
from rmadesk.billing.services.unreturned import (
    credit_returned_part,
    invoice_unreturned_parts,
    void_unreturned_parts_invoice,
)
from rmadesk.billing.totals import Totals, totals_of

__all__ = [
    "Totals",
    "accept_repair_quote",
    "accrue_late_fees",
    "credit_note_number",
    "credit_returned_part",
    "invoice_number",
    "invoice_unreturned_parts",
    "issue_credit_note",
    "issue_invoice",
    "late_fee_lines",
    "record_payment",
    "totals_of",
    "void_unreturned_parts_invoice",
]
