"""Issue 14: the policy's explanation lines, written in English, read in German and Japanese.

Every template of `rmadesk.policy.sentences` is read back from the line it writes, in both
shipped languages, by that template and no other (its translated words are all there); each
value comes out in the reader's form; a line no template writes is left exactly as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core.explanations import in_language
from rmadesk.core.formats import date_text, day_text, money_text
from rmadesk.policy import sentences as S
from rmadesk.policy.sentences import SENTENCES, Kind, cited

SAMPLES = {
    Kind.INSTANT: "Fri 27 Nov 2026 08:00 PST",
    Kind.DATE: "2026-01-15",
    Kind.DAY: "Thu 26 Nov 2026",
    Kind.TIME: "12:00",
    Kind.SENTENCE: "the last public agent reply",
    Kind.SENTENCES: "US public holidays (observed dates), 2 extra closure(s)",
    Kind.NAME: "TrueNAS M50",
    Kind.TEXT: "as arranged",
    Kind.COUNTRY: "DE",
    Kind.WORDS: "no on-site service",
    Kind.TARGET: "4 business hours",
    Kind.LENGTH: "1 hour 30 minutes",
    Kind.MONEY: "1000.00 USD",
    Kind.NUMBER: "30",
    Kind.ORDINAL: "6th",
    Kind.HOLIDAY: "Thanksgiving Day",
    Kind.CALENDAR: "Pacific business hours",
    Kind.HOURS: "Mon–Fri 06:00-18:00",
    Kind.ZONE: "America/Los_Angeles",
}


def literal_pieces(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"%\(\w+\)s", text.replace("%%", "%")) if p.strip()]


@pytest.mark.parametrize("language", ["de", "ja"])
@pytest.mark.parametrize("template", SENTENCES, ids=lambda t: t.text[:40])
def test_every_template_is_read_back_and_said_in_the_language(template, language):
    english = cited(
        template(**{name: SAMPLES[kind] for name, kind in template.kinds.items()}), "rule T8"
    )
    with translation.override(language):
        said = in_language(english)
        translated = gettext(template.text)
    assert translated != template.text, "the catalog translates the template"
    for piece in literal_pieces(translated):
        assert piece in said, (piece, said)
    assert "T8" in said  # the citation moves over with the sentence


def test_english_is_left_as_written():
    line = cited(S.DUE(due="Fri 27 Nov 2026 08:00 PST"), "rule T8")
    with translation.override("en"):
        assert in_language(line) == line


@pytest.mark.parametrize("language", ["de", "ja"])
def test_a_line_no_template_writes_is_not_guessed_at(language):
    with translation.override(language):
        assert in_language("Ships by sea freight, as arranged (rule N3).") == (
            "Ships by sea freight, as arranged (rule N3)."
        )


def test_a_due_line_and_a_skipped_holiday_in_german_and_japanese():
    due = cited(S.DUE(due="Fri 27 Nov 2026 08:00 PST"), "rule T8")
    skipped = cited(S.SKIPPED_HOLIDAY(day="Thu 26 Nov 2026", name="Thanksgiving Day"), "rule T2")
    with translation.override("de"):
        assert in_language(due) == "Fällig Fri 27 Nov 2026 08:00 PST (Regel T8)."
        assert in_language(skipped) == (
            "Do, 26. Nov 2026 übersprungen (Feiertag: Thanksgiving) (Regel T2)."
        )
    with translation.override("ja"):
        assert in_language(due) == "期限: Fri 27 Nov 2026 08:00 PST（ルール T8）。"
        assert in_language(skipped) == "2026年11月26日(木)は除外（祝日: 感謝祭）（ルール T2）。"


def test_a_calendar_inside_a_first_response_line_is_said_too():
    calendar = (
        "Pacific business hours: Mon–Fri 06:00-18:00 America/Los_Angeles, closed on US public "
        "holidays (observed dates) (T2)"
    )
    line = S.FIRST_RESPONSE(head="Gold S2", target="4 business hours", calendar=calendar)
    with translation.override("de"):
        assert in_language(line) == (
            "Gold S2: erste Antwort innerhalb von 4 Geschäftsstunden (Regel L3), gezählt nach "
            "Geschäftszeiten (US-Pazifikzeit): Mo–Fr 06:00-18:00 America/Los_Angeles, geschlossen "
            "an: gesetzliche Feiertage (US, an den verschobenen Tagen) (T2)."
        )


def test_an_ordinal_past_the_fifth_reads_as_a_number():
    line = cited(
        S.COUNTED_IN_DAYS(
            target="6 business days", ordinal=S.ordinal(6), start="Fri 27 Nov 2026 08:00 PST"
        ),
        "rule T6",
    )
    with translation.override("de"):
        assert "des 6. Geschäftstags" in in_language(line)
    with translation.override("ja"):
        assert "6営業日目" in in_language(line)


@given(
    month=st.integers(1, 48),
    ended=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    unpaid=st.decimals(Decimal("0"), Decimal("99999999.99"), places=2),
    fee=st.decimals(Decimal("0"), Decimal("9999999.99"), places=2),
    currency=st.sampled_from(["USD", "EUR", "JPY", "CHF"]),
    language=st.sampled_from(["de", "ja"]),
)
def test_a_late_fee_month_keeps_its_numbers_in_any_language(  # noqa: PLR0917  # hypothesis
    month, ended, unpaid, fee, currency, language
):
    """Property: each value of a late-fee line comes out in the reader's form, none lost."""
    line = cited(
        S.LATE_FEE_MONTH(
            month=month,
            ended=ended.isoformat(),
            percent="1.5",
            unpaid=f"{unpaid} {currency}",
            fee=f"{fee} {currency}",
        ),
        "rule F2",
    )
    with translation.override(language):
        said = in_language(line)
        assert date_text(ended) in said
        assert money_text(unpaid, currency) in said
        assert said.endswith(
            money_text(fee, currency) + ("（ルール F2）。" if language == "ja" else " (Regel F2).")
        )
        assert str(month) in said


@given(day=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_a_delivery_day_reads_in_the_readers_form(day):
    line = cited(S.DELIVERED_NEXT_DAY(day=f"{day:%a %d %b %Y}"), "rule N1")
    for language in ("de", "ja"):
        with translation.override(language):
            assert day_text(day) in in_language(line)
