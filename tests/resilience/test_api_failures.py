"""The API answers every error as its JSON shape; 503 with Retry-After while the database is away.

Issue 13: unknown API paths, wrong methods, bodies over the upload limit and server errors came
back as HTML pages, and a database outage answered 500. Every log line carries the request id
the answer echoes, and a 5xx its traceback.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rmadesk.api import tickets as ticket_endpoints
from rmadesk.tickets.models import Ticket
from rmadesk.web.logs import JsonLinesFormatter, RequestContextFilter
from tests.resilience.helpers import Caller, caller
from tests.tickets.factories import asset_on_plan

ROOT = Path(__file__).resolve().parents[2]
OPEN_BODY = {"serial": "A-1", "severity": "S2", "subject": "Pool degraded", "body": "Errors."}
ERROR_KEYS = {"error", "field", "rule"}


@pytest.fixture
def agent(db: Any) -> Caller:
    asset_on_plan("gold", serial="A-1")
    return caller("agent@vendor.example", "agent")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the settings' JSON handler would write, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db
def test_api_unknown_path_answers_json_404():
    client = Client()
    for path in ("/api/v1/no-such-thing", "/api/v1/tickets/1/no-such-part", "/api/elsewhere"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer["Content-Type"] == "application/json", path
        assert answer.json() == {"error": "not found", "field": None, "rule": None}


@pytest.mark.django_db
def test_api_405_is_json_naming_the_methods_the_path_takes(agent):
    answer = agent.client.delete("/api/v1/tickets", headers=agent.headers())
    assert answer.status_code == 405
    body = answer.json()
    assert set(body) == ERROR_KEYS
    assert "GET" in answer["Allow"] and "POST" in answer["Allow"]
    assert body["error"] == f"method not allowed: this path takes {answer['Allow']}"


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "upload-1"])
def test_api_413_is_json_when_the_body_is_over_the_upload_limit(agent, settings, key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = agent.post("/tickets", {**OPEN_BODY, "body": "x" * 2000}, key=key)
    assert answer.status_code == 413
    assert answer.json()["error"] == "the request body is too large: at most 1000 bytes"
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_api_500_is_json_with_the_request_id_and_leaks_no_traceback(agent, monkeypatch, json_log):
    def broken(**_: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ticket_endpoints.services, "open_ticket", broken)
    answer = agent.post("/tickets", OPEN_BODY, key="retry-me")
    assert answer.status_code == 500
    request_id = answer["X-Request-ID"]
    body = answer.json()
    assert body["request_id"] == request_id
    assert body["error"] == f"server error; quote request id {request_id} when reporting it"
    assert b"secret" not in answer.content and b"Traceback" not in answer.content
    # The log has it all: a JSON line with the request id, the user and the traceback.
    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    [logged] = [r for r in records if r["level"] == "ERROR" and r["request_id"] == request_id]
    assert logged["logger"] == "django.request"
    assert logged["user_id"] == str(agent.user.pk)
    assert "RuntimeError: secret internals" in logged["exc_info"]
    # A failed request keeps no Idempotency-Key: the retry runs afresh.
    monkeypatch.undo()
    assert agent.post("/tickets", OPEN_BODY, key="retry-me").status_code == 201


@pytest.mark.django_db
def test_request_id_is_taken_from_the_caller_or_made_and_always_echoed(agent):
    assert agent.get("/tickets", **{"X-Request-ID": "lb-7f3a.42"})["X-Request-ID"] == "lb-7f3a.42"
    made = agent.get("/tickets", **{"X-Request-ID": "no spaces\tor tabs"})["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert Client().get("/healthz")["X-Request-ID"] != made


def test_api_503_with_retry_after_when_database_is_away(tmp_path):
    """A real request, in a process whose PostgreSQL is a closed port: 503, not 500."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rmadesk.config.settings",
        "RMADESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/rmadesk",
        "RMADESK_DEBUG": "0",
        "RMADESK_ALLOWED_HOSTS": "localhost",
        "RMADESK_LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.resilience.outage_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = {a["name"]: a for a in map(json.loads, done.stdout.splitlines())}
    api, page = answers["api"], answers["page"]
    assert api["status"] == 503
    assert api["headers"]["Retry-After"] == "30"
    assert api["headers"]["Content-Type"] == "application/json"
    body = json.loads(api["body"])
    assert body["error"] == (
        "the service is unavailable for a moment (database); try again in 30 s"
    )
    assert body["request_id"] == "probe-api-1" == api["headers"]["X-Request-ID"]
    assert "Traceback" not in api["body"]
    assert page["status"] == 503 and page["headers"]["Retry-After"] == "30"
    assert "Back in a moment" in page["body"]
    # stderr is JSON lines; the API's 503 is logged with its request id and the traceback.
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    [error] = [r for r in logged if r["request_id"] == "probe-api-1" and r["level"] == "ERROR"]
    assert "OperationalError" in error["exc_info"]
