"""A history in plain words: every audit verb recorded under a ticket has its words in the one
table (`rmadesk.web.history.VERB_WORDS`), and an unknown verb still reads as words."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation
from django.utils.functional import Promise

from rmadesk.web.history import VERB_WORDS, words_for

SOURCE = Path(__file__).resolve().parents[2] / "rmadesk"
# Quoted `subject.verb` keys of the record types whose audit events carry a ticket's number (P3).
VERB = re.compile(r'"((?:ticket|clock|mail|rma|invoice|appointment|money_back)\.[a-z_]+)"')
NOT_VERBS = {"mail.inboundmessage", "mail.mailattachment"}  # model labels, not audit verbs


def test_every_verb_recorded_under_a_ticket_has_plain_words():
    recorded: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        recorded |= set(VERB.findall(path.read_text()))
    assert "ticket.customer_replied" in recorded  # the scan finds what services record
    assert sorted(recorded - NOT_VERBS - set(VERB_WORDS)) == []


def test_the_words_are_plain_and_translatable():
    assert words_for("ticket.customer_replied") == "Customer replied"
    assert words_for("ticket.waiting_on_customer") == "Set to wait on the customer"
    with translation.override("de"):
        assert words_for("ticket.opened") == "Ticket opened"  # no German catalogue yet
    assert all(isinstance(words, Promise) for words in VERB_WORDS.values())  # gettext_lazy


def test_an_unknown_verb_reads_as_its_key_in_words():
    assert words_for("ticket.merged_into_another") == "Ticket merged into another"
