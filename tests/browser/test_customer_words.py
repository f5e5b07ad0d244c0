"""Issue 14 in the browser: an RMA page's next step and the public terms page read well on a
phone and on a desktop, pass axe-core, and show rule IDs only when the details are opened."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from rmadesk.core import clock
from rmadesk.demo.data import load_demo_data
from rmadesk.demo.records import DEMO_PASSWORD
from rmadesk.rmas.models import Rma
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.conftest import log_in, shoot

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_NOW = dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.UTC)
CUSTOMER = "it@pacificmedia.example"


@pytest.fixture
def demo() -> Any:
    with clock.frozen_at(DEMO_NOW):
        load_demo_data()
    with clock.frozen_at(DEMO_NOW):
        yield


@pytest.mark.parametrize("width", [390, 1280])
def test_the_rma_next_step_and_the_terms_read_on_every_width(demo, open_page, tmp_path, width):
    exchange = (
        Rma.objects.filter(
            kind="advance_exchange",
            status="replacement_shipped",
            ticket__customer__name__startswith="Pacific",
        )
        .order_by("-issued_at")
        .first()
    )
    assert exchange is not None
    page = open_page(width, 844)
    log_in(page, CUSTOMER, DEMO_PASSWORD)
    page.wait_for_url("**/portal/")
    for path, name in (
        (f"/portal/rmas/{exchange.number}/", "portal-rma-next-step"),
        ("/portal/policy", "portal-terms"),
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        found = blocking(axe_violations(page))
        assert not found, describe(found, where=path)
        shot = shoot(page, f"{name}-{width}", tmp_path)
        if os.environ.get("RMADESK_SHOTS_TO"):
            Path(os.environ["RMADESK_SHOTS_TO"]).mkdir(exist_ok=True)
            (Path(os.environ["RMADESK_SHOTS_TO"]) / shot.name).write_bytes(shot.read_bytes())
    page.goto(f"/portal/rmas/{exchange.number}/")
    headline = page.locator("#next-step strong").first.inner_text()
    assert headline.startswith("Ship the defective part by ")
    details = page.locator("#next-step details")
    assert not details.locator("small").is_visible()
    details.locator("summary").click()
    assert details.locator("small").inner_text() == "Policy rules R4"
