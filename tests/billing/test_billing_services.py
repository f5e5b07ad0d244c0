"""Billing services with exact values from POLICY.md: F1 due dates, the R4 day-14 invoice and its
credit note, payments and credit notes, F2 late fees (F4 rounding)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.api.errors import status_of
from rmadesk.billing import services
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine
from rmadesk.billing.selectors import invoice_status, invoice_totals
from rmadesk.core import clock
from rmadesk.core.errors import DomainError
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import PermissionDenied
from rmadesk.core.policies import active_policy
from rmadesk.core.services import add_user
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.money import late_fee
from tests.billing.factories import SHIPPED_AT, advance_exchange, finance_user, invoice
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
DAY = dt.timedelta(days=1)
INVOICE_AT = dt.datetime(2026, 11, 16, 18, 0, tzinfo=UTC)  # day 14, 10:00 PST (R4)


def lines_of(inv: Invoice, kind: str = "late_fee") -> list[tuple[int | None, str]]:
    return [(line.late_fee_month, str(line.amount)) for line in inv.lines.filter(kind=kind)]


# ------------------------------------------------------------------------------- F1: due dates


def test_f1_upfront_terms_are_due_on_the_day_of_issue():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    assert inv.number == "INV-000001"
    assert inv.due_on == dt.date(2026, 1, 10)
    assert inv.principal == Decimal("1000.00")
    assert inv.currency == "USD"
    assert invoice_status(inv, dt.date(2026, 1, 10)) == "open"
    assert invoice_status(inv, dt.date(2026, 1, 11)) == "overdue"


def test_f1_issue_date_is_the_vendor_zone_date():
    # 05:00 UTC on 11 January is 21:00 PST on 10 January: issued (and due, upfront) on the 10th.
    inv = invoice(at=dt.datetime(2026, 1, 11, 5, 0, tzinfo=UTC), terms=0)
    assert inv.due_on == dt.date(2026, 1, 10)


def test_f1_net_terms_add_days_to_the_issue_date():
    first = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=30)
    second = invoice(at=dt.datetime(2026, 1, 31, 18, 0, tzinfo=UTC), terms=45)
    assert (first.number, first.due_on) == ("INV-000001", dt.date(2026, 2, 9))
    assert (second.number, second.due_on) == ("INV-000002", dt.date(2026, 3, 17))


def test_issue_invoice_sums_its_lines_and_records_an_event():
    customer = CustomerFactory(payment_terms_days=0)
    with clock.frozen_at(dt.datetime(2026, 3, 2, 17, 0, tzinfo=UTC)):
        inv = services.issue_invoice(
            actor=finance_user(),
            customer=customer,
            kind="service",
            lines=[
                {"kind": "service", "description": "On-site visit", "amount": Decimal("250.00")},
                {"kind": "part", "description": "PSU", "amount": "99.99"},
            ],
        )
    assert inv.principal == Decimal("349.99")
    assert inv.issued_at == dt.datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    event = AuditEvent.objects.get(verb="invoice.issued")
    assert event.subject_id == "INV-000001"
    assert event.changes["principal"] == "349.99"
    assert "F1" in event.rules


@pytest.mark.parametrize(
    ("lines", "error", "field"),
    [
        ([], DomainError, "lines"),
        (
            [{"kind": "late_fee", "description": "fee", "amount": "1.00"}],
            PolicyError,
            "lines.0.kind",
        ),
        (
            [{"kind": "part", "description": "", "amount": "1.00"}],
            DomainError,
            "lines.0.description",
        ),
        ([{"kind": "part", "description": "x", "amount": "0"}], PolicyError, "lines.0.amount"),
        ([{"kind": "part", "description": "x", "amount": 1.5}], PolicyError, "lines.0.amount"),
        ([{"kind": "part", "description": "x", "amount": "1.001"}], PolicyError, "lines.0.amount"),
        (
            [
                {"description": "x", "amount": "1.00", "currency": "USD"},
                {"description": "y", "amount": "1.00", "currency": "EUR"},
            ],
            PolicyError,
            "currency",
        ),
    ],
)
def test_issue_invoice_refuses_bad_lines(lines, error, field):
    customer = CustomerFactory()
    with pytest.raises(error) as raised:
        services.issue_invoice(actor=finance_user(), customer=customer, kind="service", lines=lines)
    assert raised.value.field == field
    assert Invoice.objects.count() == 0


def test_only_finance_issues_invoices():
    agent = add_user(email="agent@vendor.example", role="agent")
    with pytest.raises(PermissionDenied):
        services.issue_invoice(
            actor=agent,
            customer=CustomerFactory(),
            kind="service",
            lines=[{"description": "x", "amount": "1.00"}],
        )


# ------------------------------------------------------------------------------- R4: day 14


def test_r4_no_invoice_before_day_14_then_exactly_one():
    rma = advance_exchange()
    assert rma.invoice_at == INVOICE_AT
    assert services.invoice_unreturned_parts(now=SHIPPED_AT + 13 * DAY) == 0
    assert services.invoice_unreturned_parts(now=INVOICE_AT - dt.timedelta(seconds=1)) == 0
    assert Invoice.objects.count() == 0

    assert services.invoice_unreturned_parts(now=INVOICE_AT) == 1
    assert services.invoice_unreturned_parts(now=INVOICE_AT) == 0
    assert services.invoice_unreturned_parts(now=INVOICE_AT + 30 * DAY) == 0
    inv = Invoice.objects.get()
    assert inv.kind == "unreturned_parts"
    assert inv.rma == rma
    assert inv.customer == rma.ticket.customer
    assert inv.principal == Decimal("630.00")
    assert inv.currency == "USD"
    assert inv.issued_at == INVOICE_AT
    assert inv.due_on == dt.date(2026, 12, 16)  # F1: net 30 from 16 November
    assert [line.amount for line in inv.lines.all()] == [Decimal("450.00"), Decimal("180.00")]
    event = AuditEvent.objects.get(verb="invoice.issued")
    assert event.ticket_number == rma.number
    assert "R4" in event.rules
    assert event.actor_label == "system"


def test_r4_uses_the_parts_currency():
    advance_exchange(items=(("SSD", "S1", "1200.50"),), currency="EUR")
    assert services.invoice_unreturned_parts(now=INVOICE_AT) == 1
    inv = Invoice.objects.get()
    assert (inv.currency, inv.principal) == ("EUR", Decimal("1200.50"))


def test_r4_skips_received_parts_other_kinds_and_unshipped_replacements():
    advance_exchange(received_at=SHIPPED_AT + 5 * DAY)
    advance_exchange(shipped_at=None)
    advance_exchange(kind="replacement")
    assert services.invoice_unreturned_parts(now=INVOICE_AT + 60 * DAY) == 0
    assert Invoice.objects.count() == 0


def test_r4_one_invoice_per_rma_across_many():
    rmas = [advance_exchange() for _ in range(3)]
    later = advance_exchange(shipped_at=SHIPPED_AT + 2 * DAY)
    assert services.invoice_unreturned_parts(now=INVOICE_AT) == 3
    assert services.invoice_unreturned_parts(now=INVOICE_AT + DAY) == 0
    assert services.invoice_unreturned_parts(now=INVOICE_AT + 2 * DAY) == 1
    assert sorted(Invoice.objects.values_list("rma__number", flat=True)) == sorted(
        [r.number for r in rmas] + [later.number]
    )
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-000001",
        "INV-000002",
        "INV-000003",
        "INV-000004",
    ]


def test_r4_the_database_refuses_a_second_automatic_invoice():
    rma = advance_exchange()
    services.invoice_unreturned_parts(now=INVOICE_AT)
    first = Invoice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            number="INV-999999",
            customer=first.customer,
            kind="unreturned_parts",
            rma=rma,
            currency="USD",
            issued_at=INVOICE_AT,
            due_on=first.due_on,
            principal=Decimal("630.00"),
        )


def test_r4_a_part_arriving_after_the_invoice_voids_it_with_a_credit_note():
    rma = advance_exchange()
    services.invoice_unreturned_parts(now=INVOICE_AT)
    arrived = SHIPPED_AT + 20 * DAY
    note = services.void_unreturned_parts_invoice(rma=rma, at=arrived)
    assert note is not None
    assert (note.number, note.amount, note.issued_at) == ("CN-000001", Decimal("630.00"), arrived)
    inv = Invoice.objects.get()
    assert inv.status == "credited"
    assert invoice_status(inv, dt.date(2027, 6, 1)) == "credited"
    assert invoice_totals(inv).balance == Decimal("0.00")
    event = AuditEvent.objects.get(verb="invoice.credit_note_issued")
    assert event.ticket_number == rma.number and "R4" in event.rules
    # Idempotent: a second call finds no open invoice.
    assert services.void_unreturned_parts_invoice(rma=rma, at=arrived) is None
    assert CreditNote.objects.count() == 1


def test_r4_void_without_an_invoice_is_none():
    rma = advance_exchange()
    assert services.void_unreturned_parts_invoice(rma=rma, at=SHIPPED_AT + 5 * DAY) is None
    assert CreditNote.objects.count() == 0


def test_r4_void_credits_late_fees_too():
    customer = CustomerFactory(payment_terms_days=0)
    rma = advance_exchange(customer=customer)
    services.invoice_unreturned_parts(now=INVOICE_AT)
    # Due 16 November (upfront); one full month on 16 December: 1.5% of 630.00 = 9.45 (F2).
    assert services.accrue_late_fees(now=INVOICE_AT + 30 * DAY) == 1
    note = services.void_unreturned_parts_invoice(rma=rma, at=INVOICE_AT + 31 * DAY)
    assert note is not None and note.amount == Decimal("639.45")


# ------------------------------------------------------------------------------- payments, credits


def test_payments_settle_the_balance_and_mark_the_invoice_paid():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=30)
    finance = finance_user()
    services.record_payment(
        actor=finance,
        invoice=inv,
        amount=Decimal("400.00"),
        received_at=dt.datetime(2026, 1, 20, 18, tzinfo=UTC),
        reference="wire 1",
    )
    inv.refresh_from_db()
    assert inv.status == "open"
    assert invoice_totals(inv).balance == Decimal("600.00")
    with pytest.raises(DomainError) as over:
        services.record_payment(actor=finance, invoice=inv, amount=Decimal("600.01"))
    assert (status_of(over.value), over.value.field) == (409, "amount")
    paid_at = dt.datetime(2026, 2, 1, 18, tzinfo=UTC)
    services.record_payment(actor=finance, invoice=inv, amount="600.00", received_at=paid_at)
    inv.refresh_from_db()
    assert (inv.status, inv.paid_at) == ("paid", paid_at)
    assert invoice_status(inv, dt.date(2027, 1, 1)) == "paid"
    with pytest.raises(DomainError) as closed:
        services.record_payment(actor=finance, invoice=inv, amount=Decimal("1.00"))
    assert status_of(closed.value) == 409
    assert AuditEvent.objects.filter(verb="invoice.payment_recorded").count() == 2


def test_payment_covering_principal_and_late_fees_marks_paid():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    services.accrue_late_fees(now=dt.datetime(2026, 3, 15, 20, tzinfo=UTC))
    finance = finance_user()
    with pytest.raises(DomainError):
        services.record_payment(actor=finance, invoice=inv, amount=Decimal("1030.01"))
    services.record_payment(actor=finance, invoice=inv, amount=Decimal("1030.00"))
    inv.refresh_from_db()
    assert inv.status == "paid"


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00"), 2.5, "abc"])
def test_payment_amount_must_be_a_positive_decimal(amount):
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC))
    with pytest.raises(PolicyError) as raised:
        services.record_payment(actor=finance_user(), invoice=inv, amount=amount)
    assert raised.value.field == "amount"


def test_only_finance_records_payments_and_credit_notes():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC))
    clerk = add_user(email="clerk@vendor.example", role="clerk")
    with pytest.raises(PermissionDenied):
        services.record_payment(actor=clerk, invoice=inv, amount=Decimal("1.00"))
    with pytest.raises(PermissionDenied):
        services.issue_credit_note(actor=clerk, invoice=inv, amount=Decimal("1.00"), reason="x")
    assert not inv.payments.exists() and not inv.credit_notes.exists()


def test_credit_notes_partial_then_full_mark_credited():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC))
    finance = finance_user()
    first = services.issue_credit_note(
        actor=finance, invoice=inv, amount=Decimal("100.00"), reason="goodwill"
    )
    assert first.number == "CN-000001"
    inv.refresh_from_db()
    assert inv.status == "open" and invoice_totals(inv).balance == Decimal("900.00")
    with pytest.raises(DomainError):
        services.issue_credit_note(actor=finance, invoice=inv, amount=Decimal("900.01"), reason="x")
    with pytest.raises(DomainError) as no_reason:
        services.issue_credit_note(actor=finance, invoice=inv, amount=Decimal("1.00"), reason=" ")
    assert (status_of(no_reason.value), no_reason.value.field) == (400, "reason")
    second = services.issue_credit_note(
        actor=finance, invoice=inv, amount=Decimal("900.00"), reason="cancelled"
    )
    assert second.number == "CN-000002"
    inv.refresh_from_db()
    assert inv.status == "credited"


# ------------------------------------------------------------------------------- F2: late fees


def test_f2_two_full_months_charge_exactly_three_percent():
    # POLICY F2: due 2026-01-10, unpaid 2026-03-15 → two full months → 3.0%.
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    assert services.accrue_late_fees(now=dt.datetime(2026, 3, 15, 20, tzinfo=UTC)) == 2
    assert lines_of(inv) == [(1, "15.00"), (2, "15.00")]
    totals = invoice_totals(inv)
    assert (totals.late_fees, totals.amount) == (Decimal("30.00"), Decimal("1030.00"))
    # Accruing again, the same day or the next, adds nothing.
    assert services.accrue_late_fees(now=dt.datetime(2026, 3, 15, 20, tzinfo=UTC)) == 0
    assert services.accrue_late_fees(now=dt.datetime(2026, 4, 9, 20, tzinfo=UTC)) == 0
    assert services.accrue_late_fees(now=dt.datetime(2026, 4, 10, 20, tzinfo=UTC)) == 1
    assert lines_of(inv) == [(1, "15.00"), (2, "15.00"), (3, "15.00")]
    event = AuditEvent.objects.filter(verb="invoice.late_fee_accrued").first()
    assert event is not None and event.rules == ["F2", "F4"]


def test_f2_f4_lines_add_up_to_the_rounded_total():
    # 1.5% of 100.30 = 1.5045 → 1.50; 3.009 → 3.01; 4.5135 → 4.51: lines 1.50, 1.51, 1.50.
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0, amount="100.30")
    services.accrue_late_fees(now=dt.datetime(2026, 4, 10, 20, tzinfo=UTC))
    assert lines_of(inv) == [(1, "1.50"), (2, "1.51"), (3, "1.50")]
    assert invoice_totals(inv).late_fees == Decimal("4.51")


def test_f2_months_clamp_at_month_end():
    inv = invoice(at=dt.datetime(2026, 1, 31, 18, 0, tzinfo=UTC), terms=0)
    assert services.accrue_late_fees(now=dt.datetime(2026, 2, 27, 20, tzinfo=UTC)) == 0
    assert services.accrue_late_fees(now=dt.datetime(2026, 2, 28, 20, tzinfo=UTC)) == 1
    assert lines_of(inv) == [(1, "15.00")]


def test_f2_today_is_the_vendor_zone_date():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    # 07:59 UTC on 10 February is still 9 February in Los Angeles: no full month yet.
    assert services.accrue_late_fees(now=dt.datetime(2026, 2, 10, 7, 59, tzinfo=UTC)) == 0
    assert services.accrue_late_fees(now=dt.datetime(2026, 2, 10, 8, 0, tzinfo=UTC)) == 1
    assert lines_of(inv) == [(1, "15.00")]


def test_f2_paid_and_credited_invoices_accrue_nothing():
    paid = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    credited = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    services.record_payment(actor=finance_user(), invoice=paid, amount=Decimal("1000.00"))
    services.issue_credit_note(
        actor=finance_user(), invoice=credited, amount=Decimal("1000.00"), reason="void"
    )
    assert services.accrue_late_fees(now=dt.datetime(2026, 6, 1, 20, tzinfo=UTC)) == 0
    assert not InvoiceLine.objects.filter(kind="late_fee").exists()


def test_f2_late_fees_are_charged_on_the_unpaid_principal():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    services.record_payment(
        actor=finance_user(),
        invoice=inv,
        amount=Decimal("600.00"),
        received_at=dt.datetime(2026, 1, 20, 18, tzinfo=UTC),  # before month 1 ended
    )
    services.accrue_late_fees(now=dt.datetime(2026, 3, 15, 20, tzinfo=UTC))
    assert lines_of(inv) == [(1, "6.00"), (2, "6.00")]  # 1.5% of 400.00 per month


def test_f2_the_database_refuses_a_second_fee_for_the_same_month():
    inv = invoice(at=dt.datetime(2026, 1, 10, 18, 0, tzinfo=UTC), terms=0)
    services.accrue_late_fees(now=dt.datetime(2026, 2, 15, 20, tzinfo=UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=inv,
            kind="late_fee",
            description="again",
            amount=Decimal("15.00"),
            late_fee_month=1,
            added_at=dt.datetime(2026, 2, 15, 20, tzinfo=UTC),
        )


principals = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@given(principal=principals, due_on=days, gap=st.integers(0, 2000), split=st.integers(0, 200))
@settings(max_examples=300, deadline=None)
def test_f2_f4_late_fee_lines_always_sum_to_the_policy_fee(principal, due_on, gap, split):
    policy = active_policy()
    on = due_on + dt.timedelta(days=gap)
    expected = late_fee(policy, principal=principal, due_on=due_on, on=on)
    lines = services.late_fee_lines(policy, principal=principal, due_on=due_on, on=on)
    assert [k for k, _ in lines] == list(range(1, expected.months_overdue + 1))
    assert sum((amount for _, amount in lines), Decimal("0.00")) == expected.late_fee
    assert all(amount == amount.quantize(Decimal("0.01")) for _, amount in lines)
    # Charging some months on an earlier run and the rest now gives the same lines.
    done = {k for k, _ in lines[: min(split, len(lines))]}
    rest = services.late_fee_lines(
        policy, principal=principal, due_on=due_on, on=on, charged_months=done
    )
    assert rest == [line for line in lines if line[0] not in done]
