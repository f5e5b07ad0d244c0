"""F2 with dated payments: month k's late fee is 1.5% of the principal unpaid at the END of month
k, from when each payment was received (not when it was recorded); a payment recorded after the
fees it lowers were charged corrects them with a credit note (or a line when too low), never by
editing a line; refusals of impossible receipt dates name the field and the rule (T1, F2)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from rmadesk.api.errors import status_of
from rmadesk.billing import services
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from rmadesk.billing.selectors import invoice_status, invoice_totals
from rmadesk.core import clock
from rmadesk.core.errors import DomainError
from rmadesk.core.models import AuditEvent
from rmadesk.web.history import VERB_WORDS
from tests.billing.factories import advance_exchange, finance_user, invoice
from tests.factories import CustomerFactory
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db


def fee_lines(inv: Invoice) -> list[tuple[int | None, str]]:
    return [(line.late_fee_month, str(line.amount)) for line in inv.lines.filter(kind="late_fee")]


def pay(inv: Invoice, amount: str, *, received: dt.datetime, recorded: dt.datetime) -> Payment:
    with clock.frozen_at(recorded):
        return services.record_payment(
            actor=finance_user(), invoice=inv, amount=Decimal(amount), received_at=received
        )


def invoice_389() -> Invoice:
    """389.00 USD, payment upfront, issued and due Wednesday 15 April 2026 (F1)."""
    return invoice(at=pacific(2026, 4, 15, 10, 0), terms=0, amount="389.00")


def jobs_run(now: str) -> str:
    out = io.StringIO()
    call_command("jobs", "run", "--now", now, stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------- the fee follows payment dates


def test_F2_389_unpaid_when_month_1_ended_charges_5_84_though_289_came_after():
    inv = invoice_389()
    # Unpaid when month 1 ended on 15 May; 289.00 received (and recorded) on 20 May.
    pay(inv, "289.00", received=pacific(2026, 5, 20, 11, 0), recorded=pacific(2026, 5, 20, 11, 5))
    # The scan on 21 May: 1.5% of 389.00 = 5.835 → 5.84 (F4), not 1.5% of 100.00 = 1.50.
    out = jobs_run("2026-05-21T10:00:00-07:00")
    assert "accrue_late_fees: 1 late-fee lines added (F2)" in out
    assert fee_lines(inv) == [(1, "5.84")]
    line = inv.lines.get(kind="late_fee")
    assert "principal unpaid at its end, 389.00 USD" in line.description
    assert invoice_totals(inv).balance == Decimal("105.84")
    # Re-running the scan adds nothing.
    assert services.accrue_late_fees(now=pacific(2026, 5, 21, 12, 0)) == 0
    # Month 2 ends 15 June with 100.00 unpaid: 5.835 + 1.50 = 7.335 → 7.34, so 1.50 more.
    assert services.accrue_late_fees(now=pacific(2026, 6, 15, 10, 0)) == 1
    assert fee_lines(inv) == [(1, "5.84"), (2, "1.50")]


def test_F2_a_payment_on_the_day_a_month_ends_counts_after_it():
    # 15 May is one full month past the 15 April due date (F2): money received that day came
    # one full month late, so month 1 is charged on the whole principal.
    inv = invoice_389()
    pay(inv, "289.00", received=pacific(2026, 5, 15, 9, 0), recorded=pacific(2026, 5, 15, 9, 0))
    assert services.accrue_late_fees(now=pacific(2026, 5, 16, 10, 0)) == 1
    assert fee_lines(inv) == [(1, "5.84")]
    # The day before, it would have lowered month 1: 1.5% of 100.00.
    inv = invoice_389()
    pay(inv, "289.00", received=pacific(2026, 5, 14, 9, 0), recorded=pacific(2026, 5, 14, 9, 0))
    assert services.accrue_late_fees(now=pacific(2026, 5, 16, 10, 0)) == 1
    assert fee_lines(inv) == [(1, "1.50")]


def test_F2_paid_in_full_by_the_due_date_owes_no_fee_even_recorded_late():
    inv = invoice(at=pacific(2026, 4, 1, 10, 0), terms=30, amount="389.00")  # due 1 May
    assert services.accrue_late_fees(now=pacific(2026, 6, 1, 10, 0)) == 1  # nothing recorded yet
    # Received on the due date, recorded on 20 June: month 1's fee is credited, the invoice paid.
    pay(inv, "389.00", received=pacific(2026, 5, 1, 16, 0), recorded=pacific(2026, 6, 20, 9, 0))
    inv.refresh_from_db()
    assert (inv.status, invoice_totals(inv).balance) == ("paid", Decimal("0.00"))
    assert CreditNote.objects.get(invoice=inv).amount == Decimal("5.84")
    assert services.accrue_late_fees(now=pacific(2026, 9, 1, 10, 0)) == 0


def test_F2_paid_status_follows_the_latest_payment_date():
    inv = invoice(at=pacific(2026, 1, 5, 10, 0), terms=30, amount="1000.00")
    pay(inv, "600.00", received=pacific(2026, 1, 20, 10, 0), recorded=pacific(2026, 1, 25, 10, 0))
    # Recorded last, received first: the invoice was settled on 20 January, not 15 January.
    pay(inv, "400.00", received=pacific(2026, 1, 15, 10, 0), recorded=pacific(2026, 1, 26, 10, 0))
    inv.refresh_from_db()
    assert (inv.status, inv.paid_at) == ("paid", pacific(2026, 1, 20, 10, 0))
    assert invoice_status(inv, dt.date(2026, 12, 1)) == "paid"


def test_F2_the_day_14_invoice_follows_payment_dates_too():
    # R4: 630.00 invoiced on day 14 (16 Nov 2026, payment upfront: due 16 Nov).
    rma = advance_exchange(customer=CustomerFactory(payment_terms_days=0))
    assert services.invoice_unreturned_parts(now=pacific(2026, 11, 16, 10, 0)) == 1
    inv = Invoice.objects.get(rma=rma)
    # 600.00 received 17 Dec, the day after month 1 ended (16 Dec), before the scan ran.
    pay(inv, "600.00", received=pacific(2026, 12, 17, 9, 0), recorded=pacific(2026, 12, 17, 9, 0))
    assert services.accrue_late_fees(now=pacific(2026, 12, 20, 10, 0)) == 1
    assert fee_lines(inv) == [(1, "9.45")]  # 1.5% of the 630.00 unpaid on 16 Dec, not 0.45


# ------------------------------------------------------------ a payment recorded late corrects


def test_F2_a_payment_recorded_late_credits_the_fees_it_lowered():
    inv = invoice_389()
    assert services.accrue_late_fees(now=pacific(2026, 5, 15, 10, 0)) == 1  # 5.835 → 5.84
    assert services.accrue_late_fees(now=pacific(2026, 6, 15, 10, 0)) == 1  # 11.67 - 5.84
    assert fee_lines(inv) == [(1, "5.84"), (2, "5.83")]
    # 289.00 received 20 May, recorded only on 16 June: month 2 was charged on 389.00 but only
    # 100.00 was unpaid when it ended. Months 1-2: 5.835 + 1.50 = 7.335 → 7.34; 11.67 charged.
    pay(inv, "289.00", received=pacific(2026, 5, 20, 11, 0), recorded=pacific(2026, 6, 16, 9, 0))
    note = CreditNote.objects.get(invoice=inv)
    assert (note.kind, note.amount) == ("late_fee_correction", Decimal("4.33"))
    assert "month 2 (ended 2026-06-15)" in note.reason and "100.00 USD: 1.50 USD" in note.reason
    assert note.issued_at == pacific(2026, 6, 16, 9, 0)
    # The lines sent stay as they were; the balance is 389.00 + 7.34 - 289.00.
    assert fee_lines(inv) == [(1, "5.84"), (2, "5.83")]
    totals = invoice_totals(inv)
    assert (totals.net_late_fees, totals.balance) == (Decimal("7.34"), Decimal("107.34"))
    event = AuditEvent.objects.get(verb="invoice.late_fee_corrected")
    assert event.rules == ["F2", "F4"] and event.changes["amount"] == "4.33"
    assert "invoice.late_fee_corrected" in VERB_WORDS
    # Idempotent: the scan adds nothing, and nothing is corrected twice.
    assert services.accrue_late_fees(now=pacific(2026, 6, 16, 10, 0)) == 0
    assert CreditNote.objects.filter(invoice=inv).count() == 1
    # Month 3 (ends 15 July): 7.335 + 1.50 = 8.835 → 8.84, so 1.50 more; the rest settles it.
    assert services.accrue_late_fees(now=pacific(2026, 7, 15, 10, 0)) == 1
    assert fee_lines(inv)[-1] == (3, "1.50")
    pay(inv, "108.84", received=pacific(2026, 7, 15, 12, 0), recorded=pacific(2026, 7, 15, 12, 0))
    inv.refresh_from_db()
    assert (inv.status, inv.paid_at) == ("paid", pacific(2026, 7, 15, 12, 0))
    assert CreditNote.objects.filter(invoice=inv).count() == 1


def test_F2_a_late_payment_settling_principal_and_due_fees_marks_paid():
    inv = invoice_389()
    services.accrue_late_fees(now=pacific(2026, 6, 15, 10, 0))  # 5.84 + 5.83 on 389.00
    # 394.84 (389.00 and month 1's 5.84) received 20 May, recorded 16 June: month 2 is 0.00.
    with clock.frozen_at(pacific(2026, 6, 16, 9, 0)), pytest.raises(DomainError) as over:
        services.record_payment(
            actor=finance_user(),
            invoice=inv,
            amount=Decimal("394.85"),
            received_at=pacific(2026, 5, 20, 11, 0),
        )
    assert (status_of(over.value), over.value.field) == (409, "amount")
    assert "394.84" in over.value.message
    pay(inv, "394.84", received=pacific(2026, 5, 20, 11, 0), recorded=pacific(2026, 6, 16, 9, 0))
    inv.refresh_from_db()
    assert (inv.status, inv.paid_at) == ("paid", pacific(2026, 5, 20, 11, 0))
    assert CreditNote.objects.get(invoice=inv).amount == Decimal("5.83")


def test_F2_a_fee_charged_too_low_gets_a_new_line_not_an_edit():
    inv = invoice_389()
    pay(inv, "289.00", received=pacific(2026, 5, 20, 11, 0), recorded=pacific(2026, 5, 20, 11, 0))
    # What the previous version charged on 21 May: 1.5% of 389.00 - 289.00 (every payment,
    # whatever its date) = 1.50.
    InvoiceLine.objects.create(
        invoice=inv,
        kind="late_fee",
        description="Late fee, month 1 overdue since 2026-04-15",
        amount=Decimal("1.50"),
        late_fee_month=1,
        added_at=pacific(2026, 5, 21, 10, 0),
    )
    # 10.00 received 10 May (before month 1 ended), recorded 22 May: month 1 is 1.5% of
    # 379.00 = 5.685 → 5.69, so 4.19 more, as a new line.
    pay(inv, "10.00", received=pacific(2026, 5, 10, 11, 0), recorded=pacific(2026, 5, 22, 9, 0))
    fix = inv.lines.get(kind="late_fee_correction")
    assert fix.amount == Decimal("4.19") and "(rules F2, F4)" in fix.description
    assert inv.lines.get(kind="late_fee").amount == Decimal("1.50")
    assert invoice_totals(inv).net_late_fees == Decimal("5.69")
    assert not CreditNote.objects.exists()


# --------------------------------------------------------------- when the money was received


def test_F2_T1_a_payment_cannot_be_received_in_the_future():
    inv = invoice_389()
    with clock.frozen_at(pacific(2026, 5, 1, 9, 0)), pytest.raises(DomainError) as refused:
        services.record_payment(
            actor=finance_user(),
            invoice=inv,
            amount=Decimal("10.00"),
            received_at=pacific(2026, 5, 1, 9, 1),
        )
    assert (refused.value.rule, refused.value.field, status_of(refused.value)) == (
        "T1",
        "received_at",
        400,
    )
    assert not Payment.objects.exists()


def test_F2_a_payment_cannot_be_received_before_the_invoice_was_issued():
    inv = invoice_389()
    with clock.frozen_at(pacific(2026, 5, 1, 9, 0)), pytest.raises(DomainError) as refused:
        services.record_payment(
            actor=finance_user(),
            invoice=inv,
            amount=Decimal("10.00"),
            received_at=pacific(2026, 4, 14, 23, 59),
        )
    assert (refused.value.rule, refused.value.field) == ("F2", "received_at")
    assert not Payment.objects.exists()
    # The day of issue counts, even before the invoice was written that day (F1 upfront).
    pay(inv, "10.00", received=pacific(2026, 4, 15, 8, 0), recorded=pacific(2026, 5, 1, 9, 0))
