"""What customers read instead of our codes: one place for the plain, translatable words.

Rule IDs (R4, W6) and internal keys (`data_backed_up`, `24x7`, `advance_exchange`) are for staff
and for the curious: customer pages keep them behind a "details" toggle, customer mails leave
them out. The portal and the mail notifications both take their words from here, so a
confirmation, a coverage or an RMA state reads the same on the page and in the inbox (issue 14).
Keys are plain strings so that this module imports no business app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:  # the stubs' name for a lazy translated string
    from django.utils.functional import _StrPromise as Promise

# R6: each confirmation as the customer confirms it (a sentence) and as a reminder names it.
CONFIRMATION_SENTENCES: Mapping[str, Promise] = {
    "data_backed_up": _("I have backed up my data."),
    "removable_media_removed": _(
        "I have removed any removable media (USB drives, SD cards, disks not being returned)."
    ),
    "original_packaging": _("The system is packed in its original or equivalent packaging."),
    "insured": _("The shipment is insured."),
}
CONFIRMATION_NEEDS: Mapping[str, Promise] = {
    "data_backed_up": _("your data is backed up"),
    "removable_media_removed": _("you removed any removable media (USB drives, SD cards)"),
    "original_packaging": _("the system travels in its original or equivalent packaging"),
    "insured": _("the shipment is insured"),
}

# Coverage and hours (L3, T2-T4, W3) by the policy file's keys and titles.
COVERAGE_WORDS: Mapping[str, Promise] = {
    "24x7": _("around the clock"),
    "always": _("around the clock, every day of the year"),
    "pacific": _("Pacific business hours"),
    "phone": _("the warranty phone line's hours"),
    "nbd": _("next-business-day on-site service"),
    "4h": _("4-hour on-site service, around the clock"),
    "none": _("no on-site service"),
}

# The English titles the default policy file gives its calendars (`[calendars.*] title`),
# so a clock's stored calendar title reads in the customer's language.
CALENDAR_TITLES: Mapping[str, str] = {"pacific": "Pacific business hours"}

# W2's causes, finishing "the warranty does not cover damage caused by ...".
DENIAL_CAUSE_WORDS: Mapping[str, Promise] = {
    "acts_of_god": _("an act of God (such as a flood, fire, earthquake or lightning)"),
    "war_or_terrorism": _("war or terrorism"),
    "customer_negligence": _("negligence (mishandling, misuse or neglect)"),
}

# A ticket's clocks (L1-L5): what each promises and where it stands.
CLOCK_KIND_WORDS: Mapping[str, Promise] = {
    "first_response": _("first response"),
    "next_update": _("next update"),
}
CLOCK_STATE_WORDS: Mapping[str, Promise] = {
    "running": _("running"),
    "paused": _("paused"),
    "met": _("met"),
    "breached": _("missed"),
}

# What each RMA state means to the customer, in one sentence.
RMA_STATUS_SENTENCES: Mapping[str, Promise] = {
    "issued": _("We are waiting for your confirmations before we send the return label."),
    "confirmed": _("Your confirmations are complete; we send the return label next."),
    "label_issued": _("Your return label is ready: ship the package with it."),
    "replacement_shipped": _(
        "Your replacement is on its way; we are waiting for the defective part."
    ),
    "received": _("We have received your return and will inspect it."),
    "flagged": _("We have received your package and are checking its RMA number."),
    "rejected": _("We could not accept your package."),
    "inspected": _("We have inspected your return and are deciding on repair or replacement."),
    "closed": _("This RMA is closed."),
    "expired": _("This RMA expired before the return arrived."),
    "denied": _("Your warranty claim was denied."),
}

RMA_KIND_WORDS: Mapping[str, Promise] = {
    "repair": _("repair of the whole system"),
    "replacement": _("replacement of the whole system"),
    "advance_exchange": _("advance exchange of a component"),
    "money_back": _("money-back return of the whole system"),
}

TICKET_STATUS_WORDS: Mapping[str, Promise] = {
    "open": _("open: we owe you an answer"),
    "waiting_on_customer": _("waiting for your reply"),
    "resolved": _("resolved"),
    "out_of_scope": _("closed: outside what our support covers"),
    "warranty_denied": _("closed: warranty claim denied"),
}
INVOICE_KIND_WORDS: Mapping[str, Promise] = {
    "unreturned_parts": _("parts of an advance exchange that were not returned"),
    "service": _("service or parts"),
    "repair_quote": _("a repair quote you accepted"),
}
INVOICE_STATUS_WORDS: Mapping[str, Promise] = {
    "open": _("open"),
    "paid": _("paid"),
    "credited": _("credited"),
    "overdue": _("overdue"),
}


def _words(table: Mapping[str, Promise], key: str) -> str:
    words = table.get(key)
    return str(words) if words is not None else key.replace("_", " ")


# "(rule R4)", "(rules F2, F4)", "(T2)", ", rule L5)", "rule R1: ", "R6 confirmations"; also
# as the catalogs write them ("(Regel R4)", "（ルール R4）"), since messages are translated first.
_RULE = r"[TLPWNRF]\d+"
_RULES = rf"{_RULE}(?:\s*(?:,|、|and|und|と)\s*{_RULE})*"
_WORD = r"(?:(?:rules?|Regeln?|Richtlinienregeln?)\s+|(?:ルール|規則|ポリシー規則)\s*)"
_OPEN, _CLOSE = r"[(（]", r"[)）]"
_CITATIONS = (
    (re.compile(rf"\s*{_OPEN}{_WORD}?{_RULES}{_CLOSE}"), ""),  # (rule R4), (rules F2, F4), (T2)
    (re.compile(rf"[,、]\s*{_WORD}{_RULES}(?={_CLOSE})"), ""),  # (4 business hours, rule L5)
    (re.compile(rf"({_OPEN})\s*{_WORD}{_RULES}\s*[:;,：]\s*"), r"\1"),  # (rule R1: the package ...)
    (re.compile(rf"(?<!\w){_WORD}{_RULES}\s*[:;：]\s*"), ""),  # rule F3: ...
    (re.compile(rf"\s*(?<!\w){_WORD}{_RULES}\b"), ""),  # ... under rule W1
    (re.compile(rf"\b{_RULE}\s+(?=confirmations?\b)"), ""),  # your R6 confirmations
    (re.compile(r"\bon 24x7\b"), "24x7"),  # "on 24x7: every hour counts"
)
_EMPTY = re.compile(r"\(\s*\)")
_KEY = re.compile(r"\b24x7\b")


def plain(text: object) -> str:
    """`text` without rule citations and with coverage keys in words (for a customer).

    Policy explanations cite their rules ("due Tue 18:00 PST (rule T6)"); a customer reads the
    sentence, and finds the rule in the details toggle where a page offers one.
    """
    result = str(text)
    for pattern, replacement in _CITATIONS:
        result = pattern.sub(replacement, result)
    result = _EMPTY.sub("", result)
    result = result.replace("（）", "")
    result = _KEY.sub(str(COVERAGE_WORDS["24x7"]), result)
    result = re.sub(r"\s+([.,;:)])", r"\1", result)
    result = re.sub(r"\b(around the clock), \1\b", r"\1", result)
    return re.sub(r"[ \t]{2,}", " ", result).strip()


def rules_in(text: object) -> tuple[str, ...]:
    """The rule IDs a text cites, in order, once each (what the details toggle lists)."""
    return tuple(dict.fromkeys(re.findall(rf"\b{_RULE}\b", str(text))))


def confirmation_needs(names: Iterable[str]) -> list[str]:
    """The R6 confirmations still needed, each in words ("your data is backed up")."""
    return [str(CONFIRMATION_NEEDS.get(name, name.replace("_", " "))) for name in names]


def needs_text(names: Iterable[str]) -> str:
    """The missing confirmations as one clause after "that": "a, that b and that c"."""
    needs = confirmation_needs(names)
    if len(needs) <= 1:
        return "".join(needs)
    that = str(_("that"))
    head = needs[0]
    for need in needs[1:-1]:
        # Translators: joins two missing confirmations inside a list ("a, that b").
        head = str(_("%(previous)s, that %(next)s")) % {"previous": head, "next": need}
    return str(_("%(head)s and %(that)s %(last)s")) % {
        "head": head,
        "that": that,
        "last": needs[-1],
    }


def coverage(key: str) -> str:
    """A coverage or hours key of the policy file in words; an unknown key as it is."""
    return _words(COVERAGE_WORDS, key)


def calendar_words(title: object) -> str:
    """A clock's calendar as the customer reads it: the policy file's titles of the built-in
    calendars in the reader's language (a vendor's own title stays as written)."""
    text = plain(title)
    for key, words in COVERAGE_WORDS.items():
        if text in (key, CALENDAR_TITLES.get(key)):
            return str(words)
    return text


def denial_cause_words(cause: str) -> str:
    return _words(DENIAL_CAUSE_WORDS, cause)


def denial_sentence(cause: str) -> str:
    """W2's refusal as the customer reads it, in their language."""
    return str(_("The warranty does not cover damage caused by %(cause)s.")) % {
        "cause": denial_cause_words(cause)
    }


def denial_text(cause: str, explanation: str) -> str:
    """The closing words of a denied warranty claim (W2): the refusal, its cause in plain
    words, the agent's explanation; in the active language (the mail's is the customer's)."""
    return " ".join((str(_("Your warranty claim is denied.")), denial_sentence(cause), explanation))


def clock_kind_words(kind: str) -> str:
    return _words(CLOCK_KIND_WORDS, kind)


def clock_state_words(state: str) -> str:
    return _words(CLOCK_STATE_WORDS, state)


# The policy core writes a target in English (`service_levels.target_text`): read it back here.
_BUSINESS_HOURS = re.compile(r"^(\d+(?:\.\d+)?) business hours?$")
_HOURS_AROUND_THE_CLOCK = re.compile(r"^(\d+(?:\.\d+)?) hours?, 24x7$")
_BUSINESS_DAYS = re.compile(r"^(\d+) business days$")
FIXED_TARGETS: Mapping[str, Promise] = {
    "next business day": _("next business day"),
    "not offered": _("not offered"),
    "no service level": _("no service level"),
}


def target_words(text: object) -> str:
    """A service-level target ("4 business hours", "2 hours, 24x7") in the reader's language."""
    raw = str(text)
    if found := _BUSINESS_HOURS.match(raw):
        hours = found.group(1)
        return ngettext(
            "%(hours)s business hour", "%(hours)s business hours", 1 if hours == "1" else 2
        ) % {"hours": hours}
    if found := _HOURS_AROUND_THE_CLOCK.match(raw):
        hours = found.group(1)
        return ngettext(
            "%(hours)s hour, around the clock",
            "%(hours)s hours, around the clock",
            1 if hours == "1" else 2,
        ) % {"hours": hours}
    if found := _BUSINESS_DAYS.match(raw):
        return ngettext("%(days)s business day", "%(days)s business days", int(found.group(1))) % {
            "days": found.group(1)
        }
    if raw in FIXED_TARGETS:
        return str(FIXED_TARGETS[raw])
    return plain(raw)


# The default policy file's severities (L2), as a customer reads them; a vendor's own wording
# in its policy file is shown as written.
SEVERITY_WORDS: Mapping[str, tuple[str, Promise, str, Promise]] = {
    "S1": (
        "S1 critical",
        _("S1 critical"),
        "No data or severe performance degradation, critically disrupting the business.",
        _("No data or severe performance degradation, critically disrupting the business."),
    ),
    "S2": (
        "S2 degraded",
        _("S2 degraded"),
        "Decreased production performance or intermittent errors.",
        _("Decreased production performance or intermittent errors."),
    ),
    "S3": (
        "S3 minor",
        _("S3 minor"),
        "A problem or defect with minimal impact.",
        _("A problem or defect with minimal impact."),
    ),
    "S4": (
        "S4 request",
        _("S4 request"),
        "A request for information or an administrative request.",
        _("A request for information or an administrative request."),
    ),
}


def severity_words(key: str, title: str, description: str) -> tuple[str, str]:
    """A severity's title and definition in the reader's language where they are the default
    policy's; a vendor's own wording stays as written."""
    known = SEVERITY_WORDS.get(key)
    if known is None:
        return title, description
    english_title, translated_title, english_description, translated_description = known
    return (
        str(translated_title) if title == english_title else title,
        str(translated_description) if description == english_description else description,
    )


def rma_status_sentence(status: str) -> str:
    return _words(RMA_STATUS_SENTENCES, status)


def rma_kind_words(kind: str) -> str:
    return _words(RMA_KIND_WORDS, kind)


def ticket_status_words(status: str) -> str:
    return _words(TICKET_STATUS_WORDS, status)


def invoice_kind_words(kind: str) -> str:
    return _words(INVOICE_KIND_WORDS, kind)


def invoice_status_words(status: str) -> str:
    return _words(INVOICE_STATUS_WORDS, status)


def sentence(text: object) -> str:
    """`plain(text)` starting with a capital letter: a refusal shown on its own line."""
    result = plain(text)
    first = result.split(" ", 1)[0]
    if "_" in first:  # a field's name leads: keep it as it is spelt
        return result
    return result[:1].upper() + result[1:]


def full_stop(text: str) -> str:
    """`text` ending as a sentence does (a refusal's message often has no final stop)."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?" else f"{text}."
