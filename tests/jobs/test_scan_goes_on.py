"""One bad row does not stop a scan (issue 13, R4, F1).

A row the scan cannot process is skipped in its own savepoint, logged with its traceback and
listed in the scan's report; the scan does the other rows, and the next run tries it again.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from rmadesk.billing.models import Invoice
from rmadesk.billing.services import invoice_unreturned_parts
from rmadesk.customers.models import Customer
from rmadesk.jobs.scans import scan_report
from rmadesk.rmas.models import RmaItem
from tests.billing.factories import advance_exchange
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

INVOICE_AT = dt.datetime(2026, 11, 16, 18, 0, tzinfo=dt.UTC)  # day 14 of SHIPPED_AT (R4)


def _poison(rma) -> None:
    """Legacy data no service writes today: one RMA's parts in two currencies (F4 refuses)."""
    RmaItem.objects.filter(rma=rma, part="drive sled").update(currency="EUR")


def test_R4_the_day_14_scan_invoices_the_others_past_a_bad_rma(caplog):
    bad = advance_exchange()  # the lowest pk: the old scan stopped here, every run
    good = [advance_exchange(), advance_exchange()]
    _poison(bad)
    with caplog.at_level(logging.ERROR, logger="rmadesk.scans"):
        assert invoice_unreturned_parts(now=INVOICE_AT) == 2
    assert sorted(Invoice.objects.values_list("rma__number", flat=True)) == sorted(
        r.number for r in good
    )
    logged = [r for r in caplog.records if r.name == "rmadesk.scans"]
    assert len(logged) == 1 and str(bad.number) in logged[0].getMessage()
    assert logged[0].exc_info is not None  # the traceback is in the log

    # The bad row is left as it was and tried again on the next run: once fixed, invoiced.
    RmaItem.objects.filter(rma=bad).update(currency="USD")
    assert invoice_unreturned_parts(now=INVOICE_AT + dt.timedelta(minutes=1)) == 1
    assert Invoice.objects.filter(rma=bad).count() == 1


def test_R4_the_scan_report_names_the_skipped_row_and_counts_the_rest():
    bad = advance_exchange()
    advance_exchange()
    _poison(bad)
    report = scan_report(now=INVOICE_AT)
    assert report.counts["invoice_unreturned_parts"] == 1
    assert "invoice_unreturned_parts" not in report.errors
    [failure] = report.item_failures["invoice_unreturned_parts"]
    assert failure.item == f"rma {bad.number}"
    assert failure.error.startswith("PolicyError")
    assert not report.ok


def test_R4_jobs_run_prints_the_skipped_row_and_exits_1(capsys):
    bad = advance_exchange()
    _poison(bad)
    with pytest.raises(CommandError) as raised:
        call_command("jobs", "run", "--now", INVOICE_AT.isoformat())
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert f"skipped rma {bad.number}: PolicyError" in out


def test_F1_the_database_refuses_payment_terms_over_a_year():
    customer = CustomerFactory(payment_terms_days=365)  # the longest terms: still invoiced
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(payment_terms_days=3_000_000)
    rma = advance_exchange(customer=customer)
    assert invoice_unreturned_parts(now=INVOICE_AT) == 1
    assert Invoice.objects.get(rma=rma).due_on == dt.date(2027, 11, 16)  # F1: net 365
