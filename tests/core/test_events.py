"""Domain events: recorded with the audit row, published once the transaction commits, and
handed out again if the process dies before every subscriber handled them (ADR 0003)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core import clock
from rmadesk.core.events import (
    DomainEvent,
    from_payload,
    process_identity,
    subscribe,
    to_payload,
)
from rmadesk.core.events import _subscribers as SUBSCRIBERS
from rmadesk.core.models import AuditEvent
from rmadesk.core.services import publish_pending_events, record_event
from rmadesk.jobs.models import WorkerBeat
from rmadesk.jobs.recovery import recover_dead_workers
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.rmas.events import ItemFacts, RmaFacts, RmaOpened
from rmadesk.tickets.events import ClockFacts, CustomerFacts, TicketFacts, TicketOpened
from rmadesk.tickets.services import open_ticket
from tests.tickets.factories import asset_on_plan, pacific, user

pytestmark = pytest.mark.django_db

MONDAY_9 = pacific(2026, 11, 2, 9, 0)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SomethingHappened(DomainEvent):
    """A test-only event with one subscriber that counts what it was handed."""

    what: str


@pytest.fixture
def heard() -> Iterator[list[SomethingHappened]]:
    calls: list[SomethingHappened] = []
    subscribe(SomethingHappened, calls.append)
    yield calls
    SUBSCRIBERS.pop(SomethingHappened, None)


def record_something(what: str = "x") -> AuditEvent:
    return record_event(
        actor=None,
        verb="test.happened",
        subject_type="test",
        subject_id=1,
        event=SomethingHappened(what=what),
    )


def test_recording_an_audit_event_sends_nothing_by_itself():
    with clock.frozen_at(MONDAY_9):
        row = record_event(actor=None, verb="test.noted", subject_type="test", subject_id=1)
    assert (row.event_type, row.payload, row.dispatched_at) == ("", None, None)
    assert not OutboxMessage.objects.exists()


def test_an_event_reaches_its_subscribers_only_when_the_transaction_commits(heard):
    with clock.frozen_at(MONDAY_9), transaction.atomic():
        row = record_something("committed")
        assert heard == []  # still inside the caller's transaction
    assert [event.what for event in heard] == ["committed"]
    assert heard[0].audit_id == row.pk
    row.refresh_from_db()
    assert row.event_type == "SomethingHappened"
    assert row.payload == {"what": "committed"}
    assert row.dispatched_at == MONDAY_9


def test_a_rolled_back_change_publishes_nothing(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_something("rolled back")
        raise RuntimeError("the change fails after recording its event")
    assert heard == []
    assert not AuditEvent.objects.filter(verb="test.happened").exists()


def test_a_failing_subscriber_is_logged_the_others_still_run_and_the_event_is_kept(
    heard, settings, caplog
):
    settings.RMADESK_EVENTS_STRICT = False  # as in production

    def broken(event: SomethingHappened) -> None:
        raise RuntimeError("mail server on fire")

    subscribe(SomethingHappened, broken)
    SUBSCRIBERS[SomethingHappened].reverse()  # the broken one first
    with clock.frozen_at(MONDAY_9), transaction.atomic():
        row = record_something("half handled")
    assert [event.what for event in heard] == ["half handled"]  # the other subscriber ran
    row.refresh_from_db()
    assert row.dispatched_at is None  # kept for the retry
    assert "mail server on fire" in caplog.text


def test_an_event_lost_with_its_process_is_handed_out_again_once(
    django_capture_on_commit_callbacks,
):
    """The process dies after the commit, before the mail was queued: nothing is lost."""
    asset = asset_on_plan("gold", serial="M50-EVENTS")
    contact = user("customer", asset.customer)
    with clock.frozen_at(MONDAY_9), django_capture_on_commit_callbacks(execute=False) as lost:
        ticket = open_ticket(
            actor=contact,
            serial=asset.serial,
            severity="S2",
            subject="Pool degraded",
            body="Drive 3 is UNAVAIL.",
            channel="portal",
        )
    assert lost  # the work that died with the process
    assert not OutboxMessage.objects.exists()
    opened = AuditEvent.objects.get(verb="ticket.opened")
    assert (opened.event_type, opened.dispatched_at) == ("TicketOpened", None)

    # Too early: the first process may still be at it.
    assert publish_pending_events(now=MONDAY_9 + dt.timedelta(minutes=1)) == 0
    later = MONDAY_9 + dt.timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_pending_events(now=later) == 1
    [mail] = OutboxMessage.objects.all()
    assert (mail.kind, mail.ticket_number, mail.event_id) == ("ticket_opened", ticket.number,
                                                              opened.pk)  # fmt: skip
    assert mail.to == [contact.email]
    opened.refresh_from_db()
    assert opened.dispatched_at == later
    assert publish_pending_events(now=later + dt.timedelta(minutes=5)) == 0
    assert OutboxMessage.objects.count() == 1


def test_creating_a_ticket_through_the_api_issues_no_more_queries_than_before(
    contact, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """26 queries before domain events (the mail was built inside the transaction, reading the
    ticket, its clocks, its message, its mail and the outbox back); 20 now, the acknowledgement
    queued (with the check that it starts the ticket's mail thread), its delivery task enqueued
    and the event marked handled included; 23 with staff notifications, which look up who hears
    of it (the ticket's assignee, the teams, else the agents: here nobody); 24 with the
    language of the mail (the requester's contact's choice, issue 14)."""
    asset = asset_on_plan("gold", serial="M50-COUNT")
    client = contact(asset.customer)
    body = {"serial": asset.serial, "severity": "S2", "subject": "Disk", "body": "broken",
            "channel": "portal"}  # fmt: skip
    with clock.frozen_at(MONDAY_9):
        client.post("/tickets", body)  # the first request warms the caches (policy, tokens)
        with (
            django_assert_num_queries(24),
            django_capture_on_commit_callbacks(execute=True),
        ):
            made = client.post("/tickets", body)
    assert made.status == 201
    assert OutboxMessage.objects.filter(ticket_number=made.body["number"]).count() == 1


# ------------------------------------------------------------------------------ payloads

AWARE = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-8)),
                               dt.timezone(dt.timedelta(hours=5, minutes=30))]),
)  # fmt: skip
TEXT = st.text(max_size=40)


@given(
    opened_at=AWARE,
    due_at=st.none() | AWARE,
    subject=TEXT,
    explanation=st.lists(TEXT, max_size=3),
    number=st.integers(min_value=1, max_value=2**62),
)
def test_a_stored_event_reads_back_equal(opened_at, due_at, subject, explanation, number):
    """What the retry hands out is the event the service published: instants keep their
    instant, amounts their exact value."""
    customer = CustomerFacts(id=1, name="Acme", email="it@acme.example", country="US",
                             zone="America/Los_Angeles")  # fmt: skip
    ticket = TicketFacts(
        number=number, subject=subject, plan="gold", severity="S2", status="open",
        channel="portal", opened_at=opened_at, customer=customer, requester="ann@acme.example",
        mail_thread_id="<rmadesk.x@rmadesk.example>",
    )  # fmt: skip
    clock_facts = ClockFacts(kind="first_response", state="running", started_at=opened_at,
                             due_at=due_at, target="4 business hours", calendar="Pacific",
                             explanation=tuple(explanation))  # fmt: skip
    event = TicketOpened(ticket=ticket, body=subject, first_response=clock_facts, audit_id=7)
    again = from_payload("TicketOpened", to_payload(event), audit_id=7)
    assert again == event


@given(price=st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
def test_amounts_in_a_stored_event_stay_exact(price):
    moment = dt.datetime(2026, 11, 2, 17, tzinfo=dt.UTC)
    rma = RmaFacts(number=1, kind="repair", status="issued", issued_at=moment,
                   expires_at=moment, label_issued_at=None, replacement_shipped_at=None,
                   label_expires_at=None, invoice_at=None,
                   items=(ItemFacts(part="PSU", serial="", unit_price=price, currency="USD"),),
                   required_confirmations=("data_backed_up",),
                   missing_confirmations=())  # fmt: skip
    ticket = TicketFacts(number=1, subject="s", plan="gold", severity="S2", status="open",
                         channel="portal", opened_at=moment,
                         customer=CustomerFacts(1, "A", "a@a.example", "US", "UTC"),
                         requester="a@a.example", mail_thread_id="")  # fmt: skip
    event = RmaOpened(ticket=ticket, rma=rma)
    again = from_payload("RmaOpened", to_payload(event), audit_id=None)
    assert again == event
    assert again.rma.items[0].unit_price == price


def test_a_dead_worker_s_events_are_handed_out_by_the_worker_that_takes_it_over(
    django_capture_on_commit_callbacks,
):
    """A worker killed between a scan's commit and the mail it owed: the worker that finds it
    dead queues that mail at once, without waiting for the retry's delay."""
    asset = asset_on_plan("gold", serial="M50-DEAD")
    contact = user("customer", asset.customer)
    with clock.frozen_at(MONDAY_9), django_capture_on_commit_callbacks(execute=False):
        open_ticket(actor=contact, serial=asset.serial, severity="S2", subject="Degraded",
                    body="Drive 3.", channel="portal")  # fmt: skip
    # As if a worker on this machine, whose process is gone, had recorded it.
    gone = 4_194_000  # no such process
    here = socket.gethostname()
    AuditEvent.objects.filter(verb="ticket.opened").update(recorded_by=process_identity(here, gone))
    WorkerBeat.objects.create(
        worker_id="dead-one", hostname=here, pid=gone, backend="database",
        started_at=MONDAY_9, last_seen_at=MONDAY_9,
    )  # fmt: skip
    found_dead = MONDAY_9 + dt.timedelta(seconds=5)  # long before the retry's delay
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_dead_workers(now=found_dead, me="alive") == ["dead-one"]
    [mail] = OutboxMessage.objects.all()
    assert mail.kind == "ticket_opened"
    assert AuditEvent.objects.get(verb="ticket.opened").dispatched_at == found_dead
