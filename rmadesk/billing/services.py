"""Writes for invoices: issue, pay, credit, the day-14 invoice (R4) and late fees (F1, F2, F4).

Every change locks the invoice (or the RMA it bills) and leaves an audit event; an invoice that
bills an RMA records its events under the RMA's number, so the ticket's history shows them.
The periodic scans (`invoice_unreturned_parts`, `accrue_late_fees`) are idempotent and safe when
two run at once: each claims its rows with `select_for_update(skip_locked=True)` and the
database constraints (`one_automatic_invoice_per_advance_exchange`,
`one_late_fee_per_invoice_month`) turn a lost race into "already done".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet, Sum

from rmadesk.billing.choices import InvoiceKind, InvoiceStatus, LineKind
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from rmadesk.core import clock
from rmadesk.core.errors import ServiceError
from rmadesk.core.permissions import require_role
from rmadesk.core.policies import active_policy
from rmadesk.core.services import allocate_number, record_event
from rmadesk.customers.models import Customer
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import full_months_between, late_fee
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma

FINANCE_ROLES = frozenset({"finance"})
ZERO = Decimal("0.00")
LINE_KINDS = frozenset({LineKind.PART, LineKind.SERVICE})
_M = TypeVar("_M", bound=Model)


def invoice_number(value: int) -> str:
    return f"INV-{value:06d}"


def credit_note_number(value: int) -> str:
    return f"CN-{value:06d}"


def _claim(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """Lock the selected rows, skipping rows another transaction holds (a concurrent scan).

    Only the rows themselves (`of=self`), not the customer or ticket joined to them: locking a
    shared customer row would make two scans skip each other's RMAs of that customer. SQLite
    has no row locks (its write lock serializes writers); there this is a no-op.
    """
    features = connection.features
    if features.has_select_for_update_skip_locked and features.has_select_for_update_of:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()


def _lock(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """Lock the selected rows (waiting for them), not the rows joined by select_related."""
    if connection.features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def _utc(at: dt.datetime, field: str) -> dt.datetime:
    """An instant with an offset (T1: naive is refused), in UTC as stored."""
    return require_aware(at, field).astimezone(dt.UTC)


def _vendor_date(policy: Policy, at: dt.datetime) -> dt.date:
    """The calendar date of an instant in the vendor's zone (due dates and months overdue)."""
    return at.astimezone(policy.vendor_zone).date()


# ------------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class Totals:
    """What an invoice charges and what has settled it; `balance` is what is still owed."""

    principal: Decimal
    late_fees: Decimal
    credits: Decimal
    payments: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.late_fees

    @property
    def balance(self) -> Decimal:
        return self.principal + self.late_fees - self.credits - self.payments

    @property
    def unpaid_principal(self) -> Decimal:
        """The principal late fees are charged on (F2): credits and payments reduce it first."""
        return max(ZERO, self.principal - self.credits - self.payments)


def totals_of(invoice: Invoice) -> Totals:
    """Totals read from the database (three aggregate queries), for use under the row lock."""
    late_fees = invoice.lines.filter(kind=LineKind.LATE_FEE).aggregate(s=Sum("amount"))["s"]
    credits = invoice.credit_notes.aggregate(s=Sum("amount"))["s"]
    payments = invoice.payments.aggregate(s=Sum("amount"))["s"]
    return Totals(
        principal=invoice.principal,
        late_fees=late_fees or ZERO,
        credits=credits or ZERO,
        payments=payments or ZERO,
    )


# ------------------------------------------------------------------------------- issuing


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


def _create_invoice(
    *,
    actor: Any,
    customer: Customer,
    kind: str,
    lines: Sequence[Mapping[str, Any]],
    rma: Rma | None,
    at: dt.datetime,
    currency: str | None,
    rules: tuple[str, ...],
) -> Invoice:
    """The invoice row, its lines and its audit event; the caller holds the transaction."""
    if kind not in InvoiceKind.values:
        raise ServiceError(
            f"unknown invoice kind {kind!r}; the kinds are {', '.join(InvoiceKind.values)}",
            field="kind",
            status=400,
        )
    if not lines:
        raise ServiceError("an invoice needs at least one line", field="lines", status=400)
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
            raise ServiceError(
                f"unknown line kind {line_kind!r}; use part or service",
                field=f"lines.{index}.kind",
                status=400,
            )
        description = str(line.get("description", "")).strip()
        if not description:
            raise ServiceError(
                "every line needs a description", field=f"lines.{index}.description", status=400
            )
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
    issued_on = _vendor_date(policy, at)
    due_on = issued_on + dt.timedelta(days=customer.payment_terms_days)
    invoice = Invoice.objects.create(
        number=invoice_number(allocate_number("invoice")),
        customer=customer,
        kind=kind,
        rma=rma,
        currency=invoice_currency,
        issued_at=at,
        due_on=due_on,
        principal=principal,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, kind=k, description=d, amount=a, added_at=at)
        for k, d, a in checked
    )
    record_event(
        actor=actor,
        verb="invoice.issued",
        subject_type="invoice",
        subject_id=invoice.number,
        ticket_number=rma.number if rma is not None else None,
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
    )
    return invoice


@transaction.atomic
def issue_invoice(
    *,
    actor: Any,
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
    require_role(actor, FINANCE_ROLES, "issuing an invoice")
    at = _utc(at, "at") if at is not None else clock.now()
    if rma is not None and rma.ticket.customer_id != customer.pk:
        raise ServiceError("the RMA belongs to another customer", field="rma", status=400)
    return _create_invoice(
        actor=actor,
        customer=customer,
        kind=kind,
        lines=lines,
        rma=rma,
        at=at,
        currency=currency,
        rules=(),
    )


def _due_for_invoice(now: dt.datetime) -> QuerySet[Rma]:
    """Advance exchanges whose part is still out on their invoice instant, not yet invoiced (R4)."""
    return Rma.objects.filter(
        kind=RmaKind.ADVANCE_EXCHANGE,
        replacement_shipped_at__isnull=False,
        received_at__isnull=True,
        invoice_at__isnull=False,
        invoice_at__lte=now,
    ).exclude(invoices__kind=InvoiceKind.UNRETURNED_PARTS)


def invoice_unreturned_parts(*, now: dt.datetime) -> int:
    """Issue the day-14 invoice of every advance exchange whose part has not come back (R4).

    Exactly one invoice per RMA, for the full cost of its items, however often and however
    concurrently this runs. Each RMA is claimed in its own short transaction, the next due one
    that no concurrent run holds (`SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1` on PostgreSQL),
    so several workers split the work instead of queueing behind each other, and a run killed
    half-way keeps every invoice it committed. Short transactions matter here: invoice numbers
    are gapless (one counter row, locked until commit), so a long transaction would make every
    other worker wait for it. The unique constraint `one_automatic_invoice_per_advance_exchange`
    makes a lost race (an RMA another run invoiced just before we locked it) a no-op. Returns
    how many invoices this run issued.
    """
    now = _utc(now, "now")
    issued = 0
    # RMAs this run looked at and left due (nothing priced, or a race lost): not claimed again.
    passed: list[int] = []
    while True:
        with transaction.atomic():
            rma = (
                _claim(_due_for_invoice(now).exclude(pk__in=passed))
                .select_related("ticket__customer")
                .order_by("pk")
                .first()
            )
            if rma is None:
                return issued
            if _invoice_unreturned_part(rma, now):
                issued += 1
            else:
                passed.append(rma.pk)


def _invoice_unreturned_part(rma: Rma, now: dt.datetime) -> bool:
    """The day-14 invoice of one claimed RMA (R4), in a savepoint; False when none was issued."""
    items = [item for item in rma.items.order_by("pk") if item.unit_price > 0]
    if not items:
        return False  # nothing priced to charge: left for a person to invoice
    lines = [
        {
            "kind": LineKind.PART,
            "description": (
                f"Unreturned {item.part}"
                + (f" (serial {item.serial})" if item.serial else "")
                + f", advance exchange RMA {rma.number} (rule R4)"
            ),
            "amount": item.unit_price,
            "currency": item.currency,
        }
        for item in items
    ]
    try:
        with transaction.atomic():
            _create_invoice(
                actor=None,
                customer=rma.ticket.customer,
                kind=InvoiceKind.UNRETURNED_PARTS,
                lines=lines,
                rma=rma,
                at=now,
                currency=None,
                rules=("R4",),
            )
    except IntegrityError:
        return False  # a concurrent run issued it first: already done
    return True


def void_unreturned_parts_invoice(
    *, rma: Rma, at: dt.datetime, actor: Any = None
) -> CreditNote | None:
    """Credit in full the open day-14 invoice of an RMA whose part has now arrived (R4).

    Returns the credit note, or None when there is no open unreturned-parts invoice (none was
    issued, or it is already credited or paid). Called by receiving inside its transaction.
    """
    at = _utc(at, "at")
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update()
            .filter(rma=rma, kind=InvoiceKind.UNRETURNED_PARTS, status=InvoiceStatus.OPEN)
            .first()
        )
        if invoice is None:
            return None
        totals = totals_of(invoice)
        amount = totals.amount - totals.credits
        if amount <= 0:
            return None
        note = _create_credit_note(
            actor=actor,
            invoice=invoice,
            amount=amount,
            reason=(
                f"the defective part of advance exchange RMA {rma.number} arrived "
                f"{at.isoformat()}: the unreturned-parts invoice is void (rule R4)"
            ),
            at=at,
            rules=("R4",),
        )
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.CREDITED)
        return note


# ------------------------------------------------------------------------------- payments, credits


def _locked_open_invoice(invoice: Invoice) -> Invoice:
    locked = _lock(Invoice.objects.select_related("rma")).get(pk=invoice.pk)
    if locked.status != InvoiceStatus.OPEN:
        raise ServiceError(f"invoice {locked.number} is {locked.status}, not open", field="status")
    return locked


def _ticket_number(invoice: Invoice) -> int | None:
    return invoice.rma.number if invoice.rma is not None else None


@transaction.atomic
def record_payment(
    *,
    actor: Any,
    invoice: Invoice,
    amount: Decimal,
    received_at: dt.datetime | None = None,
    reference: str = "",
) -> Payment:
    """Record money received against an open invoice; settling the balance marks it paid.

    The balance is principal plus late fees, less credit notes and earlier payments (F2); a
    payment may not exceed it.
    """
    require_role(actor, FINANCE_ROLES, "recording a payment")
    received_at = _utc(received_at, "received_at") if received_at else clock.now()
    amount = _positive_amount(amount, "amount")
    locked = _locked_open_invoice(invoice)
    before = totals_of(locked)
    if amount > before.balance:
        raise ServiceError(
            f"a payment of {amount} {locked.currency} exceeds the balance of {before.balance} "
            f"{locked.currency} on invoice {locked.number}",
            field="amount",
        )
    payment = Payment.objects.create(
        invoice=locked,
        amount=amount,
        received_at=received_at,
        reference=reference.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    balance = before.balance - amount
    changes: dict[str, Any] = {
        "amount": amount,
        "received_at": received_at,
        "reference": reference.strip(),
        "balance": [before.balance, balance],
    }
    if balance == 0:
        Invoice.objects.filter(pk=locked.pk).update(status=InvoiceStatus.PAID, paid_at=received_at)
        changes["status"] = [InvoiceStatus.OPEN, InvoiceStatus.PAID]
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, received_at
    record_event(
        actor=actor,
        verb="invoice.payment_recorded",
        subject_type="invoice",
        subject_id=locked.number,
        ticket_number=_ticket_number(locked),
        changes=changes,
        rules=("F2", "F4"),
    )
    return payment


def _create_credit_note(
    *,
    actor: Any,
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
        ticket_number=_ticket_number(invoice),
        changes={"credit_note": note.number, "amount": amount, "currency": invoice.currency},
        rules=("F4", *rules),
        note=reason,
        at=at,
    )
    return note


@transaction.atomic
def issue_credit_note(
    *,
    actor: Any,
    invoice: Invoice,
    amount: Decimal,
    reason: str,
    at: dt.datetime | None = None,
) -> CreditNote:
    """Credit part or all of an open invoice's balance; crediting all of it marks it credited."""
    require_role(actor, FINANCE_ROLES, "issuing a credit note")
    at = _utc(at, "at") if at is not None else clock.now()
    amount = _positive_amount(amount, "amount")
    if not reason or not reason.strip():
        raise ServiceError("a credit note needs a reason", field="reason", status=400)
    locked = _locked_open_invoice(invoice)
    before = totals_of(locked)
    if amount > before.balance:
        raise ServiceError(
            f"a credit of {amount} {locked.currency} exceeds the balance of {before.balance} "
            f"{locked.currency} on invoice {locked.number}",
            field="amount",
        )
    note = _create_credit_note(
        actor=actor, invoice=locked, amount=amount, reason=reason.strip(), at=at, rules=()
    )
    if amount == before.balance:
        Invoice.objects.filter(pk=locked.pk).update(status=InvoiceStatus.CREDITED)
        invoice.status = InvoiceStatus.CREDITED
    return note


# ------------------------------------------------------------------------------- late fees


def late_fee_lines(
    policy: Policy,
    *,
    principal: Decimal,
    due_on: dt.date,
    on: dt.date,
    charged_months: Iterable[int] = (),
) -> list[tuple[int, Decimal]]:
    """The late-fee lines still to charge on `on`: (month k, amount) for each uncharged month.

    Month k charges late_fee(k months) - late_fee(k-1 months), each from the policy's F2
    computation rounded once (F4), so the lines of months 1..n add up to exactly the fee of n
    full months: never a cent more or less than `late_fee(principal, due_on, on)`.
    """
    months = full_months_between(due_on, on)
    charged = set(charged_months)

    def fee_after(k: int) -> Decimal:
        if k == 0:
            return ZERO
        return late_fee(
            policy, principal=principal, due_on=due_on, on=due_on + relativedelta(months=k)
        ).late_fee

    return [(k, fee_after(k) - fee_after(k - 1)) for k in range(1, months + 1) if k not in charged]


def accrue_late_fees(*, now: dt.datetime) -> int:
    """Add a late-fee line for each full month an open invoice is overdue, once (F2, F4).

    Months are counted from the due date to today in the vendor's zone. Idempotent: months
    already charged are skipped, and the constraint `one_late_fee_per_invoice_month` makes a
    concurrent run's duplicate a no-op. Returns how many lines this run added.
    """
    now = _utc(now, "now")
    policy = active_policy()
    today = _vendor_date(policy, now)
    overdue = Invoice.objects.filter(status=InvoiceStatus.OPEN, due_on__lt=today)
    added = 0
    for pk in list(overdue.values_list("pk", flat=True).order_by("pk")):
        with transaction.atomic():
            invoice = _claim(overdue.filter(pk=pk)).select_related("rma").first()
            if invoice is None:
                continue
            charged = set(
                invoice.lines.filter(kind=LineKind.LATE_FEE).values_list(
                    "late_fee_month", flat=True
                )
            )
            totals = totals_of(invoice)
            principal = totals.unpaid_principal
            due = [
                (k, amount)
                for k, amount in late_fee_lines(
                    policy,
                    principal=principal,
                    due_on=invoice.due_on,
                    on=today,
                    charged_months=(m for m in charged if m is not None),
                )
                if amount > 0
            ]
            if not due:
                continue
            rate = policy.document.money.late_fee_rate_per_month
            percent = format((rate * 100).normalize(), "f")
            try:
                with transaction.atomic():
                    InvoiceLine.objects.bulk_create(
                        InvoiceLine(
                            invoice=invoice,
                            kind=LineKind.LATE_FEE,
                            description=(
                                f"Late fee, month {k} overdue since {invoice.due_on}: {percent}% "
                                f"of the unpaid principal {principal} {invoice.currency} "
                                f"(rules F2, F4)"
                            ),
                            amount=amount,
                            late_fee_month=k,
                            added_at=now,
                        )
                        for k, amount in due
                    )
            except IntegrityError:
                continue  # a concurrent run charged these months first
            record_event(
                actor=None,
                verb="invoice.late_fee_accrued",
                subject_type="invoice",
                subject_id=invoice.number,
                ticket_number=_ticket_number(invoice),
                changes={
                    "months": [k for k, _ in due],
                    "amounts": [amount for _, amount in due],
                    "unpaid_principal": principal,
                    "currency": invoice.currency,
                },
                rules=("F2", "F4"),
                note=(
                    f"{full_months_between(invoice.due_on, today)} full months overdue on {today}"
                ),
                at=now,
            )
            added += len(due)
    return added
