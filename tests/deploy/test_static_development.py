"""Development (RMADESK_DEBUG on, as in `rmadesk demo` and the test suite): static files are
served from the apps as they are, with no collectstatic and no manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client

import rmadesk.web

PICO = "rmadesk/vendor/pico-2.1.1.min.css"

pytestmark = pytest.mark.skipif(
    not settings.WHITENOISE_USE_FINDERS, reason="the suite runs with RMADESK_DEBUG=0"
)


def test_pages_link_the_plain_names():
    assert static(PICO) == f"/static/{PICO}"


def test_whitenoise_serves_the_app_files_without_collectstatic(client: Client):
    answer = client.get(f"/static/{PICO}")
    assert answer.status_code == 200
    source = Path(rmadesk.web.__file__).with_name("static") / PICO
    assert b"".join(answer.streaming_content) == source.read_bytes()
