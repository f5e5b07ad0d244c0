"""Late fees on overdue invoices (F2, F4): one line per full month overdue, charged once.

Month k's fee is charged on the principal unpaid at the end of month k, from the payments'
and credit notes' own dates (`rmadesk.policy.money.late_fee_schedule`): money received after a
month ended never lowers that month's fee, whenever it was recorded. A payment recorded after
the fees it affects were charged corrects them when it is recorded (`record_payment`).

The scan is idempotent and safe when two run at once: each claims its invoice with
`select_for_update(skip_locked=True)`, and the constraint `one_late_fee_per_invoice_month`
turns a concurrent run's duplicate into a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction

from rmadesk.billing.choices import InvoiceStatus, LineKind
from rmadesk.billing.events import LateFeeAccrued
from rmadesk.billing.models import Invoice, InvoiceLine
from rmadesk.billing.services.invoices import event_facts, ticket_number_of, vendor_date
from rmadesk.billing.totals import ZERO, Totals, settlements_of, totals_of
from rmadesk.core.locking import claim
from rmadesk.core.policies import active_policy
from rmadesk.core.scan_items import each_item
from rmadesk.core.services import record_event
from rmadesk.core.validation import aware_instant
from rmadesk.policy import sentences as S
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import full_months_between, late_fee, late_fee_schedule
from rmadesk.policy.sentences import cited


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

    Months are counted from the due date to today in the vendor's zone; each is charged on the
    principal unpaid at its end, from the dated payments and credit notes. Idempotent: months
    already charged are skipped, and the constraint `one_late_fee_per_invoice_month` makes a
    concurrent run's duplicate a no-op. Returns how many lines this run added.
    """
    now = aware_instant(now, "now")
    policy = active_policy()
    today = vendor_date(policy, now)
    overdue = Invoice.objects.filter(status=InvoiceStatus.OPEN, due_on__lt=today)
    added = 0
    for pk in list(overdue.values_list("pk", flat=True).order_by("pk")):
        with each_item("invoice", pk):  # a savepoint: a bad invoice is logged, the rest go on
            invoice = claim(
                overdue.filter(pk=pk).select_related(
                    "customer", "rma", "rma__ticket", "rma__ticket__customer"
                )
            ).first()
            if invoice is None:
                continue
            charged = set(
                invoice.lines.filter(kind=LineKind.LATE_FEE).values_list(
                    "late_fee_month", flat=True
                )
            )
            totals = totals_of(invoice)
            schedule = late_fee_schedule(
                policy,
                principal=invoice.principal,
                due_on=invoice.due_on,
                on=today,
                settlements=settlements_of(invoice, policy.vendor_zone),
                currency=invoice.currency,
            )
            due = [m for m in schedule.months if m.month not in charged and m.fee > 0]
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
                            description=cited(
                                S.LATE_FEE_LINE(
                                    month=m.month,
                                    due=invoice.due_on,
                                    ended=m.ends_on,
                                    percent=percent,
                                    unpaid=f"{m.unpaid_principal} {invoice.currency}",
                                ),
                                "rules F2, F4",
                                stop="",
                            ),
                            amount=m.fee,
                            late_fee_month=m.month,
                            added_at=now,
                        )
                        for m in due
                    )
            except IntegrityError:
                continue  # a concurrent run charged these months first
            record_event(
                actor=None,
                verb="invoice.late_fee_accrued",
                subject_type="invoice",
                subject_id=invoice.number,
                ticket_number=ticket_number_of(invoice),
                changes={
                    "months": [m.month for m in due],
                    "amounts": [m.fee for m in due],
                    "unpaid_principal": [m.unpaid_principal for m in due],
                    "currency": invoice.currency,
                },
                rules=("F2", "F4"),
                note=(
                    f"{full_months_between(invoice.due_on, today)} full months overdue on {today}"
                ),
                at=now,
                event=LateFeeAccrued(
                    **event_facts(
                        invoice,
                        totals=Totals(
                            principal=totals.principal,
                            late_fees=totals.late_fees + sum(m.fee for m in due),
                            credits=totals.credits,
                            payments=totals.payments,
                            late_fee_credits=totals.late_fee_credits,
                        ),
                    ),
                    months=tuple(m.month for m in due),
                    amounts=tuple(m.fee for m in due),
                ),
            )
            added += len(due)
    return added
