"""The console's report pages and the manager's page: who may see them, the CSV read back."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict
from html import unescape

import pytest
from django.test import Client

from rmadesk.reports.attainment import attainment
from rmadesk.reports.ranges import DateRange
from tests.factories import CustomerFactory
from tests.reports.seed import seed, seed_rmas_and_money
from tests.signin import sign_in
from tests.tickets.factories import user

pytestmark = pytest.mark.django_db

PAGES = (
    "/console/dashboard/",
    "/console/reports/",
    "/console/reports/attainment/",
    "/console/reports/breaches/",
    "/console/reports/backlog/",
    "/console/reports/rmas/",
    "/console/reports/money/",
    "/console/reports/satisfaction/",
)
NOVEMBER = "from=2026-11-01&to=2026-11-30"


def client_for(account) -> Client:
    return sign_in(Client(), account)


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="rmadesk-')
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def cells_of(html: str, table_id: str) -> list[list[str]]:
    """The page's table as text, one list per body row (the link column left out)."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def test_only_managers_and_admins_read_the_reports_others_are_refused():
    seed()
    for role in ("manager", "admin"):
        signed_in = client_for(user(role))
        for page in PAGES:
            assert signed_in.get(page).status_code == 200, (role, page)
    agent = client_for(user("agent"))
    queue = agent.get("/console/queue/").content.decode()
    assert "/console/dashboard/" not in queue  # no Reports link for an agent
    for role in ("agent", "clerk", "finance"):
        signed_in = client_for(user(role))
        for page in PAGES:
            response = signed_in.get(page)
            assert response.status_code == 403, (role, page)
            assert "needs the role manager" in response.content.decode()
    contact = client_for(user("customer", CustomerFactory()))
    assert {contact.get(page).status_code for page in PAGES} == {404}
    assert {Client().get(page).status_code for page in PAGES} == {302}


def test_a_manager_lands_on_the_managers_page_whose_figures_link_to_their_tickets():
    seeded = seed()
    manager = client_for(seeded.manager)
    assert manager.get("/console/")["Location"] == "/console/dashboard/"
    html = manager.get("/console/dashboard/").content.decode()
    assert "/console/queue/?severity=S1&amp;assignee=none" in html
    assert "/console/queue/?due=hour" in html
    assert 'id="figure-satisfaction"' in html  # the survey's slot


def test_the_csv_of_each_report_has_the_pages_numbers():
    seeded = seed()
    seed_rmas_and_money()
    manager = client_for(seeded.manager)
    url = f"/console/reports/attainment/?{NOVEMBER}&period=week"
    exported = read_csv(manager.get(url + "&format=csv"))
    expected = attainment(seeded.manager, DateRange.parse("2026-11-01", "2026-11-30", "week"))
    as_text = [{k: "" if v is None else str(v) for k, v in asdict(row).items()} for row in expected]
    assert exported == as_text
    assert exported[0]["median_business_hours"] == "3.00"
    page = cells_of(manager.get(url).content.decode(), "table-attainment")
    assert [row[:8] for row in page] == [
        [value or "—" for value in row.values()] for row in exported
    ]
    for report, table in (
        ("breaches", "breaches"),
        ("breaches", "counts"),
        ("backlog", "backlog"),
        ("backlog", "waiting"),
        ("rmas", "rmas"),
        ("money", "money"),
    ):
        query = f"/console/reports/{report}/?{NOVEMBER}"
        exported = read_csv(manager.get(f"{query}&format=csv&table={table}"))
        shown = cells_of(manager.get(query).content.decode(), f"table-{table}")
        assert exported, (report, table)
        width = len(exported[0])
        assert [row[:width] for row in shown] == [
            [value or "—" for value in row.values()] for row in exported
        ], (report, table)
    money = read_csv(manager.get(f"/console/reports/money/?{NOVEMBER}&format=csv&table=money"))
    assert {r["figure"]: r["value"] for r in money}["overdue_1_30"] == "507.50"


def test_a_bad_range_is_refused_on_the_page_naming_the_field():
    seeded = seed()
    manager = client_for(seeded.manager)
    response = manager.get("/console/reports/attainment/?from=2026-11-30&to=2026-11-01")
    assert response.status_code == 400
    assert "to must not be before from" in response.content.decode()
