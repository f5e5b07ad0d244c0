"""Idempotency-Key: a retried API create answers the first result and creates nothing (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from rmadesk.core import clock
from rmadesk.core.models import IdempotencyKey
from rmadesk.jobs.maintenance import prune_job_records
from rmadesk.tickets.models import Attachment, Ticket
from tests.resilience.helpers import Caller, caller
from tests.tickets.factories import asset_on_plan, ticket_on

OPEN_BODY = {"serial": "A-1", "severity": "S2", "subject": "Pool degraded", "body": "Errors."}
KEY = "4f1c2a9e-6a0b-4c55-9d0e-2b7c1e8f0a11"


@pytest.fixture
def agent(db: Any) -> Caller:
    asset_on_plan("gold", serial="A-1")
    return caller("agent@vendor.example", "agent")


@pytest.mark.django_db
def test_idempotency_key_replays_the_first_result(agent):
    first = agent.post("/tickets", OPEN_BODY, key=KEY)
    again = agent.post("/tickets", OPEN_BODY, key=KEY)
    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_key_with_another_body_is_refused_naming_the_header(agent):
    assert agent.post("/tickets", OPEN_BODY, key=KEY).status_code == 201
    other = agent.post("/tickets", {**OPEN_BODY, "subject": "Fan noise"}, key=KEY)
    assert other.status_code == 422
    body = other.json()
    assert body["field"] == "Idempotency-Key"
    assert "another request" in body["error"]
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_key_is_per_user_and_absent_keys_create_each_time(agent):
    other = caller("second@vendor.example", "agent")
    assert agent.post("/tickets", OPEN_BODY, key=KEY).status_code == 201
    assert other.post("/tickets", OPEN_BODY, key=KEY).status_code == 201
    assert agent.post("/tickets", OPEN_BODY).status_code == 201
    assert agent.post("/tickets", OPEN_BODY).status_code == 201
    assert Ticket.objects.count() == 4


@pytest.mark.django_db
def test_idempotency_key_replays_a_refusal_and_refuses_a_malformed_key(agent):
    missing = {**OPEN_BODY, "serial": "NOBODY"}
    first = agent.post("/tickets", missing, key=KEY)
    assert first.status_code == 404
    assert agent.post("/tickets", missing, key=KEY).content == first.content
    bad = agent.post("/tickets", OPEN_BODY, key="two words")
    assert bad.status_code == 400
    assert bad.json()["field"] == "Idempotency-Key"
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_idempotency_key_replays_an_attachment_upload(tmp_path, settings):
    settings.RMADESK_DATA_DIR = tmp_path
    asset = asset_on_plan("gold", serial="A-1")
    contact = caller("alice@acme.example", "customer", asset.customer_id)
    ticket = ticket_on(asset, actor=contact.user)
    url = f"/tickets/{ticket.number}/attachments"

    def send() -> Any:
        log = SimpleUploadedFile("zpool.log", b"pool: tank\n state: DEGRADED\n", "text/plain")
        return contact.upload(url, {"file": [log]}, key=KEY)

    first, again = send(), send()
    assert first.status_code == 201, first.content
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_keys_are_pruned_after_24_hours(agent):
    start = dt.datetime(2026, 11, 18, 18, 0, tzinfo=dt.UTC)
    with clock.frozen_at(start):
        assert agent.post("/tickets", OPEN_BODY, key=KEY).status_code == 201
    prune_job_records(now=start + dt.timedelta(hours=23))
    assert IdempotencyKey.objects.count() == 1
    prune_job_records(now=start + dt.timedelta(hours=25))
    assert IdempotencyKey.objects.count() == 0
    # After the 24 hours the key may be used again for a new request.
    with clock.frozen_at(start + dt.timedelta(hours=25)):
        assert agent.post("/tickets", OPEN_BODY, key=KEY).status_code == 201
    assert Ticket.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_idempotency_key_create_one_ticket(agent):
    """Two threads send the same create with the same key at once: one ticket, one answer."""
    answers: list[Any] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        try:
            me = Caller.__new__(Caller)
            me.__dict__.update(agent.__dict__)
            me.client = type(agent.client)(raise_request_exception=False)
            barrier.wait(timeout=30)
            answers.append(me.post("/tickets", OPEN_BODY, key=KEY))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Ticket.objects.count() == 1
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses in ([201, 201], [201, 409])
    created = [a for a in answers if a.status_code == 201]
    assert len({json.loads(a.content)["number"] for a in created}) == 1
