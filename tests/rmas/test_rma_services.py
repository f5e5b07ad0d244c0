"""RMA services on the database: R1-R8 and F3 with the exact values of POLICY.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rmadesk.api.errors import status_of
from rmadesk.billing.models import CreditNote, Invoice
from rmadesk.billing.services import invoice_unreturned_parts
from rmadesk.core import clock
from rmadesk.core.errors import DomainError, NotFound
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import PermissionDenied
from rmadesk.policy.errors import PolicyError
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import (
    accept_return,
    confirm_rma,
    decide_rma,
    expire_labels,
    expire_rmas,
    inspect_return,
    issue_label,
    open_rma,
    read_label_number,
    receive_return,
    reject_return,
    ship_replacement,
    waive_restocking_fee,
)
from tests.rmas.factories import ISSUED, ITEMS, pacific, rma_of, ticket_on, user

# F3: a money-back return's box, checked at receiving: everything came back.
BOX_COMPLETE = {"manuals": True, "media": True, "documentation": True}

pytestmark = pytest.mark.django_db


def events(rma: Rma) -> list[str]:
    return list(AuditEvent.objects.filter(ticket_number=rma.number).values_list("verb", flat=True))


# ------------------------------------------------------------------------------- R1, P3: opening


def test_r1_rma_carries_the_ticket_number_and_expires_30_calendar_days_later_across_dst():
    ticket = ticket_on()
    agent = user("agent")
    rma = open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS, issued_at=ISSUED)
    assert rma.number == ticket.number  # P3
    assert rma.issued_at == pacific(2026, 10, 20, 10, 0)  # 17:00 UTC
    assert rma.expires_at == pacific(2026, 11, 19, 10, 0)  # 10:00 PST, 18:00 UTC
    assert rma.expires_at == dt.datetime(2026, 11, 19, 18, 0, tzinfo=dt.UTC)
    assert rma.status == "issued"
    [item] = rma.items.all()
    assert (item.part, item.serial, item.unit_price, item.currency) == (
        "HDD 16TB",
        "ZL0001",
        Decimal("450.00"),
        "USD",
    )
    [event] = AuditEvent.objects.filter(verb="rma.opened")
    assert event.ticket_number == ticket.number
    assert event.actor == agent
    assert event.changes["expires_at"] == "2026-11-19T18:00:00+00:00"
    assert event.rules == ["R1", "P3"]


def test_r1_issued_at_defaults_to_the_clock():
    with clock.frozen_at(pacific(2026, 3, 1, 9, 30)):
        rma = rma_of(issued_at=None)  # type: ignore[arg-type]
    assert rma.issued_at == pacific(2026, 3, 1, 9, 30)
    assert rma.expires_at == pacific(2026, 3, 31, 9, 30)  # PST → PDT, same wall time


def test_r1_one_rma_per_ticket():
    rma = rma_of()
    with pytest.raises(DomainError) as refused:
        open_rma(actor=user("agent"), ticket=rma.ticket, kind="repair", items=ITEMS)
    assert refused.value.rule == "R1"
    assert Rma.objects.count() == 1


def test_r1_no_rma_on_a_closed_ticket():
    ticket = ticket_on(status="resolved")
    with pytest.raises(DomainError) as refused:
        open_rma(actor=user("agent"), ticket=ticket, kind="repair", items=ITEMS)
    assert (refused.value.rule, refused.value.field) == ("R1", "ticket")


@pytest.mark.parametrize("role", ["clerk", "finance"])
def test_only_agents_and_managers_open_rmas(role):
    with pytest.raises(PermissionDenied):
        open_rma(actor=user(role), ticket=ticket_on(), kind="repair", items=ITEMS)
    assert Rma.objects.count() == 0


def test_a_customer_cannot_open_an_rma_even_on_its_own_ticket():
    ticket = ticket_on()
    with pytest.raises(PermissionDenied):
        open_rma(actor=user("customer", ticket.customer), ticket=ticket, kind="repair", items=ITEMS)


def test_managers_and_admins_open_rmas():
    assert rma_of(actor=user("manager")).status == "issued"
    assert rma_of(actor=user("admin")).status == "issued"


@pytest.mark.parametrize(
    ("items", "field", "rule"),
    [
        ([], "items", None),
        ([{"part": " ", "unit_price": Decimal("1.00")}], "items.0.part", None),
        ([{"part": "PSU", "unit_price": Decimal("-0.01")}], "items.0.unit_price", "F4"),
        ([{"part": "PSU", "unit_price": Decimal("1.005")}], "items.0.unit_price", "F4"),
        ([{"part": "PSU", "unit_price": 1.5}], "items.0.unit_price", "F4"),
        ([{"part": "PSU", "unit_price": "NaN"}], "items.0.unit_price", "F4"),
        ([{"part": "PSU", "unit_price": Decimal("1"), "colour": "red"}], "items.0.colour", None),
        (
            [ITEMS[0], {"part": "PSU", "serial": 7, "unit_price": Decimal("1")}],
            "items.1.serial",
            None,
        ),
    ],
)
def test_items_are_required_with_exact_non_negative_prices(items, field, rule):
    with pytest.raises(DomainError) as refused:
        open_rma(actor=user("agent"), ticket=ticket_on(), kind="repair", items=items)
    assert (status_of(refused.value), refused.value.field, refused.value.rule) == (400, field, rule)
    assert Rma.objects.count() == 0


def test_a_free_part_and_a_string_price_are_accepted():
    rma = rma_of(
        items=[
            {"part": "drive sled", "unit_price": "0"},
            {"part": "HDD", "serial": "Z1", "unit_price": "450.5"},
        ]
    )
    assert [i.unit_price for i in rma.items.all()] == [Decimal("0.00"), Decimal("450.50")]


def test_unknown_kind_and_naive_issued_at_are_refused():
    with pytest.raises(DomainError) as refused:
        open_rma(actor=user("agent"), ticket=ticket_on(), kind="swap", items=ITEMS)
    assert (refused.value.field, status_of(refused.value)) == ("kind", 400)
    with pytest.raises(PolicyError) as naive:
        open_rma(
            actor=user("agent"),
            ticket=ticket_on(),
            kind="repair",
            items=ITEMS,
            issued_at=dt.datetime(2026, 10, 20, 10, 0),
        )
    assert naive.value.rule == "T1"


# ------------------------------------------------------------------------------- R5, F3 at opening


def test_r5_advance_exchange_refused_for_a_model_flagged_so():
    ticket = ticket_on(model="TrueNAS R10 (no exchange)", advance_exchange=False)
    with pytest.raises(PolicyError) as refused:
        open_rma(actor=user("agent"), ticket=ticket, kind="advance_exchange", items=ITEMS)
    assert (refused.value.rule, refused.value.field) == ("R5", "kind")
    assert "TrueNAS R10 (no exchange)" in refused.value.message
    assert Rma.objects.count() == 0
    # The same model may still be repaired or replaced.
    assert rma_of("repair", ticket=ticket).kind == "repair"


def test_r5_advance_exchange_refused_for_a_model_the_policy_names_whatever_its_flag():
    ticket = ticket_on(model="freenas mini", advance_exchange=True)
    with pytest.raises(PolicyError) as refused:
        open_rma(actor=user("agent"), ticket=ticket, kind="advance_exchange", items=ITEMS)
    assert refused.value.rule == "R5"


def test_f3_money_back_refused_for_software():
    ticket = ticket_on(model="TrueCommand", product_line="truecommand")
    with pytest.raises(PolicyError) as refused:
        open_rma(actor=user("agent"), ticket=ticket, kind="money_back", items=ITEMS)
    assert (refused.value.rule, refused.value.field) == ("F3", "kind")


# ------------------------------------------------------------------------------- R6, R2


def test_r6_whole_system_needs_all_four_confirmations_before_a_label():
    rma = rma_of("replacement")
    customer = user("customer", rma.ticket.customer)
    agent = user("agent")
    at = pacific(2026, 10, 21, 9, 0)
    with clock.frozen_at(at):  # a customer's confirmation is recorded when it is made
        confirm_rma(
            actor=customer,
            rma=rma,
            data_backed_up=True,
            original_packaging=True,
            insured=False,
            removable_media_removed=True,
        )
    assert (rma.status, rma.confirmed_at) == ("issued", None)
    with pytest.raises(DomainError) as refused:
        issue_label(actor=agent, rma=rma, at=at)
    assert (refused.value.rule, refused.value.field, status_of(refused.value)) == (
        "R6",
        "insured",
        409,
    )
    assert "insured" in refused.value.message
    assert Rma.objects.get().label_issued_at is None

    with clock.frozen_at(at):
        confirm_rma(
            actor=customer,
            rma=rma,
            data_backed_up=True,
            original_packaging=True,
            insured=True,
            removable_media_removed=True,
        )
    assert (rma.status, rma.confirmed_at) == ("confirmed", at)
    issue_label(actor=agent, rma=rma, at=pacific(2026, 10, 21, 10, 0))
    assert rma.status == "label_issued"
    assert rma.label_issued_at == pacific(2026, 10, 21, 10, 0)
    assert events(rma) == [
        "rma.opened",
        "rma.confirmations_recorded",
        "rma.confirmed",
        "rma.label_issued",
    ]
    with pytest.raises(DomainError) as twice:
        issue_label(actor=agent, rma=rma)
    assert twice.value.rule == "R2"
    with pytest.raises(DomainError) as fixed:
        confirm_rma(
            actor=customer, rma=rma, data_backed_up=False, original_packaging=True, insured=True
        )
    assert fixed.value.rule == "R6"


def test_r6_advance_exchange_needs_only_the_data_backup_and_the_removable_media():
    rma = rma_of("advance_exchange")
    with pytest.raises(DomainError) as refused:
        issue_label(actor=user("agent"), rma=rma, at=ISSUED)
    assert (refused.value.rule, refused.value.field) == ("R6", "data_backed_up")
    confirm_rma(
        actor=user("agent"),
        rma=rma,
        data_backed_up=True,
        original_packaging=False,
        insured=False,
        removable_media_removed=True,
        at=ISSUED,
    )
    assert rma.status == "confirmed"
    issue_label(actor=user("agent"), rma=rma, at=ISSUED)
    assert rma.status == "label_issued"


def test_r6_another_customer_cannot_confirm_and_is_told_no_such_rma():
    rma = rma_of()
    stranger = user("customer", ticket_on().customer)
    with pytest.raises(NotFound):
        confirm_rma(
            actor=stranger, rma=rma, data_backed_up=True, original_packaging=True, insured=True
        )
    with pytest.raises(PermissionDenied):
        confirm_rma(
            actor=user("clerk"), rma=rma, data_backed_up=True, original_packaging=True, insured=True
        )
    assert Rma.objects.get().data_backed_up is False


def test_r1_nothing_more_happens_on_an_expired_rma():
    rma = rma_of()
    with pytest.raises(DomainError) as refused:
        confirm_rma(
            actor=user("agent"),
            rma=rma,
            data_backed_up=True,
            original_packaging=True,
            insured=True,
            at=pacific(2026, 11, 19, 10, 0, 1),
        )
    assert refused.value.rule == "R1"


# ------------------------------------------------------------------------------- R4


def test_r4_replacement_shipped_sets_label_and_invoice_instants_exactly():
    rma = rma_of("advance_exchange", confirmed=True)
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 22, 10, 0))
    assert rma.status == "replacement_shipped"
    assert rma.replacement_shipped_at == pacific(2026, 10, 22, 10, 0)
    assert rma.label_expires_at == pacific(2026, 11, 1, 10, 0)  # 10:00 PST after DST ends
    assert rma.invoice_at == pacific(2026, 11, 5, 10, 0)
    assert rma.label_issued_at == pacific(2026, 10, 22, 10, 0)  # the label ships in the box
    assert Rma.objects.get().invoice_at == dt.datetime(2026, 11, 5, 18, 0, tzinfo=dt.UTC)
    with pytest.raises(DomainError) as twice:
        ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 23, 10, 0))
    assert twice.value.rule == "R4"


def test_r4_only_advance_exchanges_ship_a_replacement_and_only_after_r6():
    with pytest.raises(DomainError) as repair:
        ship_replacement(
            actor=user("agent"), rma=rma_of("repair", confirmed=True), shipped_at=ISSUED
        )
    assert (repair.value.rule, repair.value.field) == ("R4", "kind")
    with pytest.raises(DomainError) as unconfirmed:
        ship_replacement(actor=user("agent"), rma=rma_of("advance_exchange"), shipped_at=ISSUED)
    assert unconfirmed.value.rule == "R6"


def test_r4_replacement_cannot_ship_before_the_rma_is_issued():
    rma = rma_of("advance_exchange", confirmed=True)
    with pytest.raises(PolicyError) as refused:
        ship_replacement(actor=user("agent"), rma=rma, shipped_at=ISSUED - dt.timedelta(hours=1))
    assert refused.value.rule == "R4"


def test_r4_a_part_arriving_after_the_day_14_invoice_voids_it_with_a_credit_note():
    rma = rma_of("advance_exchange", confirmed=True)
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 22, 10, 0))
    assert invoice_unreturned_parts(now=pacific(2026, 11, 5, 10, 0)) == 1
    [invoice] = Invoice.objects.all()
    assert invoice.principal == Decimal("450.00")
    clerk = user("clerk")
    got, flags = receive_return(
        actor=clerk, label_rma_number=str(rma.number), received_at=pacific(2026, 11, 11, 9, 0)
    )
    assert (got, flags) == (rma, [])
    assert got is not None and got.status == "received"
    [note] = CreditNote.objects.all()
    assert note.amount == Decimal("450.00")
    invoice.refresh_from_db()
    assert invoice.status == "credited"
    # Billing heard of the arrival and credited the invoice, in the clerk's name (R4).
    [credited] = AuditEvent.objects.filter(verb="invoice.credit_note_issued")
    assert credited.changes["credit_note"] == note.number
    assert credited.actor == clerk
    assert "R4" in credited.rules
    assert credited.ticket_number == rma.number


def test_r4_a_part_arriving_before_the_invoice_needs_no_credit_note():
    rma = rma_of("advance_exchange", confirmed=True)
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 22, 10, 0))
    receive_return(
        actor=user("clerk"), label_rma_number=rma.number, received_at=pacific(2026, 11, 4, 9, 0)
    )
    assert invoice_unreturned_parts(now=pacific(2026, 11, 5, 10, 0)) == 0
    assert CreditNote.objects.count() == 0


# ------------------------------------------------------------------------------- R3


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("100001", 100001),
        (" RMA 100001 ", 100001),
        ("rma#100001", 100001),
        ("#100001", 100001),
        (100001, 100001),
        ("", None),
        ("   ", None),
        (None, None),
        ("1OOOO1", None),
        ("RMA", None),
        ("0", None),
        ("100001-2", None),
        (True, None),
    ],
)
def test_r3_reading_the_label_number(label, number):
    assert read_label_number(label) == number


def test_r3_a_package_received_on_time_is_received():
    rma = rma_of()
    got, flags = receive_return(
        actor=user("clerk"),
        label_rma_number=f"RMA {rma.number}",
        received_at=pacific(2026, 11, 19, 10, 0),  # the last valid instant (R1)
    )
    assert flags == []
    assert got is not None
    assert (got.status, got.received_at, got.receipt_flags) == (
        "received",
        pacific(2026, 11, 19, 10, 0),
        [],
    )
    assert got.received_label_number == f"RMA {rma.number}"


def test_r3_a_package_received_after_30_days_is_flagged_expired():
    rma = rma_of()
    got, flags = receive_return(
        actor=user("clerk"),
        label_rma_number=str(rma.number),
        received_at=pacific(2026, 11, 19, 10, 0, 1),
    )
    assert flags == ["expired"]
    assert got is not None and (got.status, got.receipt_flags) == ("flagged", ["expired"])
    assert events(rma)[-1] == "rma.flagged"


def test_r3_unreadable_and_unknown_labels_with_no_expected_rma_are_only_recorded():
    rma_of()
    clerk = user("clerk")
    assert receive_return(actor=clerk, label_rma_number="", received_at=ISSUED) == (
        None,
        ["unreadable"],
    )
    assert receive_return(actor=clerk, label_rma_number="999999", received_at=ISSUED) == (
        None,
        ["unknown"],
    )
    assert Rma.objects.get().status == "issued"
    unmatched = AuditEvent.objects.filter(verb="rma.package_unmatched")
    assert [e.changes["flags"] for e in unmatched] == [["unreadable"], ["unknown"]]


def test_r3_unreadable_label_is_booked_flagged_against_the_expected_rma_and_accepted_with_reason():
    rma = rma_of()
    clerk = user("clerk")
    got, flags = receive_return(
        actor=clerk, label_rma_number="smudged", received_at=pacific(2026, 10, 30, 9), expected=rma
    )
    assert flags == ["unreadable"]
    assert got is rma and rma.status == "flagged"
    with pytest.raises(DomainError) as no_reason:
        accept_return(actor=clerk, rma=rma, reason="  ")
    assert (no_reason.value.rule, no_reason.value.field, status_of(no_reason.value)) == (
        "R3",
        "reason",
        400,
    )
    accept_return(actor=clerk, rma=rma, reason="serial PSU matches the RMA; label torn")
    assert rma.status == "received"
    assert rma.receipt_decision_reason == "serial PSU matches the RMA; label torn"
    assert rma.receipt_flags == ["unreadable"]  # the flag stays on record
    with pytest.raises(DomainError):
        reject_return(actor=clerk, rma=rma, reason="changed my mind")


def test_r3_unknown_label_flagged_and_rejected_with_reason():
    rma = rma_of()
    clerk = user("clerk")
    _, flags = receive_return(
        actor=clerk, label_rma_number="424242", received_at=pacific(2026, 10, 30, 9), expected=rma
    )
    assert flags == ["unknown"]
    reject_return(actor=clerk, rma=rma, reason="not ours: no such RMA")
    assert (rma.status, rma.receipt_decision_reason) == ("rejected", "not ours: no such RMA")
    assert events(rma)[-2:] == ["rma.flagged", "rma.return_rejected"]


def test_r3_a_label_naming_another_rma_than_expected_is_refused_and_changes_nothing():
    first, second = rma_of(), rma_of()
    with pytest.raises(DomainError) as refused:
        receive_return(
            actor=user("clerk"),
            label_rma_number=str(second.number),
            received_at=pacific(2026, 10, 30, 9),
            expected=first,
        )
    assert (refused.value.rule, refused.value.field) == ("R3", "label_rma_number")
    assert set(Rma.objects.values_list("status", flat=True)) == {"issued"}


def test_r3_a_package_is_received_once():
    rma = rma_of()
    clerk = user("clerk")
    receive_return(actor=clerk, label_rma_number=rma.number, received_at=pacific(2026, 10, 30, 9))
    with pytest.raises(DomainError) as twice:
        receive_return(
            actor=clerk, label_rma_number=rma.number, received_at=pacific(2026, 10, 31, 9)
        )
    assert twice.value.rule == "R3"


@pytest.mark.parametrize("role", ["agent", "finance", "manager"])
def test_r3_only_clerks_receive(role):
    rma = rma_of()
    with pytest.raises(PermissionDenied):
        receive_return(actor=user(role), label_rma_number=rma.number, received_at=ISSUED)
    assert Rma.objects.get().status == "issued"


def test_r3_accepting_an_expired_advance_exchange_part_voids_its_invoice():
    rma = rma_of("advance_exchange", confirmed=True)
    ship_replacement(actor=user("agent"), rma=rma, shipped_at=pacific(2026, 10, 22, 10, 0))
    invoice_unreturned_parts(now=pacific(2026, 11, 6, 0, 0))
    clerk = user("clerk")
    _, flags = receive_return(
        actor=clerk, label_rma_number=rma.number, received_at=pacific(2026, 11, 25, 9, 0)
    )
    assert flags == ["expired"]
    assert CreditNote.objects.count() == 0  # not until a clerk accepts it
    accept_return(actor=clerk, rma=rma, reason="part is the defective drive; late courier")
    assert CreditNote.objects.count() == 1


# ------------------------------------------------------------------------------- R7, R8


def _inspected(**options):
    rma = rma_of(**options)
    receive_return(
        actor=user("clerk"),
        label_rma_number=rma.number,
        received_at=pacific(2026, 10, 30, 9),
        **BOX_COMPLETE,
    )
    inspect_return(
        actor=user("agent"), rma=rma, notes="PSU fan seized", at=pacific(2026, 10, 30, 11)
    )
    return rma


def test_r7_the_vendor_decides_repair_or_replace_and_records_refurbished():
    rma = _inspected()
    assert (rma.status, rma.inspection_notes) == ("inspected", "PSU fan seized")
    decide_rma(actor=user("agent"), rma=rma, decision="replace", refurbished=True)
    assert (rma.status, rma.decision, rma.refurbished) == ("closed", "replace", True)
    [event] = AuditEvent.objects.filter(verb="rma.decided")
    assert event.rules == ["R7"]
    assert event.changes["refurbished"] == [False, True]


def test_r7_decision_follows_inspection_and_names_repair_or_replace():
    rma = rma_of()
    with pytest.raises(DomainError) as early:
        decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
    assert early.value.rule == "R7"
    rma = _inspected()
    with pytest.raises(PolicyError) as unknown:
        decide_rma(actor=user("agent"), rma=rma, decision="refund", refurbished=False)
    assert (unknown.value.rule, unknown.value.field) == ("R7", "decision")
    with pytest.raises(DomainError) as no_notes:
        inspect_return(actor=user("agent"), rma=rma_of(), notes="")
    assert no_notes.value.field == "notes"


def test_r8_a_repaired_system_in_the_us_ships_back_prepaid():
    rma = _inspected(country="US")
    decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
    assert (rma.decision, rma.freight_arrangement) == ("repair", "")


def test_r8_a_repaired_system_outside_the_us_needs_a_freight_arrangement():
    rma = _inspected(country="DE", zone="Europe/Berlin")
    with pytest.raises(PolicyError) as refused:
        decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
    assert (refused.value.rule, refused.value.field) == ("R8", "freight_arrangement")
    assert Rma.objects.get().status == "inspected"
    decide_rma(
        actor=user("agent"),
        rma=rma,
        decision="repair",
        refurbished=True,
        freight_arrangement="DHL freight collect, customer account 12345",
    )
    assert rma.freight_arrangement == "DHL freight collect, customer account 12345"
    assert AuditEvent.objects.get(verb="rma.decided").rules == ["R7", "R8"]


def test_r8_a_replacement_abroad_needs_no_freight_arrangement():
    rma = _inspected(country="JP", zone="Asia/Tokyo")
    decide_rma(actor=user("agent"), rma=rma, decision="replace", refurbished=False)
    assert rma.status == "closed"


def test_r7_money_back_and_advance_exchange_are_not_repaired_or_replaced():
    rma = _inspected(kind="money_back", confirmed=True)
    with pytest.raises(DomainError) as refused:
        decide_rma(actor=user("agent"), rma=rma, decision="repair", refurbished=False)
    assert (refused.value.rule, refused.value.field) == ("R7", "kind")


# ------------------------------------------------------------------------------- F3


def _money_back(**options):
    return rma_of(
        "money_back",
        items=[{"part": "TrueNAS M50", "serial": "M50-1", "unit_price": Decimal("1000.00")}],
        issued_at=pacific(2026, 10, 5, 9),
        shipped_on=dt.date(2026, 10, 1),
        **options,
    )


def test_f3_money_back_refund_less_20_percent_restocking_fee():
    rma, _ = receive_return(
        actor=user("clerk"),
        label_rma_number=_money_back().number,
        received_at=pacific(2026, 10, 31, 16),  # day 30 after shipment on 1 October: the last day
        **BOX_COMPLETE,
    )
    assert rma is not None
    assert rma.refund_eligible is True
    assert (rma.refund_amount, rma.restocking_fee, rma.refund_currency) == (
        Decimal("800.00"),
        Decimal("200.00"),
        "USD",
    )
    assert "− Restocking fee, 20% of the product price: 200.00 USD (rule F3)." in (
        rma.refund_explanation.splitlines()
    )
    assert AuditEvent.objects.get(verb="rma.received").rules == ["R3", "F3"]


def test_f3_restocking_fee_waived_with_a_reason_before_arrival():
    rma = _money_back()
    agent = user("agent")
    with pytest.raises(DomainError) as no_reason:
        waive_restocking_fee(actor=agent, rma=rma, reason=" ")
    assert (no_reason.value.rule, no_reason.value.field) == ("F3", "reason")
    waive_restocking_fee(actor=agent, rma=rma, reason="shipped the wrong model")
    rma, _ = receive_return(
        actor=user("clerk"),
        label_rma_number=rma.number,
        received_at=pacific(2026, 10, 20, 9),
        **BOX_COMPLETE,
    )
    assert rma is not None
    assert (rma.refund_amount, rma.restocking_fee) == (Decimal("1000.00"), Decimal("0.00"))
    assert "waived: shipped the wrong model" in rma.refund_explanation


def test_f3_waiving_after_arrival_recomputes_the_refund():
    rma, _ = receive_return(
        actor=user("clerk"),
        label_rma_number=_money_back().number,
        received_at=pacific(2026, 10, 20, 9),
        **BOX_COMPLETE,
    )
    assert rma is not None
    assert rma.refund_amount == Decimal("800.00")
    waive_restocking_fee(actor=user("manager"), rma=rma, reason="goodwill, key account")
    assert (rma.refund_amount, rma.restocking_fee) == (Decimal("1000.00"), Decimal("0.00"))
    event = AuditEvent.objects.get(verb="rma.restocking_fee_waived")
    assert event.changes["refund_amount"] == ["800.00", "1000.00"]
    with pytest.raises(DomainError):
        waive_restocking_fee(actor=user("agent"), rma=rma, reason="again")


def test_f3_a_product_arriving_after_30_days_gets_no_refund():
    rma, flags = receive_return(
        actor=user("clerk"),
        label_rma_number=_money_back().number,
        received_at=pacific(2026, 11, 1, 9),
        **BOX_COMPLETE,
    )
    assert rma is not None
    assert flags == []  # its RMA is still valid; the money-back window is not
    assert (rma.refund_eligible, rma.refund_amount, rma.restocking_fee) == (False, None, None)
    assert "after the 30-day money-back window that ended 2026-10-31" in rma.refund_explanation


def test_f3_restocking_fee_only_on_money_back_returns():
    with pytest.raises(DomainError) as refused:
        waive_restocking_fee(actor=user("agent"), rma=rma_of(), reason="why not")
    assert refused.value.rule == "F3"


# ------------------------------------------------------------------------------- scans


def test_expire_rmas_marks_unreturned_rmas_once():
    late = rma_of()
    returned = rma_of()
    receive_return(
        actor=user("clerk"), label_rma_number=returned.number, received_at=pacific(2026, 11, 1, 9)
    )
    later = rma_of(issued_at=pacific(2026, 10, 25, 10))
    assert expire_rmas(now=pacific(2026, 11, 19, 10, 0)) == 0  # valid through expires_at
    now = pacific(2026, 11, 19, 10, 0, 1)
    assert expire_rmas(now=now) == 1
    assert expire_rmas(now=now) == 0
    assert expire_rmas(now=now + dt.timedelta(days=1)) == 0
    late.refresh_from_db()
    assert (late.status, late.expired_at) == ("expired", now)
    assert Rma.objects.get(pk=returned.pk).status == "received"
    assert Rma.objects.get(pk=later.pk).status == "issued"
    [event] = AuditEvent.objects.filter(verb="rma.expired")
    assert (event.ticket_number, event.actor, event.at) == (late.number, None, now)
    assert event.rules == ["R1"]
    with pytest.raises(DomainError) as refused:
        issue_label(actor=user("agent"), rma=late)
    assert refused.value.rule == "R1"


def test_a_package_for_an_expired_rma_is_flagged_expired():
    rma = rma_of()
    expire_rmas(now=pacific(2026, 11, 20, 0, 0))
    _, flags = receive_return(
        actor=user("clerk"), label_rma_number=rma.number, received_at=pacific(2026, 11, 21, 9)
    )
    assert flags == ["expired"]
    assert Rma.objects.get().status == "flagged"


def test_expire_labels_marks_lapsed_advance_exchange_labels_once():
    rma = rma_of("advance_exchange", confirmed=True)
    back = rma_of("advance_exchange", confirmed=True)
    for each in (rma, back):
        ship_replacement(actor=user("agent"), rma=each, shipped_at=pacific(2026, 10, 22, 10, 0))
    receive_return(
        actor=user("clerk"), label_rma_number=back.number, received_at=pacific(2026, 10, 28, 9)
    )
    assert expire_labels(now=pacific(2026, 11, 1, 10, 0)) == 0  # valid through label_expires_at
    now = pacific(2026, 11, 1, 10, 0, 1)
    assert expire_labels(now=now) == 1
    assert expire_labels(now=now) == 0
    assert expire_labels(now=pacific(2026, 12, 1, 0, 0)) == 0
    assert Rma.objects.get(pk=rma.pk).label_expired_at == now
    assert Rma.objects.get(pk=back.pk).label_expired_at is None
    assert AuditEvent.objects.filter(verb="rma.label_expired").count() == 1


def test_scans_refuse_a_naive_now():
    with pytest.raises(PolicyError):
        expire_rmas(now=dt.datetime(2026, 11, 20))
    with pytest.raises(PolicyError):
        expire_labels(now=dt.datetime(2026, 11, 20))
