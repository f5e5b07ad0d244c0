"""How a customer pays an open invoice: the vendor's bank and remit-to details, the reference
to quote, and the vendor's payment page when it has one (issue 14).

Read from the policy file's `[vendor]` table; the portal's invoice page and the invoice PDF show
the same instructions. A paid or credited invoice, or one with nothing left to pay, has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rmadesk.billing.choices import InvoiceStatus
from rmadesk.billing.models import Invoice
from rmadesk.billing.totals import Totals
from rmadesk.core.policies import active_policy
from rmadesk.policy.vendor import payment_link


@dataclass(frozen=True, slots=True)
class PaymentInstructions:
    reference: str  # what the customer quotes with the payment: the invoice number
    amount_due: Decimal
    currency: str
    bank_name: str
    account_holder: str
    iban: str
    bic: str
    remit_to: tuple[str, ...]
    pay_url: str | None  # the vendor's payment page for this invoice, if it has one
    support_email: str
    support_phone: str


def payment_instructions(invoice: Invoice, totals: Totals) -> PaymentInstructions | None:
    """What to pay and how, for an open invoice with an amount due; else None."""
    if invoice.status != InvoiceStatus.OPEN or totals.balance <= 0:
        return None
    vendor = active_policy().vendor
    if vendor is None:
        return None
    amount = totals.balance
    pay_url = (
        payment_link(
            vendor.payment_url, invoice=invoice.number, amount=amount, currency=invoice.currency
        )
        if vendor.payment_url
        else None
    )
    return PaymentInstructions(
        reference=invoice.number,
        amount_due=amount,
        currency=invoice.currency,
        bank_name=vendor.bank_name,
        account_holder=vendor.account_holder or vendor.legal_name,
        iban=vendor.iban,
        bic=vendor.bic,
        remit_to=vendor.remit_to_lines,
        pay_url=pay_url,
        support_email=vendor.support_email,
        support_phone=vendor.support_phone,
    )
