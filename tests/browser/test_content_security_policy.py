"""Pages that aren't ours to template (the API docs, the admin) still work under the
Content-Security-Policy: Swagger UI renders the operations, the admin's scripts run, and the
browser reports no refused script or style."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def refusals(page: Any) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_api_docs_and_admin_run_under_the_content_security_policy(open_page):
    get_user_model().objects.create_superuser("root", "root@vendor.example", "pw-root-123")
    page = open_page()
    refused = refusals(page)

    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()  # Swagger UI ran and listed the operations
    assert page.locator(".opblock").count() > 10

    log_in(page, "root", "pw-root-123")
    page.goto("/admin/auth/user/")
    page.locator("#action-toggle").check()  # the admin's actions.js selects every row
    assert page.locator("tr.selected").count() >= 1

    assert refused == []
