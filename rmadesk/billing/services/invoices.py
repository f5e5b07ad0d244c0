"""Invoices, payments and credit notes (F1, F4), and the numbers they carry.

Every change locks the invoice and leaves an audit event with a typed event
(`rmadesk.billing.events`); an invoice that bills an RMA records its events under the RMA's
number, so the ticket's history shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from rmadesk.billing.choices import CreditNoteKind, InvoiceKind, InvoiceStatus, LineKind
from rmadesk.billing.events import (
    CreditNoteIssued,
    InvoiceFacts,
    InvoiceIssued,
    LateFeeCorrected,
    PaymentRecorded,
)
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from rmadesk.billing.permissions import require_finance
from rmadesk.billing.totals import ZERO, Totals, settlements_of, totals_of
from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.core.services import allocate_number, record_event
from rmadesk.core.validation import required_text
from rmadesk.customers.models import Customer
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import (
    Settlement,
    full_months_between,
    late_fee_schedule,
    month_end,
    round_money,
)
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.tickets.events import CustomerFacts, TicketFacts
from rmadesk.tickets.models import Ticket

LINE_KINDS = frozenset({LineKind.PART, LineKind.SERVICE})


def invoice_number(value: int) -> str:
    return f"INV-{value:06d}"


def credit_note_number(value: int) -> str:
    return f"CN-{value:06d}"


def vendor_date(policy: Policy, at: dt.datetime) -> dt.date:
    """The calendar date of an instant in the vendor's zone (due dates and months overdue)."""
    return at.astimezone(policy.vendor_zone).date()


def billed_ticket(invoice: Invoice) -> Ticket | None:
    """The ticket an invoice bills: its RMA's, or its accepted repair quote's (R9)."""
    if invoice.rma is not None:
        return invoice.rma.ticket
    if invoice.repair_quote is not None:
        return invoice.repair_quote.ticket
    return None


def event_facts(
    invoice: Invoice, *, lines: Iterable[InvoiceLine] | None = None, totals: Totals | None = None
) -> dict[str, Any]:
    """The facts every invoice event carries (its customer, RMA and ticket are loaded)."""
    ticket = billed_ticket(invoice)
    return {
        "invoice": InvoiceFacts.of(
            invoice,
            lines=invoice.lines.order_by("pk") if lines is None else lines,
            totals=totals_of(invoice) if totals is None else totals,
        ),
        "customer": CustomerFacts.of(invoice.customer),
        "ticket": TicketFacts.of(ticket) if ticket is not None else None,
    }


def _positive_amount(value: Any, field: str, rule: str = "F4") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise PolicyError(
            f"an amount is a decimal such as 1250.00, not {value!r}", rule=rule, field=field
        )
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise PolicyError(f"{value!r} is not a decimal amount", rule=rule, field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise PolicyError(f"{field} must be more than zero, not {value}", rule=rule, field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise PolicyError(f"{field} {value} has more than two decimals", rule=rule, field=field)
    return amount.quantize(Decimal("0.01"))


def create_invoice(
    *,
    actor: Actor,
    customer: Customer,
    kind: str,
    lines: Sequence[Mapping[str, Any]],
    rma: Rma | None,
    at: dt.datetime,
    currency: str | None,
    rules: tuple[str, ...],
    repair_quote: RepairQuote | None = None,
) -> Invoice:
    """The invoice row, its lines and its audit event; the caller holds the transaction."""
    if kind not in InvoiceKind.values:
        raise InvalidInput(
            f"unknown invoice kind {kind!r}; the kinds are {', '.join(InvoiceKind.values)}",
            field="kind",
        )
    if not lines:
        raise InvalidInput("an invoice needs at least one line", field="lines")
    policy = active_policy()
    checked: list[tuple[str, str, Decimal]] = []
    currencies: set[str] = set()
    for index, line in enumerate(lines):
        line_kind = str(line.get("kind", LineKind.PART))
        if line_kind == LineKind.LATE_FEE:
            raise PolicyError(
                "late fees are accrued on overdue invoices, never issued as lines",
                rule="F2",
                field=f"lines.{index}.kind",
            )
        if line_kind not in LINE_KINDS:
            raise InvalidInput(
                f"unknown line kind {line_kind!r}; use part or service",
                field=f"lines.{index}.kind",
            )
        description = str(line.get("description", "")).strip()
        if not description:
            raise InvalidInput("every line needs a description", field=f"lines.{index}.description")
        amount = _positive_amount(line.get("amount"), f"lines.{index}.amount")
        if line.get("currency"):
            currencies.add(str(line["currency"]).upper())
        checked.append((line_kind, description, amount))
    if currency:
        currencies.add(currency.upper())
    if len(currencies) > 1:
        raise PolicyError(
            f"one invoice is in one currency, not {', '.join(sorted(currencies))}",
            rule="F4",
            field="currency",
        )
    invoice_currency = currencies.pop() if currencies else policy.currency
    principal = sum((amount for _, _, amount in checked), ZERO)
    # F1: payment upfront (due on the day of issue) unless the customer has net terms.
    issued_on = vendor_date(policy, at)
    due_on = issued_on + dt.timedelta(days=customer.payment_terms_days)
    invoice = Invoice.objects.create(
        number=invoice_number(allocate_number("invoice")),
        customer=customer,
        kind=kind,
        rma=rma,
        repair_quote=repair_quote,
        currency=invoice_currency,
        issued_at=at,
        due_on=due_on,
        principal=principal,
    )
    created = InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, kind=k, description=d, amount=a, added_at=at)
        for k, d, a in checked
    )
    record_event(
        actor=actor,
        verb="invoice.issued",
        subject_type="invoice",
        subject_id=invoice.number,
        ticket_number=ticket_number_of(invoice),
        changes={
            "kind": kind,
            "customer": customer.pk,
            "principal": principal,
            "currency": invoice_currency,
            "due_on": due_on,
            "payment_terms_days": customer.payment_terms_days,
            "lines": [{"kind": k, "description": d, "amount": a} for k, d, a in checked],
        },
        rules=("F1", "F4", *rules),
        note=(
            "payment upfront: due on issue (rule F1)"
            if customer.payment_terms_days == 0
            else f"net {customer.payment_terms_days} days (rule F1)"
        ),
        at=at,
        event=InvoiceIssued(
            **event_facts(
                invoice,
                lines=created,
                totals=Totals(principal=principal, late_fees=ZERO, credits=ZERO, payments=ZERO),
            )
        ),
    )
    return invoice


@transaction.atomic
def issue_invoice(
    *,
    actor: Actor,
    customer: Customer,
    kind: str,
    lines: Sequence[Mapping[str, Any]],
    rma: Rma | None = None,
    at: dt.datetime | None = None,
    currency: str | None = None,
) -> Invoice:
    """An invoice for `lines` ({kind part|service, description, amount[, currency]}) (F1, F4).

    Due on the issue date in the vendor's zone plus the customer's payment terms: 0 days means
    payment upfront, due on the day of issue (F1). Its principal is the sum of its lines.
    """
    require_finance(actor, "issuing an invoice")
    at = instant_for(actor, at)
    if rma is not None and rma.ticket.customer_id != customer.pk:
        raise InvalidInput("the RMA belongs to another customer", field="rma")
    return create_invoice(
        actor=actor,
        customer=customer,
        kind=kind,
        lines=lines,
        rma=rma,
        at=at,
        currency=currency,
        rules=(),
    )


def locked_open_invoice(invoice: Invoice) -> Invoice:
    """The invoice row (its customer, RMA and ticket read along), locked; refused unless open."""
    locked = lock(
        Invoice.objects.select_related(
            "customer",
            "rma",
            "rma__ticket",
            "rma__ticket__customer",
            "repair_quote__ticket__customer",
        ),
        invoice.pk,
    )
    if locked.status != InvoiceStatus.OPEN:
        raise Conflict(f"invoice {locked.number} is {locked.status}, not open", field="status")
    return locked


def ticket_number_of(invoice: Invoice) -> int | None:
    if invoice.rma is not None:
        return invoice.rma.number  # the RMA carries its ticket's number (P3)
    ticket = billed_ticket(invoice)
    return ticket.number if ticket is not None else None


def received_instant(invoice: Invoice, received_at: dt.datetime, policy: Policy) -> dt.datetime:
    """When a payment was received: not after now (T1), not before the invoice's issue date (F2).

    The issue date is the vendor's calendar date, so money received on the day of issue, before
    the invoice was written, counts (payment upfront, F1).
    """
    if received_at > clock.now():
        raise InvalidInput(
            f"received_at {received_at.isoformat()} is in the future: a payment is recorded "
            f"when it was received",
            rule="T1",
            field="received_at",
        )
    received_on = vendor_date(policy, received_at)
    issued_on = vendor_date(policy, invoice.issued_at)
    if received_on < issued_on:
        raise InvalidInput(
            f"received_at {received_on} is before invoice {invoice.number} was issued on "
            f"{issued_on}: a payment is received for an invoice already issued",
            rule="F2",
            field="received_at",
        )
    return received_at


@dataclass(frozen=True)
class FeeCorrection:
    """A late payment's effect on the late fees already charged (F2): `amount` > 0 is owed
    more, < 0 was charged too much; `explain` says which months and why."""

    amount: Decimal
    months: tuple[int, ...]
    explain: tuple[str, ...]


def late_fee_correction(
    invoice: Invoice,
    totals: Totals,
    policy: Policy,
    *,
    extra: Settlement | None = None,
) -> FeeCorrection | None:
    """What the late fees already charged should be given the dated payments (F2, F4).

    Only when money (`extra`, the payment being recorded, or any on record) is dated before
    the end of a month already charged: that month's fee was computed on a principal that was
    in fact lower. Months 1..m (m the last charged) are recomputed together, so after the
    correction the fees charged are exactly the F2 fee of m months, rounded once (F4).
    """
    charged = invoice.lines.filter(kind=LineKind.LATE_FEE).aggregate(m=Max("late_fee_month"))
    last = charged["m"]
    if not last:
        return None
    settlements = settlements_of(invoice, policy.vendor_zone)
    if extra is not None:
        settlements.append(extra)
    if extra is not None and full_months_between(invoice.due_on, extra.on) >= last:
        return None  # received after the last charged month ended: it lowers no charged fee
    schedule = late_fee_schedule(
        policy,
        principal=invoice.principal,
        due_on=invoice.due_on,
        on=month_end(invoice.due_on, last),
        settlements=settlements,
        currency=invoice.currency,
    )
    # Quantized: SQLite's sums come back with more digits than the cents they add up.
    difference = round_money(schedule.total_to(last) - totals.net_late_fees)
    if difference == 0:
        return None
    dated = [extra] if extra is not None else settlements
    first = min((full_months_between(invoice.due_on, s.on) + 1 for s in dated), default=1)
    affected = tuple(m for m in schedule.months if m.month >= first)
    return FeeCorrection(
        amount=difference,
        months=tuple(m.month for m in affected),
        explain=tuple(
            f"month {m.month} (ended {m.ends_on}) on the principal unpaid at its end, "
            f"{m.unpaid_principal} {invoice.currency}: {m.fee} {invoice.currency}"
            for m in affected
        ),
    )


def correct_late_fees(
    *,
    actor: Actor,
    invoice: Invoice,
    correction: FeeCorrection,
    at: dt.datetime,
    cause: str,
) -> CreditNote | InvoiceLine:
    """Bring the late fees charged to what F2 says: a credit note when they were too high, a
    new line when too low. A sent invoice's lines are never edited. The invoice is locked."""
    reason = (
        f"Late fees recomputed after {cause}: {'; '.join(correction.explain)}; "
        f"{abs(correction.amount)} {invoice.currency} "
        f"{'credited' if correction.amount < 0 else 'added'} (rules F2, F4)"
    )
    made: CreditNote | InvoiceLine
    if correction.amount < 0:
        made = CreditNote.objects.create(
            number=credit_note_number(allocate_number("credit_note")),
            invoice=invoice,
            kind=CreditNoteKind.LATE_FEE_CORRECTION,
            amount=-correction.amount,
            reason=reason,
            issued_at=at,
        )
        changes: dict[str, Any] = {"credit_note": made.number, "amount": -correction.amount}
    else:
        made = InvoiceLine.objects.create(
            invoice=invoice,
            kind=LineKind.LATE_FEE_CORRECTION,
            description=reason,
            amount=correction.amount,
            added_at=at,
        )
        changes = {"line": made.description, "amount": correction.amount}
    record_event(
        actor=actor,
        verb="invoice.late_fee_corrected",
        subject_type="invoice",
        subject_id=invoice.number,
        ticket_number=ticket_number_of(invoice),
        changes=changes | {"months": list(correction.months), "currency": invoice.currency},
        rules=("F2", "F4"),
        note=reason,
        at=at,
        event=LateFeeCorrected(
            **event_facts(invoice),
            amount=correction.amount,
            months=correction.months,
            credit_note=made.number if isinstance(made, CreditNote) else None,
        ),
    )
    return made


@transaction.atomic
def record_payment(
    *,
    actor: Actor,
    invoice: Invoice,
    amount: Decimal,
    received_at: dt.datetime | None = None,
    reference: str = "",
) -> Payment:
    """Record money received against an open invoice; settling the balance marks it paid.

    `received_at` is when the money was received (staff may give an earlier instant; never in
    the future, never before the invoice's issue date). The balance is principal plus late
    fees, less credit notes and earlier payments (F2); a payment may not exceed it. A payment
    received before the end of a month whose late fee is already charged lowers that fee: the
    difference is credited (`correct_late_fees`), in the same transaction. The invoice is
    paid when the balance is settled, as of the latest payment's `received_at`.
    """
    require_finance(actor, "recording a payment")
    received_at = instant_for(actor, received_at, field="received_at")
    amount = _positive_amount(amount, "amount")
    policy = active_policy()
    locked = locked_open_invoice(invoice)
    received_at = received_instant(locked, received_at, policy)
    before = totals_of(locked)
    correction = late_fee_correction(
        locked,
        before,
        policy,
        extra=Settlement(on=vendor_date(policy, received_at), amount=amount),
    )
    owed = round_money(before.balance + (correction.amount if correction is not None else ZERO))
    if amount > owed:
        raise Conflict(
            f"a payment of {amount} {locked.currency} exceeds the balance of {owed} "
            f"{locked.currency} on invoice {locked.number}",
            field="amount",
        )
    payment = Payment.objects.create(
        invoice=locked,
        amount=amount,
        received_at=received_at,
        reference=reference.strip(),
        recorded_by=user_or_none(actor),
    )
    recorded_at = clock.now()
    balance = owed - amount
    changes: dict[str, Any] = {
        "amount": amount,
        "received_at": received_at,
        "reference": reference.strip(),
        "balance": [before.balance, balance],
    }
    if balance == 0:
        paid_at = max(locked.payments.values_list("received_at", flat=True))
        Invoice.objects.filter(pk=locked.pk).update(status=InvoiceStatus.PAID, paid_at=paid_at)
        changes["status"] = [InvoiceStatus.OPEN, InvoiceStatus.PAID]
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, paid_at
    record_event(
        actor=actor,
        verb="invoice.payment_recorded",
        subject_type="invoice",
        subject_id=locked.number,
        ticket_number=ticket_number_of(locked),
        changes=changes,
        rules=("F2", "F4"),
        at=recorded_at,
        event=PaymentRecorded(
            **event_facts(
                locked,
                totals=Totals(
                    principal=before.principal,
                    late_fees=before.late_fees,
                    credits=before.credits,
                    payments=before.payments + amount,
                    late_fee_credits=before.late_fee_credits,
                ),
            ),
            amount=amount,
        ),
    )
    if correction is not None:
        correct_late_fees(
            actor=actor,
            invoice=locked,
            correction=correction,
            at=recorded_at,
            cause=(
                f"a payment of {amount} {locked.currency} received "
                f"{vendor_date(policy, received_at)}, recorded {vendor_date(policy, recorded_at)}"
            ),
        )
    return payment


def create_credit_note(
    *,
    actor: Actor,
    invoice: Invoice,
    amount: Decimal,
    reason: str,
    at: dt.datetime,
    rules: tuple[str, ...],
) -> CreditNote:
    note = CreditNote.objects.create(
        number=credit_note_number(allocate_number("credit_note")),
        invoice=invoice,
        amount=amount,
        reason=reason,
        issued_at=at,
    )
    record_event(
        actor=actor,
        verb="invoice.credit_note_issued",
        subject_type="invoice",
        subject_id=invoice.number,
        ticket_number=ticket_number_of(invoice),
        changes={"credit_note": note.number, "amount": amount, "currency": invoice.currency},
        rules=("F4", *rules),
        note=reason,
        at=at,
        event=CreditNoteIssued(**event_facts(invoice), credit_note=note.number, amount=amount),
    )
    return note


@transaction.atomic
def issue_credit_note(
    *,
    actor: Actor,
    invoice: Invoice,
    amount: Decimal,
    reason: str,
    at: dt.datetime | None = None,
) -> CreditNote:
    """Credit part or all of an open invoice's balance; crediting all of it marks it credited."""
    require_finance(actor, "issuing a credit note")
    at = instant_for(actor, at)
    amount = _positive_amount(amount, "amount")
    reason = required_text(reason, "reason", what="a credit note's reason")
    locked = locked_open_invoice(invoice)
    before = totals_of(locked)
    if amount > before.balance:
        raise Conflict(
            f"a credit of {amount} {locked.currency} exceeds the balance of {before.balance} "
            f"{locked.currency} on invoice {locked.number}",
            field="amount",
        )
    note = create_credit_note(
        actor=actor, invoice=locked, amount=amount, reason=reason, at=at, rules=()
    )
    if amount == before.balance:
        Invoice.objects.filter(pk=locked.pk).update(status=InvoiceStatus.CREDITED)
        invoice.status = InvoiceStatus.CREDITED
    return note
