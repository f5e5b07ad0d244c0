"""Shipments that keep the parts promise (N1-N3), the continental US (R8) and the R6
confirmations and notice, through the services.

Dates by hand from POLICY.md: N1 ships the same Pacific business day before 12:00, else the next
business day, and delivers the business day after; 2026's Thanksgiving is Thu 26 Nov.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.core import clock
from rmadesk.core.errors import DomainError
from rmadesk.core.models import AuditEvent
from rmadesk.policy.errors import PolicyError
from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.models import Rma, Shipment
from rmadesk.rmas.selectors import rma_explanation, rma_for
from rmadesk.rmas.services import (
    confirm_rma,
    decide_rma,
    identify_part,
    inspect_return,
    issue_label,
    receive_return,
    record_delivery,
    ship_back,
    ship_replacement,
)
from rmadesk.web.history import VERB_WORDS
from tests.factories import ContractFactory, CustomerFactory
from tests.rmas.factories import ISSUED, pacific, rma_of, user
from tests.rmas.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db

UTC = dt.UTC
D = dt.date


def exchange(**options):
    return rma_of("advance_exchange", confirmed=True, **options)


# ------------------------------------------------------------------------------------ R6


def test_R6_no_label_without_the_removable_media_confirmation():
    rma = rma_of("repair")
    confirm_rma(
        actor=user("agent"),
        rma=rma,
        data_backed_up=True,
        original_packaging=True,
        insured=True,
        at=ISSUED,
    )
    assert rma.status == "issued"
    with pytest.raises(DomainError) as refused:
        issue_label(actor=user("agent"), rma=rma, at=ISSUED)
    assert (refused.value.rule, refused.value.field) == ("R6", "removable_media_removed")
    assert "removable_media_removed" in refused.value.message
    assert Rma.objects.get().label_issued_at is None
    confirm_rma(
        actor=user("agent"),
        rma=rma,
        data_backed_up=True,
        original_packaging=True,
        insured=True,
        removable_media_removed=True,
        at=ISSUED,
    )
    issue_label(actor=user("agent"), rma=rma, at=ISSUED)
    assert rma.status == "label_issued"


def test_R6_an_advance_exchange_also_needs_the_removable_media_out():
    rma = rma_of("advance_exchange")
    confirm_rma(
        actor=user("agent"),
        rma=rma,
        data_backed_up=True,
        original_packaging=False,
        insured=False,
        at=ISSUED,
    )
    with pytest.raises(DomainError) as refused:
        ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 21, 9, 0))
    assert (refused.value.rule, refused.value.field) == ("R6", "removable_media_removed")


def test_R6_leaving_the_answer_out_keeps_it():
    rma = rma_of("advance_exchange", confirmed=True)
    confirm_rma(
        actor=user("agent"),
        rma=rma,
        data_backed_up=True,
        original_packaging=False,
        insured=False,
        at=ISSUED,
    )
    assert Rma.objects.get().removable_media_removed is True


def test_R6_the_label_says_the_vendor_takes_no_liability_for_lost_data():
    rma = rma_of(confirmed=True)
    issue_label(actor=user("agent"), rma=rma)
    text = " ".join(pdf_text(label_pdf(rma_for(user("agent"), rma.number))).split())
    assert "no liability for lost data or software (rule R6)" in text
    assert "removable media removed" in text


# ------------------------------------------------------------------------------------ N1


def test_N1_an_advance_exchange_ships_against_its_promise():
    rma = exchange()
    # Identified Wed 21 Oct 11:00 PDT, before noon: ships Wed 21, delivered Thu 22 Oct.
    ship_replacement(
        actor=user("agent"),
        rma=rma,
        shipped_at=pacific(2026, 10, 21, 11, 30),
        part_identified_at=pacific(2026, 10, 21, 11, 0),
    )
    shipment = Shipment.objects.get()
    assert (shipment.kind, shipment.region, shipment.promise_rules) == (
        "advance_replacement",
        "us",
        ["N1"],
    )
    assert (shipment.promised_ship_on, shipment.promised_delivery_on) == (
        D(2026, 10, 21),
        D(2026, 10, 22),
    )
    assert shipment.part_identified_at == pacific(2026, 10, 21, 11, 0)
    assert shipment.is_promise_missed is False
    [event] = AuditEvent.objects.filter(verb="rma.replacement_shipped")
    assert event.rules == ["R4", "N1"]
    assert event.changes["shipment.promised_delivery_on"][1] == "2026-10-22"
    assert any("Delivered the next business day, Thu 22 Oct 2026" in line for line in
               rma_explanation(rma_for(user("agent"), rma.number)))  # fmt: skip


def test_N1_thanksgiving_identified_wednesday_afternoon_ships_friday_arrives_monday():
    with clock.frozen_at(pacific(2026, 11, 20, 9, 0)):
        rma = exchange(issued_at=pacific(2026, 11, 20, 8, 0))
    with clock.frozen_at(pacific(2026, 11, 25, 14, 0)):
        identify_part(actor=user("agent"), rma=rma, identified_at=pacific(2026, 11, 25, 13, 0))
    shipment = Shipment.objects.get()
    assert (shipment.promised_ship_on, shipment.promised_delivery_on) == (
        D(2026, 11, 27),
        D(2026, 11, 30),
    )
    assert "Thanksgiving" in shipment.promise_explanation
    # Shipped Fri 27 Nov 17:30 PST (Sat 01:30 UTC): the promised Pacific day, kept.
    with clock.frozen_at(pacific(2026, 11, 28, 9, 0)):
        ship_replacement(
            actor=user("agent"), rma=rma, shipped_at=dt.datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
        )
        shipment.refresh_from_db()
        assert shipment.part_identified_at == pacific(2026, 11, 25, 13, 0)  # the recorded one
        assert shipment.is_promise_missed is False
        # Delivered Tue 1 Dec at the customer's address (Los Angeles): a day late.
        record_delivery(actor=user("agent"), rma=rma, delivered_at=pacific(2026, 12, 1, 10, 0))
    shipment.refresh_from_db()
    assert shipment.is_promise_missed is True
    assert shipment.promise_misses == [
        "delivered Tue 01 Dec 2026, after the promised Mon 30 Nov 2026 (rule N1)"
    ]


def test_N1_shipped_after_the_promised_day_is_flagged():
    rma = exchange()
    # Default identification: the RMA's issue, Tue 20 Oct 10:00 PDT: ships Tue 20 Oct.
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 22, 10, 0))
    shipment = Shipment.objects.get()
    assert shipment.part_identified_at == ISSUED
    assert (shipment.promised_ship_on, shipment.promised_delivery_on) == (
        D(2026, 10, 20),
        D(2026, 10, 21),
    )
    assert shipment.is_promise_missed is True
    assert shipment.promise_misses == [
        "shipped Thu 22 Oct 2026, after the promised Tue 20 Oct 2026 (rule N1)"
    ]


def test_N1_part_identification_is_aware_not_in_the_future_and_not_before_the_rma():
    rma = exchange()
    agent = user("agent")
    cases = [
        (pacific(2026, 10, 21, 12, 1), "N1"),  # the clock says 12:00: a minute in the future
        (ISSUED - dt.timedelta(minutes=1), "R1"),
        (dt.datetime(2026, 10, 21, 9, 0), "T1"),  # naive
    ]
    for identified, rule in cases:
        with pytest.raises((DomainError, PolicyError)) as refused:
            identify_part(actor=agent, rma=rma, identified_at=identified)
        assert (refused.value.rule, refused.value.field) == (rule, "part_identified_at")
    with pytest.raises(DomainError) as customer:
        identify_part(actor=user("customer", rma.ticket.customer), rma=rma)
    assert customer.value.rule in (None, "T1")
    assert not Shipment.objects.exists()


def test_N1_a_shipped_promise_is_fixed():
    rma = exchange()
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 21, 9, 0))
    with pytest.raises(DomainError) as refused:
        identify_part(actor=user("agent"), rma=rma)
    assert refused.value.rule in ("N1", "R4")


# ------------------------------------------------------------------------------------ N2


def test_N2_eu_customer_with_the_extended_spare_parts_option():
    customer = CustomerFactory(country="DE", zone="Europe/Berlin")
    ContractFactory(customer=customer, plan="silver", extended_spare_parts=True)
    with clock.frozen_at(dt.datetime(2026, 12, 21, 9, 0, tzinfo=UTC)):
        rma = exchange(customer=customer, issued_at=dt.datetime(2026, 12, 21, 8, 0, tzinfo=UTC))
    # Thu 24 Dec 10:30 UTC = 12:30 at UTC+02:00, after the cut-off; 25, 26 Dec are German
    # holidays, then the weekend: ships Mon 28 Dec, delivered Tue 29 Dec.
    with clock.frozen_at(dt.datetime(2026, 12, 24, 11, 0, tzinfo=UTC)):
        identify_part(
            actor=user("agent"),
            rma=rma,
            identified_at=dt.datetime(2026, 12, 24, 10, 30, tzinfo=UTC),
        )
    shipment = Shipment.objects.get()
    assert (shipment.region, shipment.promise_rules, shipment.promise_zone) == (
        "eu",
        ["N2"],
        "UTC+02:00",
    )
    assert (shipment.promised_ship_on, shipment.promised_delivery_on) == (
        D(2026, 12, 28),
        D(2026, 12, 29),
    )


def test_N2_eu_customer_without_the_option_gets_no_promise():
    customer = CustomerFactory(country="DE", zone="Europe/Berlin")
    ContractFactory(customer=customer, plan="silver")
    rma = exchange(customer=customer)
    identify_part(actor=user("agent"), rma=rma, identified_at=pacific(2026, 10, 21, 9, 0))
    shipment = Shipment.objects.get()
    assert (shipment.region, shipment.promised_ship_on, shipment.promised_delivery_on) == (
        "intl",
        None,
        None,
    )
    assert shipment.promise_rules == ["N2", "N3"]
    assert "extended spare parts replacement" in shipment.promise_explanation


# ------------------------------------------------------------------------------------ N3


def test_N3_an_international_shipment_promises_no_date_and_is_never_late():
    customer = CustomerFactory(country="JP", zone="Asia/Tokyo")
    rma = exchange(customer=customer)
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 11, 10, 10, 0))
    record_delivery(actor=user("agent"), rma=rma, delivered_at=pacific(2026, 12, 20, 10, 0))
    shipment = Shipment.objects.get()
    assert (shipment.promised_ship_on, shipment.promised_delivery_on) == (None, None)
    assert shipment.promise_rules == ["N3"]
    assert "customs" in shipment.promise_explanation
    assert shipment.is_promise_missed is False


# --------------------------------------------------------------------- R8 and ship-back


def inspected(customer):
    rma = rma_of("repair", confirmed=True, customer=customer)
    receive_return(
        actor=user("clerk"), label_rma_number=rma.number, received_at=pacific(2026, 10, 20, 12)
    )
    inspect_return(actor=user("agent"), rma=rma, notes="PSU dead", at=pacific(2026, 10, 20, 13))
    return rma


@pytest.mark.parametrize(
    ("region", "city", "is_prepaid"),
    [
        ("CA", "San Jose", True),
        ("DC", "Washington", True),
        ("HI", "Honolulu", False),
        ("AK", "Anchorage", False),
        ("PR", "San Juan", False),
    ],
)
def test_R8_a_repaired_system_returns_prepaid_only_to_the_continental_us(region, city, is_prepaid):
    customer = CustomerFactory(region=region, city=city)
    rma = inspected(customer)
    if not is_prepaid:
        with pytest.raises(PolicyError) as refused:
            decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
        assert (refused.value.rule, refused.value.field) == ("R8", "freight_arrangement")
        assert "outside the continental US" in refused.value.message
        decide_rma(
            actor=user("agent"),
            rma=rma,
            decision="repair",
            refurbished=False,
            freight_arrangement="Customer's FedEx account 1234",
        )
    else:
        decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
    ship_back(
        actor=user("agent"),
        rma=rma,
        shipped_at=pacific(2026, 10, 21, 11, 0),
        part_identified_at=pacific(2026, 10, 20, 14, 0),
    )
    shipment = Shipment.objects.get()
    assert (shipment.kind, shipment.is_prepaid) == ("ship_back", is_prepaid)
    # Identified Tue 20 Oct 14:00 PDT, after noon: ships Wed 21, delivered Thu 22 Oct (N1).
    assert (shipment.promised_ship_on, shipment.promised_delivery_on) == (
        D(2026, 10, 21),
        D(2026, 10, 22),
    )
    [event] = AuditEvent.objects.filter(verb="rma.shipped_back")
    assert event.rules == ["R7", "N1", "R8"]


def test_R8_a_us_customer_without_a_state_is_not_known_to_be_continental():
    customer = CustomerFactory(address_line1="", city="", region="", postal_code="")
    rma = inspected(customer)
    with pytest.raises(PolicyError) as refused:
        decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
    assert refused.value.rule == "R8"
    assert "names no state" in refused.value.message


def test_N1_a_ship_back_needs_its_part_identification_and_a_decision():
    rma = inspected(CustomerFactory())
    with pytest.raises(DomainError) as undecided:
        ship_back(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 21, 11, 0))
    assert (undecided.value.rule, undecided.value.field) == ("R7", "decision")
    decide_rma(actor=user("agent"), rma=rma, decision="replace", refurbished=True)
    with pytest.raises(DomainError) as unidentified:
        ship_back(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 21, 11, 0))
    assert (unidentified.value.rule, unidentified.value.field) == ("N1", "part_identified_at")
    assert not Shipment.objects.exists()


def test_new_audit_verbs_have_words():
    for verb in ("rma.part_identified", "rma.shipped_back", "rma.shipment_delivered"):
        assert verb in VERB_WORDS
