"""rmadesk.web holds what every page shares; the names pages use did not change with the move."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import get_template

import rmadesk.web

WEB = Path(rmadesk.web.__file__).parent


@pytest.mark.parametrize(
    "name",
    [
        "rmadesk/base.html",
        "registration/login.html",
        # The admin ships these too: rmadesk.web comes before it in INSTALLED_APPS and wins.
        "registration/password_reset_form.html",
        "registration/password_reset_done.html",
        "registration/password_reset_confirm.html",
        "registration/password_reset_complete.html",
        "registration/password_reset_email.html",
    ],
)
def test_the_shared_templates_come_from_the_web_app(name: str):
    assert Path(get_template(name).origin.name) == WEB / "templates" / name


@pytest.mark.parametrize(
    "path", ["rmadesk/app.css", "rmadesk/app.js", "rmadesk/vendor/pico-2.1.1.min.css"]
)
def test_the_static_files_keep_their_paths(path: str):
    assert Path(finders.find(path)) == WEB / "static" / path
