"""The production settings as `settings.py` computes them from the environment (run afresh)."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

from rmadesk.config import env

SETTINGS_FILE = str(Path(env.__file__).with_name("settings.py"))


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run the settings module with only the given rmadesk variables set."""

    def load(**variables: str) -> dict[str, Any]:
        for name in [*os.environ]:
            if name.startswith("RMADESK_") or name in {"SECRET_KEY", "DATABASE_URL"}:
                monkeypatch.delenv(name)
        monkeypatch.setenv("RMADESK_DATA_DIR", str(tmp_path))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(SETTINGS_FILE)

    return load


def test_production_turns_on_https_and_hashed_static_files(load_settings: Any):
    loaded = load_settings(RMADESK_DEBUG="0")
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["X_FRAME_OPTIONS"] == "DENY"
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert loaded["WHITENOISE_USE_FINDERS"] is False


def test_development_keeps_http_and_plain_static_files(load_settings: Any):
    loaded = load_settings(RMADESK_DEBUG="1")
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    # Pinned to RMADESK_DEBUG: pytest-django's DEBUG=False must not switch them off.
    assert loaded["WHITENOISE_USE_FINDERS"] is True
    assert loaded["WHITENOISE_AUTOREFRESH"] is True


def test_whitenoise_comes_right_after_the_security_middleware(load_settings: Any):
    middleware = load_settings()["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_health_checks_are_exempt_from_the_https_redirect(load_settings: Any):
    exempt = load_settings(RMADESK_DEBUG="0")["SECURE_REDIRECT_EXEMPT"]
    for path in ("healthz", "readyz"):
        assert any(re.search(pattern, path) for pattern in exempt)
    for path in ("accounts/login/", "healthz/extra", "api/v1/readyz"):
        assert not any(re.search(pattern, path) for pattern in exempt)


def test_web_server_settings_from_the_environment(load_settings: Any):
    loaded = load_settings(
        RMADESK_BIND="0.0.0.0:9000",
        RMADESK_WEB_WORKERS="6",
        RMADESK_WEB_THREADS="2",
        RMADESK_WEB_TIMEOUT="90",
        RMADESK_SSL_REDIRECT="0",
        RMADESK_HSTS_SECONDS="600",
        RMADESK_HSTS_INCLUDE_SUBDOMAINS="0",
        RMADESK_HSTS_PRELOAD="0",
        RMADESK_DEBUG="0",
    )
    assert loaded["RMADESK_BIND"] == ["0.0.0.0:9000"]
    assert (
        loaded["RMADESK_WEB_WORKERS"],
        loaded["RMADESK_WEB_THREADS"],
        loaded["RMADESK_WEB_TIMEOUT"],
    ) == (6, 2, 90)
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 600
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is False
