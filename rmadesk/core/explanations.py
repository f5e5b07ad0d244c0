"""Explanation lines in the reader's language (T8, issue 14).

The policy core writes its explanations in English from the templates of
`rmadesk.policy.sentences`, and a clock keeps the lines it was set with. A German or Japanese
reader gets each line said again: the line is read back against the templates (each value
found by its kind's form, so "Due ..." cannot swallow a longer sentence), the template is
translated by the catalog, and each value is said in the reader's words: a date in the
reader's form, an amount with its currency, a target, a holiday's name, a nested sentence (a
calendar's description) in turn. Instants stay as written here: the caller moves them to the
reader's zone and language (`rmadesk.core.formats.rezoned`), as for an English reader.

A line that matches no template (a vendor's own text from the policy file, a line written by
an older version) is shown as it is: never guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from rmadesk.core import wording
from rmadesk.core.formats import base_language, date_text, day_text, money_text
from rmadesk.policy.sentences import SENTENCES, Kind, Sentence

# Words the policy and the records put inside a sentence that a catalog translates: the
# on-site options (W3) as the records name them, and the policy file's own on-site titles.
WORDS = (
    gettext_noop("no on-site service"),
    gettext_noop("next business day on-site"),
    gettext_noop("4-hour on-site, 24x7"),
    gettext_noop("next business day on-site, during business hours"),
    gettext_noop("never open"),
)

# The US federal holidays as the `holidays` library names them (T2): it has no German or
# Japanese names for them. A holiday it names otherwise, or a vendor's closure, stays as named.
HOLIDAY_NAMES = {
    "New Year's Day": gettext_noop("New Year's Day"),
    "Martin Luther King Jr. Day": gettext_noop("Martin Luther King Jr. Day"),
    "Washington's Birthday": gettext_noop("Washington's Birthday"),
    "Memorial Day": gettext_noop("Memorial Day"),
    "Juneteenth National Independence Day": gettext_noop("Juneteenth National Independence Day"),
    "Independence Day": gettext_noop("Independence Day"),
    "Labor Day": gettext_noop("Labor Day"),
    "Columbus Day": gettext_noop("Columbus Day"),
    "Veterans Day": gettext_noop("Veterans Day"),
    "Thanksgiving Day": gettext_noop("Thanksgiving Day"),
    "Christmas Day": gettext_noop("Christmas Day"),
}
_OBSERVED = " (observed)"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{2} (?:" + "|".join(_MONTHS) + r") \d{4}"
_NUMBER = r"-?\d+(?:\.\d+)?"
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + ")"
_INTERVALS = r"\d{2}:\d{2}-\d{2}:\d{2}(?:,\d{2}:\d{2}-\d{2}:\d{2})*"
_WEEK = rf"{_WEEKDAY}(?:–{_WEEKDAY})? {_INTERVALS}"

# How each kind of value is written in an English line (anything else: as short as can be).
_FORMS = {
    Kind.INSTANT: _DAY + r" \d{2}:\d{2}(?::\d{2})? (?:[A-Za-z][A-Za-z0-9]*|[+-]\d{2,4})",
    Kind.DATE: r"\d{4}-\d{2}-\d{2}",
    Kind.DAY: _DAY,
    Kind.TIME: r"\d{2}:\d{2}",
    Kind.NUMBER: _NUMBER,
    Kind.MONEY: _NUMBER + r" [A-Z]{3}",
    Kind.ORDINAL: r"first|\d+(?:st|nd|rd|th)",
    Kind.LENGTH: r"\d+ (?:hours?|minutes?|seconds?)(?: \d+ (?:minutes?|seconds?))*",
    Kind.HOURS: rf"never open|{_WEEK}(?:; {_WEEK})*",
    Kind.ZONE: r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*",
    Kind.CALENDAR: r"[^:;()]+?",
    Kind.NAME: r"[^:;()]+?",
    Kind.COUNTRY: r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?",
}

# A rule citation ending a line: `(rule T8).`, `(rules T5, L4).`, `(T2)`.
_CITED = re.compile(r"^(?P<body>.*\S) \((?P<rules>(?:rules? )?[TLPWNRF]\d+(?:, [TLPWNRF]\d+)*)\)$")
_PLACEHOLDERS = re.compile(r"%\(\w+\)s")
_SENTENCE_BREAK = re.compile(r"(?<=[.])\s+(?=[A-Z])")


@cache
def _pattern(template: Sentence) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template.text.replace("%%", "%"))
    regex = []
    for index, part in enumerate(parts):
        if index % 2:
            regex.append(f"(?P<{part}>{_FORMS.get(template.kinds[part], '.+?')})")
        else:
            regex.append(re.escape(part))
    return re.compile("".join(regex))


def in_language(text: str) -> str:
    """An English explanation line (or several sentences) in the active language."""
    if base_language() == "en" or not text:
        return text
    said = _said(text)
    if said is not None:
        return said
    pieces = _SENTENCE_BREAK.split(text)
    if len(pieces) == 1:
        return text
    said_pieces = [_said(piece) or piece for piece in pieces]
    # Japanese runs its sentences on after their "。"; the others leave a space.
    return "".join(p if p.endswith("。") else p + " " for p in said_pieces).rstrip()


def _said(text: str) -> str | None:
    """One sentence said again, with its citation and full stop; None if no template fits.

    The citation is taken off first (a template's last value would swallow it), and the whole
    line is tried last, for a template that cites a rule inside and ends with a full stop.
    """
    body, stop = (text[:-1], ".") if text.endswith(".") else (text, "")
    cited = _CITED.match(body)
    rules = None
    if cited is not None:
        body, rules = cited.group("body"), cited.group("rules")
    found = _matched(body)
    if found is None:
        return _matched(text)
    if rules is None:
        # Translators: a sentence's full stop (a Japanese sentence ends with "。").
        return found + (pgettext("full stop", ".") if stop else "")
    return _citation(found, rules, stop)


def _citation(sentence: str, rules: str, stop: str) -> str:
    if rules.startswith("rules "):
        citation = gettext("rules %(rules)s") % {"rules": rules.removeprefix("rules ")}
    elif rules.startswith("rule "):
        citation = gettext("rule %(rule)s") % {"rule": rules.removeprefix("rule ")}
    else:
        citation = rules
    values = {"sentence": sentence, "citation": citation}
    if stop:
        # Translators: an explanation with its rule citation ("Due ... (rule T8).").
        return gettext("%(sentence)s (%(citation)s).") % values
    # Translators: a part of an explanation with its rule citation ("... holidays (T2)").
    return gettext("%(sentence)s (%(citation)s)") % values


@cache
def _by_length() -> tuple[Sentence, ...]:
    """The templates, the most words first: a longer template is the more specific reading."""
    return tuple(sorted(SENTENCES, key=lambda t: -len(_PLACEHOLDERS.sub("", t.text))))


def _matched(text: str) -> str | None:
    for template in _by_length():
        found = _pattern(template).fullmatch(text)
        if found is None:
            continue
        values = {
            name: _SAY[template.kinds[name]](value) for name, value in found.groupdict().items()
        }
        return gettext(template.text) % values
    return None


def _day(text: str) -> dt.date:
    _weekday, day, month, year = text.split(" ")
    return dt.date(int(year), _MONTHS.index(month) + 1, int(day))


def _number(text: str) -> str:
    return text.replace(".", ",") if base_language() == "de" else text


def _money(text: str) -> str:
    amount, currency = text.rsplit(" ", 1)
    return money_text(Decimal(amount), currency)


def _ordinal(text: str) -> str:
    return "1" if text == "first" else re.sub(r"\D", "", text)


def _length(text: str) -> str:
    said = []
    for count, unit in re.findall(r"(\d+) (hour|minute|second)s?", text):
        n = int(count)
        if unit == "hour":
            said.append(ngettext("%(count)s hour", "%(count)s hours", n) % {"count": n})
        elif unit == "minute":
            said.append(ngettext("%(count)s minute", "%(count)s minutes", n) % {"count": n})
        else:
            said.append(ngettext("%(count)s second", "%(count)s seconds", n) % {"count": n})
    return " ".join(said)


def holiday_words(name: str) -> str:
    """A US federal holiday's name in the reader's language (`Thanksgiving Day`)."""
    observed = name.endswith(_OBSERVED)
    bare = name.removesuffix(_OBSERVED)
    if bare not in HOLIDAY_NAMES:
        return name
    said = gettext(HOLIDAY_NAMES[bare])
    # Translators: a holiday moved to a weekday ("Independence Day (observed)").
    return gettext("%(holiday)s (observed)") % {"holiday": said} if observed else said


def _hours(text: str) -> str:
    if text == "never open":
        return gettext(text)
    return re.sub(
        r"\b(" + "|".join(_WEEKDAYS) + r")\b",
        lambda day: str(WEEKDAYS_ABBR[_WEEKDAYS.index(day.group(1))]),
        text,
    )


def _sentences(text: str) -> str:
    separator = "; " if "; " in text else ", "
    return separator.join(in_language(piece) for piece in text.split(separator))


_SAY: dict[Kind, Callable[[str], str]] = {
    Kind.INSTANT: str,
    Kind.DATE: lambda text: date_text(dt.date.fromisoformat(text)),
    Kind.DAY: lambda text: day_text(_day(text)),
    Kind.TIME: str,
    Kind.SENTENCE: in_language,
    Kind.SENTENCES: _sentences,
    Kind.NAME: str,
    Kind.WORDS: gettext,
    Kind.TARGET: wording.target_words,
    Kind.LENGTH: _length,
    Kind.MONEY: _money,
    Kind.NUMBER: _number,
    Kind.ORDINAL: _ordinal,
    Kind.HOLIDAY: holiday_words,
    Kind.CALENDAR: wording.calendar_words,
    Kind.ZONE: str,
    Kind.TEXT: str,
    Kind.COUNTRY: str,
    Kind.HOURS: _hours,
}
