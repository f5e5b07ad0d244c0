"""On-site appointments: W3 (an on-site option is needed) and W5 (48 wall-clock hours' notice)."""

from __future__ import annotations

import datetime as dt

import pytest

from rmadesk.api.errors import status_of
from rmadesk.core import clock
from rmadesk.core.errors import DomainError, NotFound
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import PermissionDenied
from rmadesk.core.services import add_user
from rmadesk.onsite.models import Appointment
from rmadesk.onsite.selectors import visible_appointments
from rmadesk.onsite.services import book_appointment
from rmadesk.policy.errors import PolicyError
from tests.factories import AssetFactory, CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# Monday 23 November 2026, 09:00 PST.
NOW = dt.datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def onsite_ticket(option: str = "4h", customer=None, **fields):
    customer = customer or CustomerFactory()
    asset = AssetFactory(customer=customer, onsite=option)
    return TicketFactory(asset=asset, customer=customer, **fields)


@pytest.fixture
def agent():
    return add_user(email="agent@vendor.example", role="agent")


def test_w5_exactly_48_hours_ahead_is_accepted(agent):
    ticket = onsite_ticket()
    with clock.frozen_at(NOW):
        appointment = book_appointment(actor=agent, ticket=ticket, starts_at=NOW + 48 * HOUR)
    assert (appointment.requested_at, appointment.starts_at) == (NOW, NOW + 48 * HOUR)
    assert appointment.status == "booked" and appointment.booked_by == agent
    event = AuditEvent.objects.get(verb="appointment.booked")
    assert event.ticket_number == ticket.number
    assert event.rules == ["W3", "W5"]


def test_w5_one_second_short_is_refused_naming_the_earliest_start(agent):
    ticket = onsite_ticket()
    with pytest.raises(PolicyError) as refused:
        book_appointment(
            actor=agent,
            ticket=ticket,
            starts_at=NOW + 48 * HOUR - dt.timedelta(seconds=1),
            requested_at=NOW,
        )
    assert (refused.value.rule, refused.value.field) == ("W5", "starts_at")
    assert "so the earliest start is Wed 25 Nov 2026 09:00 PST" in refused.value.message
    assert "Wed 25 Nov 2026 09:00 PST" in refused.value.message
    assert not Appointment.objects.exists()


def test_w5_notice_counts_wall_clock_hours_across_a_dst_change(agent):
    # Fall back on 1 November 2026: 10:00 PDT Saturday → 09:00 PST Monday is exactly 48 hours.
    requested = dt.datetime.fromisoformat("2026-10-31T10:00:00-07:00")
    ticket = onsite_ticket(opened_at=requested - HOUR)
    ok = dt.datetime.fromisoformat("2026-11-02T09:00:00-08:00")
    assert book_appointment(actor=agent, ticket=ticket, starts_at=ok, requested_at=requested)
    with pytest.raises(PolicyError) as refused:
        book_appointment(
            actor=agent,
            ticket=ticket,
            starts_at=ok - dt.timedelta(minutes=1),
            requested_at=requested,
        )
    assert refused.value.rule == "W5"


@pytest.mark.parametrize("option", ["nbd", "4h"])
def test_w3_either_onsite_option_may_book(agent, option):
    with clock.frozen_at(NOW):
        assert book_appointment(
            actor=agent, ticket=onsite_ticket(option), starts_at=NOW + 72 * HOUR
        )


def test_w3_an_asset_without_onsite_service_is_refused(agent):
    ticket = onsite_ticket("none")
    with clock.frozen_at(NOW), pytest.raises(PolicyError) as refused:
        book_appointment(actor=agent, ticket=ticket, starts_at=NOW + 72 * HOUR)
    assert (refused.value.rule, refused.value.field) == ("W3", "ticket")
    assert "not part of the standard warranty" in refused.value.message
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(verb="appointment.booked").exists()


def test_w3_a_ticket_without_an_asset_is_refused(agent):
    ticket = TicketFactory(asset=None, customer=CustomerFactory())
    with clock.frozen_at(NOW), pytest.raises(PolicyError) as refused:
        book_appointment(actor=agent, ticket=ticket, starts_at=NOW + 72 * HOUR)
    assert refused.value.rule == "W3"


def test_w5_naive_start_is_refused_t1(agent):
    with pytest.raises(PolicyError) as refused:
        book_appointment(actor=agent, ticket=onsite_ticket(), starts_at=dt.datetime(2026, 12, 1, 9))
    assert refused.value.rule == "T1"


def test_customers_book_on_their_own_tickets_only():
    mine, theirs = CustomerFactory(), CustomerFactory()
    me = add_user(email="me@customer.example", role="customer", customer_id=mine.pk)
    with clock.frozen_at(NOW):
        assert book_appointment(
            actor=me, ticket=onsite_ticket(customer=mine), starts_at=NOW + 50 * HOUR
        )
        with pytest.raises(NotFound):  # another customer's ticket is not there for them
            book_appointment(
                actor=me, ticket=onsite_ticket(customer=theirs), starts_at=NOW + 50 * HOUR
            )
    assert list(visible_appointments(me).values_list("ticket__customer", flat=True)) == [mine.pk]


def test_finance_and_clerks_do_not_book():
    clerk = add_user(email="clerk@vendor.example", role="clerk")
    with clock.frozen_at(NOW), pytest.raises(PermissionDenied):
        book_appointment(actor=clerk, ticket=onsite_ticket(), starts_at=NOW + 50 * HOUR)


def test_closed_tickets_take_no_appointments(agent):
    ticket = onsite_ticket(status="resolved")
    with clock.frozen_at(NOW), pytest.raises(DomainError) as refused:
        book_appointment(actor=agent, ticket=ticket, starts_at=NOW + 50 * HOUR)
    assert status_of(refused.value) == 409
