"""Issue 14: instants and amounts in the reader's language (rmadesk.core.formats)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core.formats import date_text, instant_text, money_text, rezoned

LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")
AT = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)  # Fri 27 Nov 2026 08:00 PST


@pytest.mark.parametrize(
    ("language", "zone", "page", "mail"),
    [
        ("en", LA, "Fri 27 Nov 2026, 08:00 PST (-08:00)", "Fri 27 Nov 2026 08:00 PST"),
        ("de", BERLIN, "Fr, 27. Nov 2026, 17:00 CET (+01:00)", "Fr, 27. Nov 2026 17:00 CET"),
        ("ja", TOKYO, "2026年11月28日(土) 01:00 JST (+09:00)", "2026年11月28日(土) 01:00 JST"),
    ],
)
def test_an_instant_in_each_language(language, zone, page, mail):
    with translation.override(language):
        assert instant_text(AT, zone) == page
        assert instant_text(AT, zone, with_offset=False) == mail


def test_a_day_in_each_language():
    day = dt.date(2026, 11, 27)
    with translation.override("de"):
        assert (date_text(day), date_text(day, weekday=True)) == (
            "27. Nov 2026",
            "Freitag, 27. November 2026",
        )
    with translation.override("ja"):
        assert (date_text(day), date_text(day, weekday=True)) == (
            "2026年11月27日",
            "2026年11月27日(金曜日)",
        )
    with translation.override("en"):
        assert date_text(day, weekday=True) == "Friday 27 November 2026"


@pytest.mark.parametrize(
    ("language", "currency", "amount", "shown"),
    [
        ("en", "USD", "1234.56", "1,234.56 USD"),
        ("de", "EUR", "1234.56", "1.234,56 €"),
        ("de", "USD", "-1234567.5", "-1.234.567,50 $"),
        ("ja", "USD", "1234.56", "$1,234.56"),
        ("ja", "JPY", "123456.00", "￥123,456"),
        ("ja", "JPY", "-5.00", "-￥5"),
        ("ja", "JPY", "99.50", "￥99.50"),  # a fraction of a yen is never hidden (F4)
        ("de", "CHF", "1000", "1.000,00 CHF"),
    ],
)
def test_an_amount_in_each_language(language, currency, amount, shown):
    with translation.override(language):
        assert money_text(Decimal(amount), currency) == shown


def test_the_portal_keeps_its_english_amounts():
    with translation.override("en"):
        assert money_text(Decimal("1030"), "USD", grouped=False) == "1030.00 USD"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_a_german_amount_reads_back_to_the_same_decimal(amount):
    with translation.override("de"):
        shown = money_text(amount, "EUR")
    assert shown.endswith(" €")
    number = shown.removesuffix(" €").replace(".", "").replace(",", ".")
    assert Decimal(number) == amount


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_a_japanese_amount_reads_back_to_the_same_decimal(amount):
    with translation.override("ja"):
        shown = money_text(amount, "JPY")
    assert Decimal(shown.replace("￥", "").replace(",", "")) == amount


def test_an_explanation_moves_to_the_readers_zone():
    # 01:30 on the night the clocks go back happens twice: the abbreviation says which.
    line = (
        "Started Sun 01 Nov 2026 01:30 PDT, then Sun 01 Nov 2026 01:30 PST; "
        "due Fri 27 Nov 2026 08:00 PST (rule T8)."
    )
    with translation.override("en"):
        assert rezoned(line, LA, TOKYO) == (
            "Started Sun 01 Nov 2026 17:30 JST, then Sun 01 Nov 2026 18:30 JST; "
            "due Sat 28 Nov 2026 01:00 JST (rule T8)."
        )
    with translation.override("de"):
        assert rezoned("Due Fri 27 Nov 2026 08:00 PST (rule T8).", LA, BERLIN) == (
            "Due Fr, 27. Nov 2026 17:00 CET (rule T8)."
        )


def test_an_instant_in_another_zone_is_left_as_it_is():
    line = "Due Sat 28 Nov 2026 01:00 JST (rule T8)."
    with translation.override("en"):
        assert rezoned(line, LA, BERLIN) == line
