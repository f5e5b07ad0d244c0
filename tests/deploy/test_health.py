"""`/healthz` and `/readyz` in-process: what each checks, read from the settings at request time."""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client, override_settings

from tests.deploy.installation import free_port

REAL_REDIS = "redis://127.0.0.1:6379/0"


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def test_healthz_touches_no_database(client: Client):
    """No `db` fixture: pytest-django fails any query, so a 200 proves none was made."""
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "no-store" in answer["Cache-Control"]
    assert not answer.cookies


@pytest.mark.django_db
def test_readyz_checks_the_database_only_with_the_database_backend(client: Client):
    with override_settings(RMADESK_TASKS_BACKEND="database"):
        answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_unavailable_naming_the_broker_when_redis_is_down(client: Client):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(RMADESK_TASKS_BACKEND="rq", RMADESK_REDIS_URL=closed):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    body = json.loads(answer.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("ConnectionError: ")
    assert "\n" not in body["checks"]["broker"]


@pytest.mark.django_db
def test_readyz_is_ok_when_the_real_redis_answers(client: Client):
    if not redis_answers(REAL_REDIS):
        if os.environ.get("RMADESK_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(f"no Redis at {REAL_REDIS} and RMADESK_TEST_REQUIRE_REDIS=1")
        pytest.skip(f"no Redis at {REAL_REDIS}")
    with override_settings(RMADESK_TASKS_BACKEND="rq", RMADESK_REDIS_URL=REAL_REDIS):
        answer = client.get("/readyz")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_checks_are_exempt_from_the_https_redirect(client: Client):
    assert client.get("/healthz").status_code == 200
    page = client.get("/accounts/login/")
    assert page.status_code == 301
    assert page["Location"].startswith("https://")


@override_settings(ALLOWED_HOSTS=["support.example.com"])
def test_health_checks_still_obey_allowed_hosts(client: Client):
    assert client.get("/healthz", HTTP_HOST="support.example.com").status_code == 200
    assert client.get("/healthz", HTTP_HOST="attacker.example").status_code == 400


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_refuse_other_methods(client: Client, path: str):
    assert client.post(path).status_code == 405
    assert client.put(path).status_code == 405


def test_healthz_answers_head(client: Client):
    assert client.head("/healthz").status_code == 200
