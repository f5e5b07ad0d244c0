"""The customer's side of issue 14 on the pages: the carrier's tracking link on the portal's RMA
page (set by staff on the console's RMA page), and a ticket the customer marks solved and
reopens within the policy's period (rmadesk's reading of L5).

The clock is frozen on Wednesday 25 November 2026, 16:00 Pacific (tests.portal.conftest).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from rmadesk.core import clock
from rmadesk.rmas.services import confirm_rma, open_rma, ship_replacement
from rmadesk.tickets.models import ServiceClock, Ticket
from rmadesk.tickets.services import close_ticket
from tests.portal.conftest import NOW, text
from tests.signin import sign_in
from tests.tickets.factories import pacific, ticket_on

pytestmark = pytest.mark.django_db

ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]


def words(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'")


@pytest.fixture
def shipped(acme, agent):
    """Acme's advance exchange, its replacement shipped (no tracking given yet)."""
    ticket = ticket_on(acme.asset, actor=agent)
    rma = open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)
    confirm_rma(
        actor=agent,
        rma=rma,
        data_backed_up=True,
        original_packaging=False,
        insured=False,
        removable_media_removed=True,
    )
    ship_replacement(actor=agent, rma=rma, shipped_at=NOW)
    return rma


def test_staff_record_tracking_on_the_console_and_the_portal_links_to_the_carrier(
    shipped, agent, alice
):
    console = sign_in(Client(), agent)
    page = text(console.get(f"/console/rmas/{shipped.number}/"))
    assert 'id="tracking-form"' in page
    for direction, carrier, number in (
        ("to_customer", "ups", "1Z 999/AA1"),
        ("return", "usps", "9400 1000"),
    ):
        answer = console.post(
            f"/console/rmas/{shipped.number}/tracking",
            {"direction": direction, "carrier": carrier, "tracking_number": number},
        )
        assert answer.status_code == 302, text(answer)
    assert (
        '<a href="https://www.ups.com/track?tracknum=1Z%20999%2FAA1" rel="noopener noreferrer '
        'external">1Z 999/AA1</a>' in text(console.get(f"/console/rmas/{shipped.number}/"))
    )
    portal = text(alice.get(f"/portal/rmas/{shipped.number}/"))
    assert 'href="https://www.ups.com/track?tracknum=1Z%20999%2FAA1"' in portal
    assert 'href="https://tools.usps.com/go/TrackConfirmAction?tLabels=9400%201000"' in portal
    assert "Carrier: UPS, tracking number 1Z 999/AA1" in words(portal)
    assert "Your return travels with USPS, tracking number 9400 1000" in words(portal)


def test_the_console_refuses_an_unknown_carrier_naming_the_field(shipped, agent, alice):
    console = sign_in(Client(), agent)
    answer = console.post(
        f"/console/rmas/{shipped.number}/tracking",
        {"direction": "to_customer", "carrier": "pigeon", "tracking_number": "1"},
    )
    assert answer.status_code == 400
    assert "unknown carrier &#x27;pigeon&#x27;" in text(answer)
    assert "tracknum" not in text(alice.get(f"/portal/rmas/{shipped.number}/"))


@pytest.fixture
def ticket(acme, agent):
    return ticket_on(acme.asset, actor=agent, severity="S2")


def test_L5_the_customer_marks_solved_and_reopens_from_the_ticket_page(ticket, alice):
    page = text(alice.get(f"/portal/tickets/{ticket.number}/"))
    assert f'action="/portal/tickets/{ticket.number}/solved"' in page
    closed = alice.post(f"/portal/tickets/{ticket.number}/solved")
    assert closed.status_code == 302
    assert ServiceClock.objects.get(kind="first_response").state == "met"
    page = words(text(alice.get(f"/portal/tickets/{ticket.number}/")))
    assert "You marked this ticket solved on Wed 25 Nov 2026, 16:00 PST (-08:00)." in page
    assert "You can reopen this ticket until Wed 09 Dec 2026, 16:00 PST (-08:00)." in page
    with clock.frozen_at(pacific(2026, 12, 1, 9, 0)):
        reopened = alice.post(f"/portal/tickets/{ticket.number}/reopen")
        assert reopened.status_code == 302
        assert Ticket.objects.get().status == "open"
        update = ServiceClock.objects.get(kind="next_update")
        assert (update.state, update.due_at) == ("running", pacific(2026, 12, 1, 13, 0))


def test_L5_after_the_period_the_page_says_to_open_a_new_ticket(ticket, alice):
    alice.post(f"/portal/tickets/{ticket.number}/solved")
    with clock.frozen_at(pacific(2026, 12, 9, 16, 1)):
        page = words(text(alice.get(f"/portal/tickets/{ticket.number}/")))
        assert (
            "This ticket could be reopened until Wed 09 Dec 2026, 16:00 PST (-08:00). If the "
            f"problem came back, open a new ticket and mention ticket {ticket.number}." in page
        )
        assert "Reopen the ticket" not in page
        refused = alice.post(f"/portal/tickets/{ticket.number}/reopen")
    assert refused.status_code == 409
    assert (
        f"ticket {ticket.number} could be reopened until Wed 09 Dec 2026 16:00 PST: open a new "
        f"ticket and mention ticket {ticket.number}. Details Policy rule L5" in words(text(refused))
    )
    assert Ticket.objects.get().status == "resolved"


def test_L5_a_ticket_closed_by_staff_offers_no_reopening(ticket, agent, alice):
    close_ticket(actor=agent, ticket=ticket, reason="Replaced the disk.")
    page = text(alice.get(f"/portal/tickets/{ticket.number}/"))
    assert "/reopen" not in page and "/solved" not in page
    refused = alice.post(f"/portal/tickets/{ticket.number}/reopen")
    assert refused.status_code == 409
    assert "was closed by our staff" in text(refused)


def test_another_customer_gets_404_and_the_ticket_stays_open(ticket, bob):
    assert bob.post(f"/portal/tickets/{ticket.number}/solved").status_code == 404
    assert Ticket.objects.get().status == "open"


def test_staff_read_closed_by_the_customer_in_the_history(ticket, agent, alice):
    alice.post(f"/portal/tickets/{ticket.number}/solved")
    page = words(text(sign_in(Client(), agent).get(f"/console/tickets/{ticket.number}/")))
    assert "Closed by the customer (solved)" in page
