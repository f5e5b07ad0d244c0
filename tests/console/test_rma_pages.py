"""RMAs in the console: the list, an RMA's actions (R2, R4, R6, R7, R8), the label PDF, the
receiving desk (R3) and advance exchanges awaiting their part (R4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rmadesk.rmas.models import Rma
from rmadesk.rmas.services import open_rma
from tests.billing.factories import advance_exchange
from tests.console.conftest import NOW, client_for, make_user
from tests.console.helpers import html, text_of
from tests.factories import CustomerFactory
from tests.rmas.factories import rma_of
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db
ITEMS = [{"part": "HDD 16TB", "serial": "ZL0001", "unit_price": Decimal("450.00")}]


def fresh(rma):
    return Rma.objects.get(pk=rma.pk)


@pytest.fixture
def exchange(desk):
    """An advance exchange opened now on the on-track ticket (R1: valid until 18 Dec)."""
    return open_rma(actor=desk.agent, ticket=desk.on_track, kind="advance_exchange", items=ITEMS)


def test_rma_list_filters_and_finds_by_number(desk, exchange):
    client = client_for(desk.agent)
    page = html(client.get("/console/rmas/"))
    assert f'href="/console/rmas/{exchange.number}/">RMA {exchange.number}</a>' in page
    assert "Fri 18 Dec 2026, 10:00 PST (-08:00)" in page  # expires (R1)
    assert "HDD 16TB ZL0001" in page
    assert f"RMA {exchange.number}" in html(client.get("/console/rmas/?kind=advance_exchange"))
    assert f"RMA {exchange.number}<" not in html(client.get("/console/rmas/?kind=repair"))
    assert f"RMA {exchange.number}<" in html(client.get(f"/console/rmas/?q=RMA+{exchange.number}"))
    assert f"RMA {exchange.number}<" in html(client.get("/console/rmas/?q=acme"))


def test_r6_r4_confirm_then_ship_the_replacement_with_its_dates(desk, exchange):
    client = client_for(desk.agent)
    url = f"/console/rmas/{exchange.number}/"
    page = html(client.get(url))
    assert (
        "Still missing (R6): the customer backed up their data, the customer removed any "
        "removable media." in page
    )
    refused = client.post(url + "ship", {"shipped_at": ""})
    assert refused.status_code == 409  # the RMA's state refuses it, as in the API
    assert (
        "issued only after the customer confirms data_backed_up, removable_media_removed "
        "(rule R6)" in text_of(html(refused))
    )
    assert fresh(exchange).replacement_shipped_at is None
    confirmed = client.post(
        url + "confirm", {"data_backed_up": "on", "removable_media_removed": "on"}
    )
    assert confirmed.status_code == 302
    assert fresh(exchange).status == "confirmed"
    assert 'value="2026-11-18T10:00"' in html(client.get(url))  # default: now, in the zone
    response = client.post(url + "ship", {"shipped_at": ""})
    assert response.status_code == 302
    page = html(client.get(url))
    assert (
        "Replacement shipped with its prepaid return label, valid until "
        "Sat 28 Nov 2026, 10:00 PST (-08:00); the unreturned part is invoiced "
        "Wed 02 Dec 2026, 10:00 PST (-08:00) (rule R4)."
    ) in page
    assert "Wed 02 Dec 2026, 10:00 PST (-08:00) (14 days left)" in page
    shipped = fresh(exchange)
    assert shipped.status == "replacement_shipped"
    assert shipped.replacement_shipped_at == NOW
    label = client.get(url + "label.pdf")
    assert label.status_code == 200
    assert label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF")


def test_R6_the_rma_page_tells_the_agent_the_no_liability_notice(desk, exchange):
    page = text_of(html(client_for(desk.agent).get(f"/console/rmas/{exchange.number}/")))
    assert "Tell the customer (R6): The vendor takes no liability for lost data or software" in page
    assert "The customer removed any removable media" in page


def test_N1_console_identifies_the_part_ships_late_and_flags_the_missed_promise(desk, exchange):
    client = client_for(desk.agent)
    url = f"/console/rmas/{exchange.number}/"
    client.post(url + "confirm", {"data_backed_up": "on", "removable_media_removed": "on"})
    # Identified now, Wed 18 Nov 2026 10:00 PST, before the noon cut-off: ships Wed 18,
    # delivered Thu 19 Nov (N1).
    assert client.post(url + "identify", {"identified_at": ""}).status_code == 302
    page = text_of(html(client.get(url)))
    assert "promised to ship Wed 18 Nov 2026, delivered Thu 19 Nov 2026" in page
    assert "Promise missed" not in page
    assert client.post(url + "ship", {"shipped_at": "2026-11-19T09:00"}).status_code == 302
    page = text_of(html(client.get(url)))
    assert (
        "Promise missed (N1): shipped Thu 19 Nov 2026, after the promised Wed 18 Nov 2026 "
        "(rule N1)." in page
    )
    missed = html(client.get("/console/rmas/?missed=1"))
    assert f"RMA {exchange.number}<" in missed
    assert "promise missed</span>" in missed
    assert "0 RMAs" in text_of(html(client.get("/console/rmas/?missed=1&kind=repair")))
    queue = html(client.get("/console/queue/"))
    assert "shipment late</span>" in queue


def test_t1_a_shipping_time_in_the_hour_the_clocks_repeat_is_refused(desk, exchange):
    client = client_for(desk.agent)
    url = f"/console/rmas/{exchange.number}/"
    client.post(url + "confirm", {"data_backed_up": "on", "removable_media_removed": "on"})
    response = client.post(url + "ship", {"shipped_at": "2026-11-01T01:30"})
    assert response.status_code == 400
    assert "2026-11-01 01:30 happens twice in America/Los_Angeles (PDT and PST)" in html(response)
    assert "(rule T1)" in html(response)
    assert 'value="2026-11-01T01:30"' in html(response)
    assert fresh(exchange).replacement_shipped_at is None


def test_t1_the_shipping_time_is_picked_in_the_agents_zone(desk, exchange):
    client = client_for(desk.agent)
    url = f"/console/rmas/{exchange.number}/"
    page = html(client.get(url))
    assert (
        '<input type="datetime-local" id="shipped-at" name="shipped_at" value="2026-11-18T10:00"'
        in page
    )
    assert "(in America/Los_Angeles)" in page
    client.post(url + "confirm", {"data_backed_up": "on", "removable_media_removed": "on"})
    response = client.post(url + "ship", {"shipped_at": "2026-11-18T10:00"})
    assert response.status_code == 302
    assert fresh(exchange).replacement_shipped_at == pacific(2026, 11, 18, 10, 0)


def test_r6_no_label_before_the_confirmations_and_no_pdf_before_the_label(desk):
    rma = rma_of("repair", actor=desk.agent, issued_at=NOW - dt.timedelta(days=1))
    client = client_for(desk.agent)
    response = client.post(f"/console/rmas/{rma.number}/label")
    assert response.status_code == 409
    assert "the label is issued only after the customer confirms" in html(response)
    assert "(rule R6)" in html(response)
    assert client.get(f"/console/rmas/{rma.number}/label.pdf").status_code == 404


def test_r7_r8_receive_inspect_and_decide_a_repair_abroad(desk):
    rma = rma_of(
        "repair",
        actor=desk.agent,
        issued_at=NOW - dt.timedelta(days=2),
        confirmed=True,
        country="DE",
        zone="Europe/Berlin",
    )
    agent = client_for(desk.agent)
    url = f"/console/rmas/{rma.number}/"
    assert agent.post(url + "label").status_code == 302
    assert fresh(rma).status == "label_issued"
    clerk = client_for(make_user("clerk"))
    assert (
        clerk.post("/console/receiving/", {"label_rma_number": str(rma.number)}).status_code == 302
    )
    assert fresh(rma).status == "received"
    assert agent.post(url + "inspect", {"notes": "PSU burnt."}).status_code == 302
    assert fresh(rma).status == "inspected"
    refused = agent.post(url + "decide", {"decision": "repair"})
    assert refused.status_code == 400
    assert "The address is in DE, outside the continental US" in html(refused)
    assert "(rule R8)" in html(refused)
    response = agent.post(
        url + "decide",
        {"decision": "repair", "refurbished": "on", "freight_arrangement": "DHL, customer pays"},
    )
    assert response.status_code == 302
    decided = fresh(rma)
    assert (decided.decision, decided.refurbished, decided.status) == ("repair", True, "closed")
    page = html(agent.get(url))
    assert "Decided: repair with refurbished parts (rule R7)." in page
    assert "freight: DHL, customer pays (R8)" in page


# ------------------------------------------------------------------------- receiving desk


def test_receiving_desk_has_an_autofocused_labelled_scan_field(desk):
    page = html(client_for(make_user("clerk")).get("/console/receiving/"))
    assert '<label for="label-number">' in page
    assert 'id="label-number" name="label_rma_number" autofocus' in page


def test_r3_a_valid_label_is_received(desk, exchange):
    clerk = client_for(make_user("clerk"))
    response = clerk.post("/console/receiving/", {"label_rma_number": f"RMA {exchange.number}"})
    assert response.status_code == 302
    assert fresh(exchange).status == "received"
    assert f"RMA {exchange.number} received (advance exchange)." in html(
        clerk.get("/console/receiving/")
    )


def test_r3_an_expired_number_is_flagged_prominently_then_accepted_with_a_reason(desk):
    rma = rma_of("repair", actor=desk.agent, issued_at=pacific(2026, 10, 1, 10, 0))
    clerk = client_for(make_user("clerk"))
    clerk.post("/console/receiving/", {"label_rma_number": str(rma.number)})
    flagged = fresh(rma)
    assert (flagged.status, flagged.receipt_flags) == ("flagged", ["expired"])
    page = html(clerk.get("/console/receiving/"))
    assert (
        f"FLAGGED FOR REJECTION (rule R3): RMA number expired (label read “{rma.number}”). "
        f"The package is booked on RMA {rma.number}: accept it with a reason or reject it below."
    ) in page
    assert "RMA number expired Sat 31 Oct 2026, 10:00 PDT (-07:00)" in page
    assert f'action="/console/receiving/{rma.number}/accept"' in page
    refused = clerk.post(f"/console/receiving/{rma.number}/accept", {"reason": " "})
    assert refused.status_code == 400
    assert "(rule R3)" in html(refused)
    response = clerk.post(
        f"/console/receiving/{rma.number}/accept", {"reason": "Customer was told by phone."}
    )
    assert response.status_code == 302
    accepted = fresh(rma)
    assert (accepted.status, accepted.receipt_decision_reason) == (
        "received",
        "Customer was told by phone.",
    )


def test_r3_a_flagged_package_can_be_rejected(desk):
    rma = rma_of("repair", actor=desk.agent, issued_at=pacific(2026, 10, 1, 10, 0))
    clerk = client_for(make_user("clerk"))
    clerk.post("/console/receiving/", {"label_rma_number": str(rma.number)})
    response = clerk.post(f"/console/receiving/{rma.number}/reject", {"reason": "Too late."})
    assert response.status_code == 302
    assert fresh(rma).status == "rejected"
    assert f"RMA {rma.number}: package rejected (rule R3)." in html(
        clerk.get("/console/receiving/")
    )


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("999999", "unknown RMA number (label read “999999”)"),
        ("", "no readable RMA number on the label"),
        ("smudged", "no readable RMA number on the label (label read “smudged”)"),
    ],
)
def test_r3_unknown_and_unreadable_labels_are_flagged_with_nothing_to_book_against(
    desk, label, why
):
    clerk = client_for(make_user("clerk"))
    clerk.post("/console/receiving/", {"label_rma_number": label})
    page = html(clerk.get("/console/receiving/"))
    assert (
        f"FLAGGED FOR REJECTION (rule R3): {why}. There is no RMA to book it against: "
        "set the package aside."
    ) in page


def test_r3_an_unreadable_label_is_booked_flagged_on_the_expected_rma(desk, exchange):
    clerk = client_for(make_user("clerk"))
    clerk.post("/console/receiving/", {"label_rma_number": "", "expected": str(exchange.number)})
    booked = fresh(exchange)
    assert (booked.status, booked.receipt_flags) == ("flagged", ["unreadable"])


def test_receiving_is_the_clerks_an_agent_sees_the_refusal(desk, exchange):
    response = client_for(desk.agent).post(
        "/console/receiving/", {"label_rma_number": str(exchange.number)}
    )
    assert response.status_code == 403
    assert "receiving a return needs the role clerk" in html(response)
    assert fresh(exchange).status == "issued"


# ---------------------------------------------------------------------- advance exchanges


def test_r4_advance_exchanges_awaiting_return_with_days_left(desk):
    customer = CustomerFactory(name="Initech")
    # shipped Tue 10 Nov 10:00 PST: label valid until 20 Nov, invoiced 24 Nov 10:00 (R4)
    waiting = advance_exchange(customer=customer, shipped_at=pacific(2026, 11, 10, 10, 0))
    # shipped 3 Nov: label expired 13 Nov, invoice due 17 Nov (before now), not yet issued
    late = advance_exchange(customer=customer, shipped_at=pacific(2026, 11, 3, 10, 0))
    returned = advance_exchange(
        customer=customer, shipped_at=pacific(2026, 11, 9, 10, 0), received_at=NOW
    )
    response = client_for(desk.agent).get("/console/advance-exchanges/")
    assert response.status_code == 200
    page = html(response)
    assert f"RMA {returned.number}<" not in page
    assert page.index(f"RMA {late.number}<") < page.index(f"RMA {waiting.number}<")
    text = text_of(page)
    assert (
        f"RMA {waiting.number} Initech HDD 16TB 450.00 USD; drive sled 180.00 USD "
        "Tue 10 Nov 2026, 10:00 PST (-08:00) Fri 20 Nov 2026, 10:00 PST (-08:00) "
        "Tue 24 Nov 2026, 10:00 PST (-08:00) 6 days"
    ) in text
    assert "label expired" in text and "0 days" in text
    assert "2 RMAs, soonest invoice first." in text


# ------------------------------------------------------------------- F3 money-back returns


def _money_back():
    """A 1,999.00 system with 49.00 shipping and handling, shipped 1 Nov (F3 until 1 Dec)."""
    return rma_of(
        "money_back",
        items=[{"part": "TrueNAS M50", "serial": "M50-1", "unit_price": Decimal("1999.00")}],
        issued_at=pacific(2026, 11, 5, 9, 0),
        shipped_on=dt.date(2026, 11, 1),
        shipping_and_handling=Decimal("49.00"),
    )


def test_F3_the_clerk_ticks_what_came_back_and_the_refund_is_explained(desk):
    rma = _money_back()
    clerk = client_for(make_user("clerk"))
    desk_page = html(clerk.get("/console/receiving/"))
    assert 'name="returned_manuals"' in desk_page and 'name="returned_media"' in desk_page
    response = clerk.post(
        "/console/receiving/",
        {
            "label_rma_number": str(rma.number),
            "returned_manuals": "on",
            "returned_media": "on",
            "returned_documentation": "on",
        },
    )
    assert response.status_code == 302
    got = fresh(rma)
    assert (got.refund_amount, got.restocking_fee) == (Decimal("1599.20"), Decimal("399.80"))
    text = text_of(html(client_for(desk.agent).get(f"/console/rmas/{rma.number}/")))
    assert "manuals back · media back · documentation back" in text
    assert "Shipping and handling of the original order, 49.00 USD: not refunded (rule F3)." in text
    assert "− Restocking fee, 20% of the product price: 399.80 USD (rule F3)." in text


def test_F3_unticked_media_refuses_the_refund_until_an_agent_accepts_it(desk):
    rma = _money_back()
    clerk = client_for(make_user("clerk"))
    clerk.post(
        "/console/receiving/",
        {
            "label_rma_number": str(rma.number),
            "returned_manuals": "on",
            "returned_documentation": "on",
        },
    )
    assert "no refund. Came back without its media" in html(clerk.get("/console/receiving/"))
    assert (fresh(rma).refund_eligible, fresh(rma).refund_amount) == (False, None)
    agent = client_for(desk.agent)
    page = text_of(html(agent.get(f"/console/rmas/{rma.number}/")))
    assert "media MISSING" in page and "Refund without the missing contents" in page
    refused = agent.post(f"/console/rmas/{rma.number}/accept-missing-contents", {"reason": " "})
    assert refused.status_code == 400 and "F3" in text_of(html(refused))
    accepted = agent.post(
        f"/console/rmas/{rma.number}/accept-missing-contents",
        {"reason": "The media are a download."},
    )
    assert accepted.status_code == 302
    assert fresh(rma).refund_amount == Decimal("1599.20")
    # The clerk's correction of the box is the clerk's.
    assert (
        agent.post(f"/console/rmas/{rma.number}/contents", {"returned_media": "on"}).status_code
        == 403
    )
    fixed = clerk.post(
        f"/console/rmas/{rma.number}/contents",
        {"returned_manuals": "on", "returned_media": "on", "returned_documentation": "on"},
    )
    assert fixed.status_code == 302 and fresh(rma).returned_media is True
