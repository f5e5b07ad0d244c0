"""The corpus: awkward real-world-shaped messages, each a readable ticket or reply, or a clear no.

Every `tests/mail/corpus/*.eml` is ingested into the same small world (Acme with its contacts
and serials, ticket 100001 opened by Jane's mail `<corpus-root@acme.example>` and answered by
our notification `<rmadesk.corpus-out-1@rmadesk.example>`, Globex's ticket 100002). Its expected
outcome is in `MANIFEST.toml`; whatever the outcome, ingestion raises nothing, the text is
clean, the HTML is sanitised, and a second delivery does nothing.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from rmadesk.mail.inbound import ingest, ingest_message
from rmadesk.mail.models import InboundMessage, MailAttachment, OutboxMessage
from rmadesk.tickets.models import Message, Ticket
from tests.mail.inbound.builders import eml
from tests.tickets.factories import ticket_on

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MANIFEST: dict[str, dict[str, Any]] = tomllib.loads(
    (CORPUS / "MANIFEST.toml").read_text(encoding="utf-8")
)
MESSAGES = sorted(CORPUS.glob("*.eml"))
OUR_NOTIFICATION = "<rmadesk.corpus-out-1@rmadesk.example>"
UNSAFE_HTML = re.compile(r"(?i)<script|<iframe|javascript:|\son\w+\s*=|<form")


def test_the_corpus_has_fifty_messages_or_more_each_with_an_expected_outcome():
    assert len(MESSAGES) >= 50
    assert sorted(p.stem for p in MESSAGES) == sorted(MANIFEST)


@pytest.fixture
def corpus_world(world) -> Any:
    root = ingest_message(eml(message_id="<corpus-root@acme.example>"))
    assert root.ticket is not None and root.ticket.number == 100001
    ack = OutboxMessage.objects.filter(ticket_number=100001).order_by("id").first()
    assert ack is not None, "the ticket-opened notification"
    ack.message_id = OUR_NOTIFICATION
    ack.save(update_fields=["message_id"])
    globex = ticket_on(world.globex_asset)
    assert globex.number == 100002
    return world


@pytest.mark.parametrize("path", MESSAGES, ids=[p.stem for p in MESSAGES])
def test_each_corpus_message_ingests_to_its_expected_outcome(corpus_world, path):
    expect = MANIFEST[path.stem]
    raw = path.read_bytes()
    tickets_before = Ticket.objects.count()
    messages_before = Message.objects.count()
    outbox_before = OutboxMessage.objects.count()

    result = ingest(raw, source="corpus")
    inbound = InboundMessage.objects.get(pk=result.inbound.pk)

    assert result.created
    assert inbound.status == expect["status"], inbound.reason
    assert inbound.reason.strip(), "every outcome says why"
    assert bytes(inbound.raw) == raw
    for text in (inbound.text, inbound.subject, inbound.from_name, inbound.html_sanitised):
        assert "\x00" not in text
    assert not UNSAFE_HTML.search(inbound.html_sanitised), inbound.html_sanitised

    if expect["status"] == "ticket_opened":
        assert Ticket.objects.count() == tickets_before + 1
        assert inbound.ticket is not None and inbound.ticket.channel == "email"
        assert inbound.ticket_message is not None and inbound.ticket_message.body.strip()
    elif expect["status"] == "threaded":
        assert Ticket.objects.count() == tickets_before
        assert inbound.ticket is not None and inbound.ticket.number == 100001
        assert inbound.ticket_message.kind == "customer"
    else:
        assert Ticket.objects.count() == tickets_before
        assert Message.objects.count() == messages_before
        assert inbound.ticket is None
    if expect["status"] == "ignored_auto":
        # Machine-made mail gets no answer (a reply to an auto-reply is how mail loops start).
        assert OutboxMessage.objects.count() == outbox_before

    if "text" in expect:
        assert expect["text"] in inbound.text
    if "subject" in expect:
        assert inbound.subject == expect["subject"]
    if "from_name" in expect:
        assert inbound.from_name == expect["from_name"]
    if "severity" in expect:
        assert inbound.ticket.severity == expect["severity"]
    if "serial" in expect:
        assert inbound.ticket.asset.serial == expect["serial"]
    if "ticket_hint" in expect:
        assert inbound.ticket_hint == expect["ticket_hint"]
    files = list(MailAttachment.objects.filter(inbound=inbound))
    if "attachments" in expect:
        assert len(files) == expect["attachments"]
    if "attachment_name" in expect:
        assert files[0].filename == expect["attachment_name"]

    again = ingest(raw, source="corpus")
    assert (again.created, again.inbound.pk) == (False, inbound.pk)
    assert Ticket.objects.count() == tickets_before + (expect["status"] == "ticket_opened")
