"""NUL, control characters and lone surrogates are refused at the edge of every page (issue 13).

On PostgreSQL a NUL in the portal's invoice URL or the console search answered 500; on SQLite
a NUL in a form field was stored. The guard answers 400 naming the field, before any view.
"""

from __future__ import annotations

import pytest
from django.test import Client

from rmadesk.tickets.models import Ticket
from rmadesk.web.input_guard import refused_field
from tests.console.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/portal/invoices/INV%00/", "path"),
        ("/console/?q=pool%00", "q"),
        ("/console/?q=%01", "q"),
        ("/console/?customer%00=1", "customer\ufffd"),
    ],
)
def test_a_nul_or_control_in_a_url_is_a_plain_400_page(url, field):
    answer = Client().get(url)
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    assert f"“{field}”" in answer.content.decode()


def test_tab_cr_and_lf_are_ordinary_text(desk):
    answer = client_for(desk.agent).get("/console/", {"q": "a\tb\r\nc"})
    assert answer.status_code == 200


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_written(desk):
    before = Ticket.objects.count()
    answer = client_for(desk.agent).post("/console/calls/new", {"subject": "Pool\x00 down"})
    assert answer.status_code == 400
    assert "“subject”" in answer.content.decode()
    assert Ticket.objects.count() == before


def test_a_lone_surrogate_in_a_json_body_names_its_nested_field(rf):
    request = rf.post(
        "/api/v1/invoices",
        '{"lines": [{"description": "a\\ud800"}]}',
        content_type="application/json",
    )
    assert refused_field(request) == (
        "lines.0.description",
        "holds a lone surrogate, which is not a Unicode character",
    )
