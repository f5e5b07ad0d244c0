"""A committed write never answers an error: a broker that is down is logged, not a 500."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from rmadesk.core import clock
from rmadesk.jobs.maintenance import sweep_outbox
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.tickets.models import Ticket
from tests.tickets.factories import asset_on_plan

OPEN_BODY = {"serial": "A-1", "severity": "S2", "subject": "Pool degraded", "body": "Errors."}
# Nothing listens on port 1: every connection is refused at once.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq"]
    settings.RMADESK_TASKS_BACKEND = "rq"
    settings.RMADESK_REDIS_URL = CLOSED_REDIS
    settings.RQ_QUEUES = {
        name: {"URL": CLOSED_REDIS, "SOCKET_CONNECT_TIMEOUT": 1}
        for name in (settings.RMADESK_TASKS_QUEUE, "default")
    }
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": [settings.RMADESK_TASKS_QUEUE],
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Production behaviour: a failing subscriber is logged and retried, not raised.
    settings.RMADESK_EVENTS_STRICT = False


@pytest.mark.django_db(transaction=True)
def test_committed_create_answers_201_when_redis_is_down(redis_down, contact, caplog):
    asset = asset_on_plan("gold", serial="A-1")
    client = contact(asset.customer)
    with caplog.at_level(logging.ERROR):
        answer = client.post("/tickets", OPEN_BODY)
    assert answer.status == 201, answer.content
    assert Ticket.objects.filter(subject="Pool degraded").count() == 1
    # The failed enqueue is in the log, naming what could not be queued.
    failures = [r for r in caplog.records if "deliver_outbox_message" in r.getMessage()]
    assert failures and failures[0].exc_info is not None
    # The notification is in the outbox, committed with nothing to send it yet ...
    queued = OutboxMessage.objects.filter(ticket_number=answer.body["number"])
    assert queued.count() >= 1
    assert set(queued.values_list("status", flat=True)) == {OutboxStatus.QUEUED}
    # ... and the periodic sweep delivers it once the worker runs again.
    assert sweep_outbox(now=clock.now()) == queued.count()
    assert set(queued.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert len(mail.outbox) == queued.count()
