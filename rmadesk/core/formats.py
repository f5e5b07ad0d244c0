"""Instants and amounts as a customer reads them: in the active language, in a given zone (T1, F4).

English keeps the forms every page, mail and document used before languages came (`Fri 27 Nov
2026, 08:00 PST (-08:00)`, `1,030.00 USD`: the ISO code tells one dollar from another). German
and Japanese follow their own conventions (CLDR's patterns, written out here for the three
languages rmadesk ships rather than pulling in babel for them): `Fr, 27. Nov 2026, 08:00 CET
(+01:00)` and `1.234,56 €`; `2026年11月27日(金) 08:00 JST (+09:00)` and `￥1,235`. Day and month
names come from Django's own catalogs. Amounts stay Decimal to the end: a string is made once,
here, and a yen amount with a fraction keeps its cents rather than hide them (F4).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import dateformat, translation

# Per language: the date and time before the zone's abbreviation, as a Django date format.
# The first with the offset after the zone (pages), the second without (mails, explanations).
_INSTANT_FORMATS = {
    "de": ("D, j. M Y, H:i", "D, j. M Y H:i"),
    "ja": ("Y年n月j日(D) H:i", "Y年n月j日(D) H:i"),
}
# Per language: (thousands separator, decimal mark, symbol before the number?).
_NUMBER_FORMATS = {
    "de": (".", ",", False),
    "ja": (",", ".", True),
}
_SYMBOLS = {
    "de": {"EUR": "€", "USD": "$", "JPY": "¥", "GBP": "£", "INR": "₹"},
    "ja": {"EUR": "€", "USD": "$", "JPY": "￥", "GBP": "£", "INR": "₹"},
}
_WHOLE_CURRENCIES = frozenset({"JPY"})  # no minor unit (ISO 4217): shown without decimals


def base_language(language: str | None = None) -> str:
    """`de` for `de-at`, `en` for `en-us`: the catalog a language code reads from."""
    code = (language or translation.get_language() or "en").lower()
    return code.split("-", 1)[0].split("_", 1)[0]


def _offset(local: dt.datetime) -> str:
    offset = local.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def instant_text(at: dt.datetime, zone: dt.tzinfo, *, with_offset: bool = True) -> str:
    """An instant in `zone`, in the active language, with the zone's abbreviation.

    English: `Fri 27 Nov 2026, 08:00 PST (-08:00)`, or `Fri 27 Nov 2026 08:00 PST` without the
    offset (the form of mails and explanations, `rmadesk.policy.service_levels.local_text`).
    """
    local = at.astimezone(zone)
    pattern = _INSTANT_FORMATS.get(base_language())
    if pattern is None:
        has_seconds = local.second or local.microsecond
        seconds = f":{local:%S}" if has_seconds and not with_offset else ""
        comma = "," if with_offset else ""
        text = f"{local:%a %d %b %Y}{comma} {local:%H:%M}{seconds} {local.tzname()}"
    else:
        shown = str(dateformat.format(local, pattern[0] if with_offset else pattern[1]))
        text = f"{shown} {local.tzname()}"
    return f"{text} ({_offset(local)})" if with_offset else text


def date_text(day: dt.date, *, weekday: bool = False) -> str:
    """A calendar day in the active language: `27 Nov 2026`, `27. Nov 2026`, `2026年11月27日`.

    With its `weekday` spelled out: `Friday 27 November 2026`, `Freitag, 27. November 2026`,
    `2026年11月27日(金曜日)`.
    """
    language = base_language()
    if language == "de":
        return str(dateformat.format(day, "l, j. F Y" if weekday else "j. M Y"))
    if language == "ja":
        return str(dateformat.format(day, "Y年n月j日(l)" if weekday else "Y年n月j日"))
    return f"{day:%A %d %B %Y}" if weekday else f"{day:%d %b %Y}"


def day_text(day: dt.date) -> str:
    """A calendar day with its weekday, short, as in an instant: `Fri 27 Nov 2026`, `Fr, 27. Nov
    2026`, `2026年11月27日(金)`."""
    pattern = _INSTANT_FORMATS.get(base_language())
    if pattern is None:
        return f"{day:%a %d %b %Y}"
    return str(dateformat.format(day, pattern[1].rsplit(" ", 1)[0].rstrip(",")))


def _group(whole: str, separator: str) -> str:
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + separator.join(groups)


def money_text(amount: Decimal, currency: str, *, grouped: bool = True) -> str:
    """An amount with its currency, in the active language; never a float (F4).

    English: `1,030.00 USD` (`1030.00 USD` when not `grouped`, as the portal has always shown
    it). German: `1.030,00 €`, `1.030,00 $`. Japanese: `$1,030.00`, `￥1,030`.
    """
    value = Decimal(amount)
    language = base_language()
    number_format = _NUMBER_FORMATS.get(language)
    if number_format is None:
        shown = f"{value:,.2f}" if grouped else f"{value:.2f}"
        return f"{shown} {currency}" if currency else shown
    thousands, mark, before = number_format
    places = 0 if currency in _WHOLE_CURRENCIES and value == value.to_integral_value() else 2
    whole, _, fraction = f"{value:.{places}f}".partition(".")
    number = _group(whole, thousands) + (mark + fraction if fraction else "")
    if not currency:
        return number
    symbol = _SYMBOLS[language].get(currency)
    if symbol is None:
        return f"{number} {currency}"
    if before:
        return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"
    return f"{number} {symbol}"


_ENGLISH_INSTANT = re.compile(
    r"(?<![A-Za-z0-9])(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? "
    r"([A-Za-z][A-Za-z0-9]*|[+-]\d{2,4})(?![A-Za-z0-9_+-])"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rezoned(text: str, written_in: dt.tzinfo, shown_in: dt.tzinfo) -> str:
    """A stored explanation with its instants moved from the zone it was written in to another.

    The policy core writes an explanation once, when a clock is set, with its instants in one
    zone (`Due Fri 27 Nov 2026 08:00 PST`, the vendor's: staff read it). A customer reads the
    same lines with each instant in its own zone and language (T1), as the headline above them.
    An instant is recognised only where its abbreviation is the writing zone's at that time (so
    a line already in the customer's zone, or any other text, is left as it is).
    """

    def move(found: re.Match[str]) -> str:
        day, month, year, hour, minute, second, abbreviation = found.groups()
        naive = dt.datetime(  # noqa: DTZ001  # made aware just below, in the writing zone
            int(year),
            _MONTHS.index(month) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
        )
        for fold in (0, 1):
            written = naive.replace(tzinfo=written_in, fold=fold)
            if written.tzname() == abbreviation:
                return instant_text(written, shown_in, with_offset=False)
        return found.group(0)

    return _ENGLISH_INSTANT.sub(move, text)
