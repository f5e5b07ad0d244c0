"""Every page carries a Content-Security-Policy that lets no inline script or eval run (issue 13).

An injected `<script>` or `onerror=` attribute that slipped past escaping would still not run:
scripts come only from our own static files. The browser sweep (tests/browser/
test_accessibility.py) checks that no page of ours breaks the policy; this checks the header.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

import rmadesk

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


@pytest.fixture
def admin_client() -> Client:
    admin = get_user_model().objects.create_superuser("root", "root@vendor.example", "x")
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/console/", "/admin/", "/api/v1/docs", "/portal/"]
)
def test_every_page_forbids_inline_script_and_eval(admin_client: Client, path: str):
    response = admin_client.get(path, follow=True)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    # <style> elements are refused like scripts; only style attributes are allowed.
    assert policy["style-src"] == ["'self'"]


def test_no_template_holds_an_inline_script_or_event_handler():
    """What the header forbids, the templates must not need (htmx's eval is off, base.html)."""
    root = Path(rmadesk.__file__).parent
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for line_number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            inline_script = (
                "<script" in stripped
                and "src=" not in stripped
                and ('type="application/json"' not in stripped)
            )
            handler = any(
                f" on{event}=" in stripped
                for event in ("click", "load", "error", "submit", "change", "input")
            )
            if inline_script or handler or "hx-on" in stripped or "js:" in stripped:
                offenders.append(f"{template.relative_to(root)}:{line_number}: {stripped}")
    assert not offenders, "\n".join(offenders)
