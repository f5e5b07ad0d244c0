"""Issue 14: the customer's words for our rule citations and keys (`rmadesk.core.wording`)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.billing.choices import InvoiceKind
from rmadesk.core import wording
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.tickets.choices import TicketStatus


@pytest.mark.parametrize(
    ("cited", "plain"),
    [
        ("Due Fri 04 Dec 2026 18:00 PST (rule T8).", "Due Fri 04 Dec 2026 18:00 PST."),
        (
            "Gold S1: first response within 2 hours, 24x7 (rule L3), on 24x7: every hour of "
            "every day counts (T4).",
            "Gold S1: first response within 2 hours, around the clock: every hour of every day "
            "counts.",
        ),
        ("2 hours, 24x7, 24x7", "2 hours, around the clock"),
        (
            "Our next update is due by X (4 business hours, rule L5).",
            "Our next update is due by X (4 business hours).",
        ),
        ("1000.00 USD = 15.00 USD (rules F2, F4).", "1000.00 USD = 15.00 USD."),
        (
            "Valid (rule R1: the package must arrive by then)",
            "Valid (the package must arrive by then)",
        ),
        (
            "No label yet: the label is issued after your R6 confirmations (rule R6).",
            "No label yet: the label is issued after your confirmations.",
        ),
        # Translated messages cite their rules in the catalog's words.
        ("Keine Vorabaustausch-Option (Regel R5).", "Keine Vorabaustausch-Option."),
        ("Bis Freitag (Regeln F2, F4).", "Bis Freitag."),
        ("先出し交換はありません（ルール R5）。", "先出し交換はありません。"),
        ("請求書を発行します（規則R4）。", "請求書を発行します。"),
        (
            "TrueNAS R20 and serial R20-J30002 stay as they are",
            "TrueNAS R20 and serial R20-J30002 stay as they are",
        ),
    ],
)
def test_plain_drops_rule_citations_and_says_24x7_in_words(cited, plain):
    assert wording.plain(cited) == plain
    assert wording.rules_in(cited) == tuple(dict.fromkeys(re.findall(r"\b[TLPWNRF]\d+\b", cited)))


@given(
    words=st.lists(
        st.sampled_from(["the part", "arrives by Tue", "is invoiced", "on day 14"]),
        min_size=1,
        max_size=4,
    ),
    rules=st.lists(st.sampled_from(["R1", "R4", "T8", "F2", "L3", "W5"]), min_size=1, max_size=3),
    form=st.sampled_from(["({rules})", "(rule {first})", "(rules {rules})", ", rule {first})"]),
)
def test_no_citation_survives(words, rules, form):
    text = " ".join(words)
    citation = form.format(rules=", ".join(rules), first=rules[0])
    if citation.startswith(","):
        cited = f"{text} (4 business hours{citation}."
    else:
        cited = f"{text} {citation}."
    assert not re.search(r"\b[TLPWNRF]\d+\b", wording.plain(cited))
    assert wording.plain(cited).startswith(text)


def test_each_confirmation_key_has_a_sentence_and_a_need():
    keys = {"data_backed_up", "removable_media_removed", "original_packaging", "insured"}
    assert set(wording.CONFIRMATION_SENTENCES) == keys == set(wording.CONFIRMATION_NEEDS)
    assert wording.needs_text(["data_backed_up", "insured"]) == (
        "your data is backed up and that the shipment is insured"
    )


def test_every_rma_and_ticket_state_and_kind_has_words():
    assert set(wording.RMA_STATUS_SENTENCES) == set(RmaStatus.values)
    assert set(wording.RMA_KIND_WORDS) == set(RmaKind.values)
    assert set(wording.TICKET_STATUS_WORDS) == set(TicketStatus.values)
    assert set(wording.INVOICE_KIND_WORDS) == set(InvoiceKind.values)


@pytest.mark.parametrize(
    ("target", "english", "german", "japanese"),
    [
        ("4 business hours", "4 business hours", "4 Geschäftsstunden", "4 営業時間"),
        ("1 business hour", "1 business hour", "1 Geschäftsstunde", "1 営業時間"),
        ("2 hours, 24x7", "2 hours, around the clock", "2 Stunden, rund um die Uhr", None),
        ("next business day", "next business day", "nächster Geschäftstag", None),
    ],
)
def test_a_target_reads_in_the_readers_language(target, english, german, japanese):
    """The policy core writes "4 business hours"; a German customer reads it in German (L3)."""
    with translation.override("en"):
        assert wording.target_words(target) == english
    with translation.override("de"):
        assert wording.target_words(target) == german
    with translation.override("ja"):
        translated = wording.target_words(target)
        assert translated != english
        if japanese is not None:
            assert translated == japanese


def test_the_default_severities_read_in_german_and_a_vendors_own_stay_as_written():
    with translation.override("de"):
        title, description = wording.severity_words(
            "S2", "S2 degraded", "Decreased production performance or intermittent errors."
        )
        assert (title, description) != (
            "S2 degraded",
            "Decreased production performance or intermittent errors.",
        )
        assert wording.severity_words("S2", "S2 slow", "Our own words.") == (
            "S2 slow",
            "Our own words.",
        )


def test_W2_a_denial_reads_in_the_customers_language():
    with translation.override("en"):
        assert wording.denial_sentence("war_or_terrorism") == (
            "The warranty does not cover damage caused by war or terrorism."
        )
    with translation.override("de"):
        assert "Krieg oder Terrorismus" in wording.denial_sentence("war_or_terrorism")
    with translation.override("ja"):
        assert "戦争またはテロ" in wording.denial_sentence("war_or_terrorism")
