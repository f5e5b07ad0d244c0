"""Issue 14: an RMA page says what to do next and by when, then its dates in date order.

The dates are POLICY.md's: an RMA number is valid 30 days (R1); an advance exchange's prepaid
return label 10 days and its unreturned-parts invoice on day 14 after the replacement ships (R4),
counted as calendar days on the vendor's wall clock.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.core import clock
from rmadesk.demo.data import load_demo_data
from rmadesk.portal.rma_story import rma_timeline
from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import confirm_rma, open_rma, ship_replacement
from rmadesk.rmas.services.scans import expire_rmas
from tests.portal.conftest import NOW
from tests.portal.test_pages import ITEMS, timeline_of
from tests.portal.test_plain_words import DEMO_NOW
from tests.signin import sign_in
from tests.tickets.factories import pacific, ticket_on


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def headline_of(body: str) -> str:
    section = body.split('id="next-step"', 1)[1].split("</section>", 1)[0]
    return section.split("<strong>", 1)[1].split("</strong>", 1)[0]


@pytest.fixture
def exchange(acme: Any, agent: Any) -> Rma:
    ticket = ticket_on(acme.asset, actor=acme.user)
    rma = open_rma(actor=agent, ticket=ticket, kind="advance_exchange", items=ITEMS)
    confirm_rma(
        actor=acme.user,
        rma=rma,
        data_backed_up=True,
        removable_media_removed=True,
        original_packaging=False,
        insured=False,
    )
    return rma


def test_R4_advance_exchange_headline_names_the_label_day_and_the_day_14_invoice(
    alice, exchange, agent
):
    shipped = pacific(2026, 12, 1, 10, 0)  # Tuesday
    with clock.frozen_at(pacific(2026, 12, 2, 9, 0)):
        ship_replacement(actor=agent, rma=exchange, shipped_at=shipped)
        body = page(alice.get(f"/portal/rmas/{exchange.number}/"))
        listed = page(alice.get("/portal/rmas/"))
    # The list names the same deadline: the day-14 invoice, not the RMA number's 30 days.
    assert (
        '<td data-label="Deadline">Tue 15 Dec 2026, 10:00 PST (-08:00) '
        '<small class="muted">the defective part must arrive</small></td>' in listed
    )
    assert headline_of(body) == (
        "Ship the defective part by Fri 11 Dec 2026, 10:00 PST (-08:00), while its prepaid "
        "return label is valid. If it has not arrived by Tue 15 Dec 2026, 10:00 PST (-08:00), "
        "it is invoiced on that day."
    )
    assert "What to do next" in body
    assert timeline_of(body) == [
        ("RMA issued", "Wed 25 Nov 2026, 16:00 PST (-08:00)"),
        ("Replacement shipped", "Tue 01 Dec 2026, 10:00 PST (-08:00)"),
        (
            "Last day to ship the defective part with the prepaid label",
            "Fri 11 Dec 2026, 10:00 PST (-08:00)",
        ),
        ("Defective part must arrive (invoice date)", "Tue 15 Dec 2026, 10:00 PST (-08:00)"),
    ]
    # The RMA number's own 30 days (R1) are not a deadline the customer must meet here.
    assert "Thu 24 Dec 2026" not in body.split('id="next-step"', 1)[1].split("<aside>")[0]


def test_R4_headline_after_the_label_expired_still_names_the_invoice_day(alice, exchange, agent):
    with clock.frozen_at(pacific(2026, 12, 2, 9, 0)):
        ship_replacement(actor=agent, rma=exchange, shipped_at=pacific(2026, 12, 1, 10, 0))
    with clock.frozen_at(pacific(2026, 12, 12, 9, 0)):
        body = page(alice.get(f"/portal/rmas/{exchange.number}/"))
    assert headline_of(body) == (
        "Your prepaid return label expired on Fri 11 Dec 2026, 10:00 PST (-08:00): ship the "
        "defective part at your own cost now. If it has not arrived by Tue 15 Dec 2026, 10:00 "
        "PST (-08:00), it is invoiced on that day."
    )


def test_R1_an_expired_rma_says_how_to_get_a_new_one_and_offers_no_form(alice, acme, agent):
    ticket = ticket_on(acme.asset, actor=acme.user)
    rma = open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS)
    later = NOW + dt.timedelta(days=31)
    with clock.frozen_at(later):
        assert expire_rmas(now=later) == 1
        body = page(alice.get(f"/portal/rmas/{rma.number}/"))
    assert headline_of(body) == (
        "This RMA expired on Fri 25 Dec 2026, 16:00 PST (-08:00) before the return arrived, and "
        f"its number can no longer be used. To return the system now, ask for a new RMA: reply "
        f"on ticket {ticket.number}, or open a new ticket."
    )
    assert f'href="/portal/tickets/{ticket.number}/" role="button">Ask for a new RMA' in body
    assert "/portal/tickets/new?serial=M50-000042" in body
    assert "confirm the items below" not in body
    assert "<form" not in body.split("<main", 1)[1].split("</main>")[0]


def test_a_repair_waiting_for_confirmations_asks_for_them_R6(alice, acme, agent):
    ticket = ticket_on(acme.asset, actor=acme.user)
    rma = open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS)
    body = page(alice.get(f"/portal/rmas/{rma.number}/"))
    assert headline_of(body) == (
        "Confirm below that your data is backed up, that you removed any removable media "
        "(USB drives, SD cards), that the system travels in its original or equivalent "
        "packaging and that the shipment is insured; then we send the return label."
    )
    assert f'action="/portal/rmas/{rma.number}/confirm"' in body


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["repair", "replacement", "advance_exchange", "money_back"]),
    shipped_after=st.one_of(st.none(), st.integers(min_value=0, max_value=29 * 24)),
    received_after=st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 24)),
)
def test_the_timeline_is_in_date_order(kind, shipped_after, received_after):
    """Whatever happened when, the dated steps come earliest first, undated ones last."""
    issued = pacific(2026, 3, 1, 10, 0)
    hours = dt.timedelta(hours=1)
    shipped = issued + shipped_after * hours if shipped_after is not None else None
    rma = Rma(
        kind=kind,
        status="issued",
        issued_at=issued,
        expires_at=issued + dt.timedelta(days=30),
        replacement_shipped_at=shipped,
        label_expires_at=shipped + dt.timedelta(days=10) if shipped else None,
        invoice_at=shipped + dt.timedelta(days=14) if shipped else None,
        received_at=issued + received_after * hours if received_after is not None else None,
    )
    steps = rma_timeline(rma, now=issued + dt.timedelta(days=20))
    dated = [step.at for step in steps if step.at is not None]
    assert dated == sorted(dated)
    assert all(step.at is not None for step in steps[: len(dated)])
    assert steps[0].title == "RMA issued"


@pytest.mark.django_db
def test_every_demo_rma_page_has_one_headline_for_its_state():
    with clock.frozen_at(DEMO_NOW):
        load_demo_data()
        states = {}
        for rma in Rma.objects.select_related("ticket__customer"):
            contact = rma.ticket.customer.accounts.select_related("user").first()
            client = sign_in(Client(), contact.user)
            body = page(client.get(f"/portal/rmas/{rma.number}/"))
            assert body.count('id="next-step"') == 1
            state = body.split("next-step next-step-", 1)[1].split('"', 1)[0]
            states.setdefault(rma.status, set()).add(state)
    assert states == {
        "issued": {"confirm"},
        "confirmed": {"wait"},
        "label_issued": {"ship"},
        "replacement_shipped": {"ship_part", "invoiced"},
        "received": {"received"},
        "flagged": {"received"},
        "inspected": {"received"},
        "rejected": {"rejected"},
        "closed": {"closed"},
        "expired": {"expired"},
        "denied": {"denied"},
    }
