"""The queue's `?customer=` and `?assignee=` filters with ids no record has (issue 13).

A number past the database's signed 64-bit range (or not a number at all) matches no ticket:
the page answers 200 with an empty list, never a 500.
"""

from __future__ import annotations

import pytest

from tests.console.conftest import client_for
from tests.console.helpers import html, queue_numbers

pytestmark = pytest.mark.django_db

BAD_IDS = [str(2**63), "9" * 40, "²", "-1", "0"]


@pytest.mark.parametrize("field", ["customer", "assignee"])
@pytest.mark.parametrize("value", BAD_IDS)
def test_a_filter_by_an_id_no_record_can_have_matches_nothing(desk, field, value):
    client = client_for(desk.agent)
    assert queue_numbers(html(client.get("/console/"))) != []
    answer = client.get("/console/", {field: value})
    assert answer.status_code == 200
    assert queue_numbers(html(answer)) == []


def test_the_largest_id_is_a_filter_that_matches_nothing(desk):
    answer = client_for(desk.agent).get("/console/", {"customer": str(2**63 - 1)})
    assert answer.status_code == 200
    assert queue_numbers(html(answer)) == []
