"""Keyset pages and capped counts (issue 15): every row once, in one order, ties included."""

from __future__ import annotations

import pytest

from rmadesk.core.paging import capped_count, keyset_page
from rmadesk.tickets.models import Ticket
from tests.tickets.factories import asset_on_plan, pacific, ticket_on

pytestmark = pytest.mark.django_db


def test_pages_on_a_tied_first_key_give_every_row_once_in_one_order():
    asset = asset_on_plan("gold")
    same, later = pacific(2026, 11, 18, 10, 0), pacific(2026, 11, 18, 11, 0)
    for at in (same, later, same, same, later, same):
        ticket_on(asset, opened_at=at)
    keys = ("opened_at", "number")
    expected = list(Ticket.objects.order_by("-opened_at", "-number"))
    seen, after = [], None
    while True:
        page = keyset_page(Ticket.objects.all(), keys=keys, after=after, limit=4)
        seen += page.items
        if page.next_key is None:
            break
        after = page.next_key
    assert seen == expected and len(set(seen)) == 6
    assert str(capped_count(Ticket.objects.all(), 5)) == "5+"
    assert str(capped_count(Ticket.objects.all(), 6)) == "6"
