"""Issue 14: the public policy page renders the active policy file as terms a customer reads."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    body = html.unescape(response.content.decode())
    body = re.sub(r"<[^>]+>", " ", body.split("<main", 1)[1].split("</main>", 1)[0])
    return " ".join(body.split())


def row_of(response: Any, plan: str) -> list[str]:
    body = html.unescape(response.content.decode())
    table = body.split('id="response-targets"', 1)[1].split("</table>", 1)[0]
    for row in table.split("<tr>")[1:]:
        if f'<th scope="row">{plan}</th>' in row:
            return [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    raise AssertionError(f"no row for {plan}")


def test_L3_the_policy_page_is_public_and_shows_gold_S1_within_2_hours_around_the_clock():
    response = Client().get("/portal/policy")
    assert response.status_code == 200
    gold = row_of(response, "Gold")
    assert gold[:4] == [
        "Within 2 hours, around the clock.",
        "Within 4 business hours (Pacific business hours).",
        "Within 8 business hours (Pacific business hours).",
        "By the end of the next business day.",
    ]
    assert gold[4] == "Reaches the team at any time for severity S1."
    assert row_of(response, "Bronze")[3] == "By the end of the third business day."
    silver_s1 = row_of(response, "Silver")[0]
    assert silver_s1 == (
        "Within 4 business hours (Pacific business hours). Outside US, your own business hours "
        "count too."
    )
    assert row_of(response, "TrueCommand (licensed, with support)")[0] == (
        "Not offered: S1 is not applicable to TrueCommand; open an S2 for a production problem."
    )


def test_the_policy_page_states_hours_holidays_rma_and_money_terms(client: Client) -> None:
    text = text_of(client.get("/portal/policy"))
    assert (
        "Pacific business hours: Mon–Fri 06:00-18:00, America/Los_Angeles time, closed on public "
        "holidays." in text
    )
    assert "Holidays in 2026" in text
    assert "Thu 26 Nov 2026 : Thanksgiving Day" in text  # T2, the clock's year
    assert "Fri 3 Jul 2026 : Independence Day (observed)" in text
    assert "valid for 30 days from the day it is issued" in text  # R1
    assert "prepaid return label valid for 10 days" in text  # R4
    assert "has not arrived 14 days after the replacement shipped" in text  # R4
    assert "In the US, parts identified before 12:00 Pacific time" in text  # N1
    assert "Visits are booked at least 48 hours ahead." in text  # W5
    assert "restocking fee of 20% of the product price" in text  # F3
    assert "late fee of 1.5% of its unpaid amount for each full month" in text  # F2
    assert "Advance exchange is not offered for: FreeNAS Mini." in text  # R5
    # Rule IDs only in the details toggles.
    outside = re.sub(r"<details>.*?</details>", "", client.get("/portal/policy").content.decode())
    assert not re.search(r"\b[TLPWNRF]\d+\b", re.sub(r"<[^>]+>", " ", outside))


def test_the_policy_page_adds_a_countrys_public_holidays(client: Client) -> None:
    text = text_of(client.get("/portal/policy", {"country": "DE"}))
    assert "Public holidays in DE" in text
    assert "Sat 3 Oct 2026" in text
    # An unknown country adds nothing, and is no error.
    for odd in ("ZZ", "1", "<>", "d", "deutschland"):
        assert client.get("/portal/policy", {"country": odd}).status_code == 200
