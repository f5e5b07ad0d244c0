"""F3 at receiving: the clerk checks the box for manuals, media and documentation; a missing one
refuses the refund unless an agent accepts it with a reason; the refund is the product price less
the 20% restocking fee and never includes the original order's shipping and handling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rmadesk.api.errors import status_of
from rmadesk.core.errors import DomainError
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import PermissionDenied
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import (
    accept_missing_contents,
    receive_return,
    record_return_contents,
)
from rmadesk.web.history import VERB_WORDS
from tests.rmas.factories import pacific, rma_of, user

pytestmark = pytest.mark.django_db

COMPLETE = {"manuals": True, "media": True, "documentation": True}
ARRIVED = pacific(2026, 10, 20, 9)


def money_back(kind: str = "money_back") -> Rma:
    """A TrueNAS M50 bought for 1,999.00 plus 49.00 shipping and handling, shipped 1 Oct."""
    return rma_of(
        kind,
        items=[{"part": "TrueNAS M50", "serial": "M50-1", "unit_price": Decimal("1999.00")}],
        issued_at=pacific(2026, 10, 5, 9),
        shipped_on=dt.date(2026, 10, 1),
        price=Decimal("1999.00"),
        shipping_and_handling=Decimal("49.00"),
    )


def receive(rma: Rma, **contents: bool) -> Rma:
    got, _ = receive_return(
        actor=user("clerk"), label_rma_number=rma.number, received_at=ARRIVED, **contents
    )
    assert got is not None
    return got


def test_F3_refund_is_the_price_less_20_percent_and_never_the_shipping_and_handling():
    rma = receive(money_back(), **COMPLETE)
    assert (rma.refund_eligible, rma.refund_amount, rma.restocking_fee) == (
        True,
        Decimal("1599.20"),
        Decimal("399.80"),
    )
    assert (rma.returned_manuals, rma.returned_media, rma.returned_documentation) == (
        True,
        True,
        True,
    )
    assert rma.refund_explanation.splitlines() == [
        "Arrived 2026-10-20, within 30 days of shipment on 2026-10-01 (by 2026-10-31) (rule F3).",
        "Came back with its manuals, media and documentation (rule F3).",
        "Product price: 1999.00 USD.",
        "− Restocking fee, 20% of the product price: 399.80 USD (rule F3).",
        "Shipping and handling of the original order, 49.00 USD: not refunded (rule F3).",
        "Refund: 1599.20 USD (rules F3, F4).",
    ]
    event = AuditEvent.objects.get(verb="rma.received")
    assert event.changes["returned_manuals"] == [None, True]


def test_F3_missing_manuals_refuse_the_refund_until_an_agent_accepts_with_a_reason():
    rma = receive(money_back(), manuals=False, media=True, documentation=True)
    assert (rma.refund_eligible, rma.refund_amount, rma.restocking_fee) == (False, None, None)
    assert rma.refund_explanation == (
        "Came back without its manuals: the money-back guarantee needs the product back with "
        "its manuals, media and documentation (rule F3); an agent may accept it with a reason."
    )
    with pytest.raises(PermissionDenied):
        accept_missing_contents(actor=user("clerk"), rma=rma, reason="x")
    with pytest.raises(DomainError) as blank:
        accept_missing_contents(actor=user("agent"), rma=rma, reason="  ")
    assert (blank.value.rule, blank.value.field) == ("F3", "reason")
    accept_missing_contents(
        actor=user("agent"), rma=rma, reason="manuals are PDFs on the support site"
    )
    assert (rma.refund_eligible, rma.refund_amount, rma.restocking_fee) == (
        True,
        Decimal("1599.20"),
        Decimal("399.80"),
    )
    assert (
        "Came back without its manuals; refunded all the same: manuals are PDFs on the support "
        "site (rule F3)."
    ) in rma.refund_explanation.splitlines()
    event = AuditEvent.objects.get(verb="rma.missing_contents_accepted")
    assert event.rules == ["F3"] and event.changes["refund_amount"] == [None, "1599.20"]
    assert "rma.missing_contents_accepted" in VERB_WORDS
    with pytest.raises(DomainError) as again:
        accept_missing_contents(actor=user("agent"), rma=rma, reason="again")
    assert status_of(again.value) == 409


def test_F3_the_box_is_checked_at_receiving():
    rma = money_back()
    with pytest.raises(DomainError) as unchecked:
        receive_return(actor=user("clerk"), label_rma_number=rma.number, received_at=ARRIVED)
    assert (status_of(unchecked.value), unchecked.value.rule, unchecked.value.field) == (
        400,
        "F3",
        "manuals",
    )
    rma.refresh_from_db()
    assert (rma.status, rma.received_at, rma.returned_manuals) == ("issued", None, None)
    assert not AuditEvent.objects.filter(verb="rma.received").exists()


def test_F3_the_clerk_corrects_the_check_and_the_refund_follows():
    rma = receive(money_back(), manuals=True, media=False, documentation=False)
    assert "without its media and documentation" in rma.refund_explanation
    assert rma.refund_eligible is False
    with pytest.raises(PermissionDenied):
        record_return_contents(actor=user("agent"), rma=rma, **COMPLETE)
    record_return_contents(actor=user("clerk"), rma=rma, **COMPLETE)
    assert (rma.refund_eligible, rma.refund_amount) == (True, Decimal("1599.20"))
    assert AuditEvent.objects.get(verb="rma.contents_recorded").rules == ["F3"]
    assert "rma.contents_recorded" in VERB_WORDS
    # Nothing missing: nothing to accept.
    with pytest.raises(DomainError) as nothing:
        accept_missing_contents(actor=user("agent"), rma=rma, reason="why")
    assert nothing.value.rule == "F3"


def test_F3_contents_are_a_money_back_returns_only():
    rma = receive(money_back("repair"), manuals=False, media=False, documentation=False)
    assert (rma.returned_manuals, rma.refund_eligible) == (None, None)
    with pytest.raises(DomainError) as refused:
        record_return_contents(actor=user("clerk"), rma=rma, **COMPLETE)
    assert (refused.value.rule, refused.value.field) == ("F3", "kind")
