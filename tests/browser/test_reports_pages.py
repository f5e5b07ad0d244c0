"""Issue 16 in a real browser: a manager signs in, lands on the manager's page and reads every
report. Each page passes axe-core and runs under the Content-Security-Policy (the charts are
SVG drawn on the server: no script, no inline style). The screenshots
docs/screenshots/console-report-*.png and console-dashboard*.png come from this test
(RMADESK_SCREENSHOTS=1 refreshes them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rmadesk.core import clock
from rmadesk.core.services import add_user
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in, shoot
from tests.browser.test_content_security_policy import refusals
from tests.reports.seed import seed, seed_rmas_and_money
from tests.satisfaction.test_results import rated
from tests.tickets.factories import pacific

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
NOVEMBER = "from=2026-11-01&to=2026-11-30"
PAGES = (
    ("console-report-attainment", f"/console/reports/attainment/?{NOVEMBER}&period=week"),
    ("console-report-breaches", f"/console/reports/breaches/?{NOVEMBER}"),
    ("console-report-backlog", "/console/reports/backlog/"),
    ("console-report-rmas", f"/console/reports/rmas/?{NOVEMBER}"),
    ("console-report-money", f"/console/reports/money/?{NOVEMBER}"),
    ("console-report-satisfaction", f"/console/reports/satisfaction/?{NOVEMBER}&period=week"),
    ("console-reports", "/console/reports/"),
)


@pytest.fixture
def desk():
    seed()  # sets the process-wide clock (Fri 20 Nov 2026, noon Pacific) the server reads
    seed_rmas_and_money()
    add_user(email="lead@vendor.example", role="manager", password=PASSWORD)
    for rating, day, plan, comment in (
        (5, 16, "gold", "Replacement arrived before the cut-off, thank you."),
        (4, 17, "gold", ""),
        (2, 18, "silver", "Took two days to get a first answer."),
        (4, 19, "bronze", ""),
    ):
        rated(rating, pacific(2026, 11, day, 11, 0), plan=plan, comment=comment)
    yield
    clock.set_now(None)


def test_a_manager_reads_the_managers_page_and_every_report(desk, open_page, tmp_path: Path):
    lead = open_page()
    refused = refusals(lead)
    log_in(lead, "lead@vendor.example", PASSWORD)
    lead.wait_for_url("**/console/dashboard/")  # the manager's landing page
    assert lead.locator("#figure-money .figure").inner_text() == "507.50"
    assert_accessible(lead)
    shoot(lead, "console-dashboard", tmp_path)
    for name, url in PAGES:
        lead.goto(url)
        assert_accessible(lead, where=name)
        shoot(lead, name, tmp_path)
    lead.goto(PAGES[0][1])
    assert lead.locator("svg[role=img] title").first.text_content().startswith("Met and breached")
    with lead.expect_download() as download:
        lead.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == (
        "rmadesk-attainment-attainment-2026-11-01-2026-11-30.csv"
    )
    assert refused == []

    phone = open_page(390, 844)
    log_in(phone, "lead@vendor.example", PASSWORD)
    phone.wait_for_url("**/console/dashboard/")
    assert_accessible(phone, where="dashboard, phone")
    shoot(phone, "console-dashboard-phone", tmp_path)
    phone.goto(PAGES[0][1])
    assert_accessible(phone, where="attainment, phone")
    shoot(phone, "console-report-attainment-phone", tmp_path)
