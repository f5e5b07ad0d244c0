"""The policy's explanation sentences, each written once, as message templates (T8, issue 14).

Every answer explains itself in English (the console's and the API's language, and what a
clock stores when it is set). A customer reads the same lines in their own language: the
templates here are the catalogs' messages (marked with `gettext_noop`, the name xgettext looks
for, so the core imports nothing from Django), and `rmadesk.core.explanations` reads a stored
line back against them to say it again in the reader's language, each value in its kind's
form (an instant in the reader's zone, a date, an amount, a holiday's name).

A rule citation at the end of a line ("(rule T8).") is not part of a template: `cited` adds it,
and the reader's side moves it over as it is. A citation inside a sentence is part of it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    """A message for the catalogs, returned as it is (xgettext collects calls by this name)."""
    return message


class Kind(enum.StrEnum):
    """What a template's value is, so the reader's side can find it and say it again."""

    INSTANT = "instant"  # `Fri 27 Nov 2026 08:00 PST`, as local_text writes it
    DATE = "date"  # `2026-01-15`
    DAY = "day"  # `Fri 27 Nov 2026`
    TIME = "time"  # `12:00`
    SENTENCE = "sentence"  # another explanation (a calendar's description, a skipped day)
    SENTENCES = "sentences"  # several, each a sentence, joined by "; " or ", "
    NAME = "name"  # a name from the policy file or the records: a plan, a model
    TEXT = "text"  # free text from the policy file or the records, as it is
    COUNTRY = "country"  # `US`, `US-CA`
    WORDS = "words"  # English words a catalog translates (an option's label)
    TARGET = "target"  # `4 business hours`
    LENGTH = "length"  # `1 hour 30 minutes`
    MONEY = "money"  # `1000.00 USD`
    NUMBER = "number"  # `30`, `1.5`
    ORDINAL = "ordinal"  # `first`, `6th`
    HOLIDAY = "holiday"  # `Thanksgiving Day`
    CALENDAR = "calendar"  # a calendar's title: `Pacific business hours`
    HOURS = "hours"  # `Mon–Fri 06:00-18:00`
    ZONE = "zone"  # `America/Los_Angeles`


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True, slots=True, eq=False)  # one of each: compared and hashed by identity
class Sentence:
    """One explanation template: English text with `%(name)s` values of known kinds."""

    text: str
    kinds: Mapping[str, Kind] = field(default_factory=dict)

    def __post_init__(self) -> None:
        named = _PLACEHOLDER.findall(self.text)
        if sorted(named) != sorted(self.kinds) or len(set(named)) != len(named):
            raise ValueError(f"{self.text!r}: each value once, with its kind: {self.kinds}")

    def __call__(self, **values: object) -> str:
        return self.text % values


SENTENCES: list[Sentence] = []


def sentence(text: str, **kinds: Kind) -> Sentence:
    found = Sentence(text, kinds)
    SENTENCES.append(found)
    return found


def cited(text: str, citation: str, stop: str = ".") -> str:
    """`text (rule T8).`: a line with its rule citation (`rule T8`, `rules T5, L4`, `T2`)."""
    return f"{text} ({citation}){stop}"


K = Kind

# --- calendars (T2, T4, T7) -----------------------------------------------------------------
SKIPPED_HOLIDAY = sentence(
    gettext_noop("%(day)s skipped (holiday: %(name)s)"), day=K.DAY, name=K.HOLIDAY
)
SKIPPED_CLOSURE = sentence(
    gettext_noop("%(day)s skipped (closure: %(name)s)"), day=K.DAY, name=K.NAME
)
PART_CLOSED_HOLIDAY = sentence(
    gettext_noop("%(day)s: %(calendar)s closed (holiday: %(name)s)"),
    day=K.DAY,
    calendar=K.CALENDAR,
    name=K.HOLIDAY,
)
PART_CLOSED_CLOSURE = sentence(
    gettext_noop("%(day)s: %(calendar)s closed (closure: %(name)s)"),
    day=K.DAY,
    calendar=K.CALENDAR,
    name=K.NAME,
)
EVERY_HOUR = sentence(gettext_noop("%(title)s: every hour of every day counts"), title=K.CALENDAR)
WEEKLY_HOURS = sentence(
    gettext_noop("%(title)s: %(hours)s %(zone)s, closed on %(closed)s"),
    title=K.CALENDAR,
    hours=K.HOURS,
    zone=K.ZONE,
    closed=K.SENTENCES,
)
ANY_OPEN = sentence(
    gettext_noop("%(title)s: open when any of these is open (T7): %(parts)s"),
    title=K.CALENDAR,
    parts=K.SENTENCES,
)
PUBLIC_HOLIDAYS = sentence(
    gettext_noop("%(where)s public holidays (observed dates)"), where=K.COUNTRY
)
EXTRA_CLOSURES = sentence(gettext_noop("%(count)s extra closure(s)"), count=K.NUMBER)
HOLIDAYS_WORKED = sentence(gettext_noop("%(count)s holiday(s) worked"), count=K.NUMBER)
NO_HOLIDAYS = sentence(gettext_noop("no holidays"))

# --- service levels (L3, L4, L5, T5, T6, T8) ------------------------------------------------
NO_SERVICE_LEVEL = sentence(
    gettext_noop("%(head)s: no service level, %(note)s"), head=K.NAME, note=K.TEXT
)
FIRST_RESPONSE = sentence(
    gettext_noop("%(head)s: first response within %(target)s (rule L3), on %(calendar)s."),
    head=K.NAME,
    target=K.TARGET,
    calendar=K.SENTENCE,
)
OUTSIDE_HOME_COUNTRY = sentence(
    gettext_noop(
        "The customer is outside %(home)s (%(country)s): %(severity)s counts whenever "
        "%(calendar)s or the customer's own business hours are open"
    ),
    home=K.COUNTRY,
    country=K.COUNTRY,
    severity=K.NAME,
    calendar=K.CALENDAR,
)
STARTED_OUTSIDE_HOURS = sentence(
    gettext_noop(
        "Started %(start)s, outside open hours: the clock starts at the next opening, %(opening)s"
    ),
    start=K.INSTANT,
    opening=K.INSTANT,
)
COUNTED_IN_DAYS = sentence(
    gettext_noop(
        "Counted as %(target)s: the closing time of the %(ordinal)s business day opening strictly "
        "after %(start)s"
    ),
    target=K.TARGET,
    ordinal=K.ORDINAL,
    start=K.INSTANT,
)
DUE = sentence(gettext_noop("Due %(due)s"), due=K.INSTANT)
NEXT_UPDATE_OWED = sentence(
    gettext_noop("Next update owed at the first-response target, counted from %(since)s at %(at)s"),
    since=K.SENTENCE,
    at=K.INSTANT,
)
SINCE_REPLY = sentence(gettext_noop("the last public agent reply"))
SINCE_SEVERITY_CHANGE = sentence(gettext_noop("the severity change"))
SINCE_RESUME = sentence(gettext_noop("the resume"))
PAUSED_FULL_TARGET = sentence(
    gettext_noop(
        "Paused while the ticket waits on the customer; the full target runs when it resumes"
    )
)
PAUSED_SPLIT = sentence(
    gettext_noop(
        "Paused %(paused)s while the ticket waits on the customer: %(used)s of the target "
        "(%(target)s: %(total)s of open time) used, %(remaining)s remaining; the remainder runs "
        "when the ticket resumes"
    ),
    paused=K.INSTANT,
    used=K.LENGTH,
    target=K.TARGET,
    total=K.LENGTH,
    remaining=K.LENGTH,
)
NEXT_UPDATE_HEAD = sentence(
    gettext_noop(
        "%(head)s: next update at the first-response target (%(target)s), counted from the last "
        "public agent reply (rules L3, L5), on %(calendar)s."
    ),
    head=K.NAME,
    target=K.TARGET,
    calendar=K.SENTENCE,
)
PAUSE_MEANS_PAUSE = sentence(
    gettext_noop(
        "Pause means pause: %(used)s of the target (%(total)s of open time) was used before the "
        "ticket waited on the customer and stays used; the remaining %(remaining)s runs from the "
        "resume at %(resume)s"
    ),
    used=K.LENGTH,
    total=K.LENGTH,
    remaining=K.LENGTH,
    resume=K.INSTANT,
)
RESUMED_OUTSIDE_HOURS = sentence(
    gettext_noop(
        "Resumed outside open hours: the remainder starts at the next opening, %(opening)s"
    ),
    opening=K.INSTANT,
)
CALL_TO_VOICEMAIL = sentence(
    gettext_noop(
        "A %(head)s call outside %(calendar)s goes to voicemail; the clock starts at the next "
        "opening"
    ),
    head=K.NAME,
    calendar=K.CALENDAR,
)
WARRANTY_CALL_TO_VOICEMAIL = sentence(
    gettext_noop(
        "A warranty-event call at %(at)s, outside the %(line)s (%(hours)s), goes to voicemail; its "
        "clock starts when the line opens, %(opens)s"
    ),
    at=K.INSTANT,
    line=K.CALENDAR,
    hours=K.SENTENCE,
    opens=K.INSTANT,
)

# --- warranty, contracts, entitlement (W1, W3, W4, L1, P2, R5, F3) --------------------------
STANDARD_WARRANTY_YEAR = sentence(
    gettext_noop("Standard warranty: %(years)s year from shipment on %(shipped)s"),
    years=K.NUMBER,
    shipped=K.DATE,
)
STANDARD_WARRANTY_YEARS = sentence(
    gettext_noop("Standard warranty: %(years)s years from shipment on %(shipped)s"),
    years=K.NUMBER,
    shipped=K.DATE,
)
EXTENDED_WARRANTY = sentence(
    gettext_noop("Extended to %(years)s years from shipment"), years=K.NUMBER
)
COVERED_THROUGH = sentence(gettext_noop("Covered through %(ends)s"), ends=K.DATE)
MONEY_BACK_BY = sentence(
    gettext_noop(
        "Money-back returns must arrive by %(deadline)s, %(days)s calendar days after shipment"
    ),
    deadline=K.DATE,
    days=K.NUMBER,
)
NO_CONTRACT = sentence(gettext_noop("No support contract in force on %(today)s"), today=K.DATE)
CONTRACT_TERM = sentence(
    gettext_noop("%(plan)s contract %(starts)s to %(ends)s"),
    plan=K.NAME,
    starts=K.DATE,
    ends=K.DATE,
)
JAILS_SUPPORTED = sentence(gettext_noop("Jails and plugins: supported by a prior arrangement"))
JAILS_NOT_SUPPORTED = sentence(
    gettext_noop("Jails and plugins: not supported, the contract records no prior arrangement")
)
ONSITE_OPTION = sentence(gettext_noop("On-site service: %(option)s"), option=K.WORDS)
ADVANCE_EXCHANGE_OFFERED = sentence(
    gettext_noop("Advance exchange offered for %(model)s"), model=K.NAME
)
ADVANCE_EXCHANGE_NOT_OFFERED = sentence(
    gettext_noop("Advance exchange not offered for %(model)s"), model=K.NAME
)
ONSITE_STARTS_AT_ANALYSIS = sentence(
    gettext_noop(
        "The on-site clock starts at the later of root-cause analysis complete and parts on site: "
        "%(starts)s, set by root-cause analysis"
    ),
    starts=K.INSTANT,
)
ONSITE_STARTS_AT_PARTS = sentence(
    gettext_noop(
        "The on-site clock starts at the later of root-cause analysis complete and parts on site: "
        "%(starts)s, set by the parts arriving on site"
    ),
    starts=K.INSTANT,
)
ONSITE_DUE_IN_HOURS = sentence(
    gettext_noop("%(option)s: due %(due)s on %(calendar)s"),
    option=K.WORDS,
    due=K.INSTANT,
    calendar=K.SENTENCE,
)
ONSITE_DUE_NEXT_DAY = sentence(
    gettext_noop("%(option)s: due at the close of the next business day, %(due)s"),
    option=K.WORDS,
    due=K.INSTANT,
)

# --- parts (N1, N2) -------------------------------------------------------------------------
SHIPS_SAME_DAY = sentence(
    gettext_noop(
        "Identified %(at)s, before the %(cutoff)s %(where)s cut-off on a business day: ships the "
        "same day"
    ),
    at=K.INSTANT,
    cutoff=K.TIME,
    where=K.WORDS,
)
SHIPS_NEXT_DAY_AFTER_CUTOFF = sentence(
    gettext_noop(
        "Identified %(at)s, at or after the cut-off (%(cutoff)s %(where)s): ships the next "
        "business day, %(ships)s"
    ),
    at=K.INSTANT,
    cutoff=K.TIME,
    where=K.WORDS,
    ships=K.DAY,
)
SHIPS_NEXT_DAY_NON_BUSINESS = sentence(
    gettext_noop(
        "Identified %(at)s, on a non-business day (%(cutoff)s %(where)s): ships the next business "
        "day, %(ships)s"
    ),
    at=K.INSTANT,
    cutoff=K.TIME,
    where=K.WORDS,
    ships=K.DAY,
)
PACIFIC_TIME = gettext_noop("Pacific time")
DELIVERED_NEXT_DAY = sentence(gettext_noop("Delivered the next business day, %(day)s"), day=K.DAY)

# --- RMAs (R1, R3, R4, R6, R8) --------------------------------------------------------------
RMA_VALID = sentence(
    gettext_noop(
        "RMA issued %(issued)s is valid %(days)s days: returns must arrive by %(expires)s"
    ),
    issued=K.INSTANT,
    days=K.NUMBER,
    expires=K.INSTANT,
)
REPLACEMENT_SHIPPED = sentence(
    gettext_noop(
        "Replacement shipped %(shipped)s with a prepaid return label valid %(days)s days, until "
        "%(until)s"
    ),
    shipped=K.INSTANT,
    days=K.NUMBER,
    until=K.INSTANT,
)
INVOICED_IF_NOT_RETURNED = sentence(
    gettext_noop(
        "If the defective part has not arrived by %(at)s (%(days)s days), one invoice for the "
        "full cost of the unreturned components is issued"
    ),
    at=K.INSTANT,
    days=K.NUMBER,
)
LABEL_AFTER_CONFIRMATIONS = sentence(
    gettext_noop("The return label is issued once the customer confirms that %(needs)s"),
    needs=K.TEXT,
)
CONFIRMATIONS_COMPLETE = sentence(
    gettext_noop("The customer's confirmations are complete; a label may be issued")
)
PROMISE_MISSED = sentence(gettext_noop("Promise missed: %(miss)s."), miss=K.TEXT)

# --- money (F2, F3, F4) ---------------------------------------------------------------------
LATE_MONTH_UNPAID = sentence(
    gettext_noop(
        "Due %(due)s, still unpaid %(on)s: %(months)s full month overdue (months counted from the "
        "due date, clamped at month end)"
    ),
    due=K.DATE,
    on=K.DATE,
    months=K.NUMBER,
)
LATE_MONTHS_UNPAID = sentence(
    gettext_noop(
        "Due %(due)s, still unpaid %(on)s: %(months)s full months overdue (months counted from "
        "the due date, clamped at month end)"
    ),
    due=K.DATE,
    on=K.DATE,
    months=K.NUMBER,
)
LATE_FEE_RATE = sentence(
    gettext_noop(
        "%(percent)s%% of the unpaid principal %(principal)s per full month, not compounded: "
        "%(total)s%% = %(fee)s"
    ),
    percent=K.NUMBER,
    principal=K.MONEY,
    total=K.NUMBER,
    fee=K.MONEY,
)
LATE_MONTH_ON = sentence(
    gettext_noop(
        "Due %(due)s, %(months)s full month overdue on %(on)s (months counted from the due date, "
        "clamped at month end)"
    ),
    due=K.DATE,
    months=K.NUMBER,
    on=K.DATE,
)
LATE_MONTHS_ON = sentence(
    gettext_noop(
        "Due %(due)s, %(months)s full months overdue on %(on)s (months counted from the due date, "
        "clamped at month end)"
    ),
    due=K.DATE,
    months=K.NUMBER,
    on=K.DATE,
)
LATE_FEE_MONTH = sentence(
    gettext_noop(
        "Month %(month)s (ended %(ended)s): %(percent)s%% of the principal unpaid at its end, "
        "%(unpaid)s = %(fee)s"
    ),
    month=K.NUMBER,
    ended=K.DATE,
    percent=K.NUMBER,
    unpaid=K.MONEY,
    fee=K.MONEY,
)
LATE_FEE_TOTAL = sentence(
    gettext_noop("Not compounded, rounded half-up to the cent at the end: %(total)s"),
    total=K.MONEY,
)
LATE_FEE_LINE = sentence(
    gettext_noop(
        "Late fee, month %(month)s overdue since %(due)s (ended %(ended)s): %(percent)s%% of the "
        "principal unpaid at its end, %(unpaid)s"
    ),
    month=K.NUMBER,
    due=K.DATE,
    ended=K.DATE,
    percent=K.NUMBER,
    unpaid=K.MONEY,
)
LATE_FEE_AFTER_PAYMENT = sentence(
    gettext_noop("A payment received after a month ended does not lower that month's fee.")
)

REFUND_ARRIVED = sentence(
    gettext_noop(
        "Arrived %(arrived)s, within %(days)s days of shipment on %(shipped)s (by %(deadline)s)"
    ),
    arrived=K.DATE,
    days=K.NUMBER,
    shipped=K.DATE,
    deadline=K.DATE,
)
REFUND_NEEDS_CONTENTS = sentence(
    gettext_noop("To be refunded it must come back with its manuals, media and documentation")
)
REFUND_CONTENTS_COMPLETE = sentence(
    gettext_noop("Came back with its manuals, media and documentation")
)
REFUND_MISSING_ACCEPTED = sentence(
    gettext_noop("Came back without its %(missing)s; refunded all the same: %(accepted)s"),
    missing=K.TEXT,
    accepted=K.TEXT,
)
REFUND_PRICE = sentence(gettext_noop("Product price: %(price)s"), price=K.MONEY)
RESTOCKING_WAIVED = sentence(gettext_noop("Restocking fee waived: %(reason)s"), reason=K.TEXT)
RESTOCKING_FEE = sentence(
    gettext_noop("− Restocking fee, %(percent)s%% of the product price: %(fee)s"),
    percent=K.NUMBER,
    fee=K.MONEY,
)
HANDLING_NOT_REFUNDED = sentence(
    gettext_noop("Shipping and handling of the original order, %(handling)s: not refunded"),
    handling=K.MONEY,
)
REFUND_TOTAL = sentence(gettext_noop("Refund: %(refund)s"), refund=K.MONEY)


def ordinal(n: int) -> str:
    """`first`, `2nd`, `11th`, `23rd`: a business day's place in an English sentence (T6)."""
    if n == 1:
        return "first"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
