"""The active policy file as customer-facing terms: the portal's public policy page (issue 14).

Every figure comes from the policy document a vendor edits (`rmadesk/policy/default.toml` by
default), so the page changes with the file; the sentences around the figures are ours and
translatable. Each section keeps the rule IDs it renders for the page's details toggle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from rmadesk.core import wording
from rmadesk.core.formats import base_language, instant_text
from rmadesk.policy.calendars import WeeklyCalendar
from rmadesk.policy.document import PlanDoc, TargetDoc
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.phone_line import warranty_line
from rmadesk.policy.sentences import ordinal


@dataclass(frozen=True)
class PlanRow:
    title: str
    targets: tuple[str, ...]  # one sentence per severity, in the severities' order
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Holidays:
    region: str
    days: tuple[tuple[dt.date, str], ...]


@dataclass(frozen=True)
class Section:
    """A heading's sentences and the rule IDs behind them (for the details toggle)."""

    key: str
    title: str
    sentences: tuple[str, ...]
    rules: tuple[str, ...] = ()
    items: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Terms:
    name: str
    version: str
    severities: tuple[tuple[str, str, str], ...]  # key, title, description
    plans: tuple[PlanRow, ...]
    hours: tuple[str, ...]
    holidays: tuple[Holidays, ...]
    year: int
    sections: tuple[Section, ...]


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f")


def _calendar_title(policy: Policy, key: str | None) -> str:
    if key is None:
        return ""
    doc = policy.document.calendars.get(key)
    return doc.title if doc is not None else key


def target_sentence(policy: Policy, target: TargetDoc) -> str:
    """One response target as a customer reads it (L3, T4-T6)."""
    if not target.offered:
        return _("Not offered: %(reason)s.") % {"reason": target.reason or ""}
    if not target.sla:
        return _("No response target: %(note)s.") % {"note": target.note or ""}
    calendar = policy.document.calendars.get(str(target.calendar))
    always = calendar is not None and calendar.always_open
    if target.hours is not None:
        hours = f"{target.hours:g}"
        if always:
            text = ngettext(
                "Within %(hours)s hour, around the clock.",
                "Within %(hours)s hours, around the clock.",
                int(target.hours),
            ) % {"hours": hours}
        else:
            text = ngettext(
                "Within %(hours)s business hour (%(calendar)s).",
                "Within %(hours)s business hours (%(calendar)s).",
                int(target.hours),
            ) % {"hours": hours, "calendar": _calendar_title(policy, target.calendar)}
    else:
        days = target.business_days or 1
        if days == 1:
            text = _("By the end of the next business day.")
        else:
            text = _("By the end of the %(days)s business day.") % {"days": _ordinal(days)}
    if target.international_union:
        text += " " + _("Outside %(country)s, your own business hours count too.") % {
            "country": policy.document.customer_hours.home_country
        }
    return text


def _ordinal(n: int) -> str:
    words = {2: _("second"), 3: _("third"), 4: _("fourth"), 5: _("fifth")}
    if n in words:
        return words[n]
    if base_language() == "en":
        return ordinal(n)  # 6th, 21st, 22nd
    # Translators: a business day's place past the fifth, as a number ("6." in German).
    return pgettext("ordinal past the fifth", "%(number)s-th") % {"number": n}


def _plan_notes(plan: PlanDoc) -> tuple[str, ...]:
    notes = []
    if plan.after_hours_severities:
        notes.append(
            _("Reaches the team at any time for severity %(severities)s.")
            % {"severities": ", ".join(plan.after_hours_severities)}
        )
    elif plan.product_line == "truenas":
        notes.append(
            _("Calls outside business hours go to voicemail and count from the next opening.")
        )
    if plan.channel == "email":
        notes.append(_("Support by email and this portal only."))
    if plan.max_drives:
        notes.append(
            _("Covers at most %(drives)s drives per licence.") % {"drives": plan.max_drives}
        )
    return tuple(notes)


def _hours(policy: Policy) -> tuple[str, ...]:
    """Each calendar's hours in words (T2-T4), and the customer's own hours (L3)."""
    lines = []
    for key, calendar in policy.calendars.items():
        doc = policy.document.calendars[key]
        if isinstance(calendar, WeeklyCalendar):
            lines.append(
                _("%(title)s: %(hours)s, %(zone)s time, closed on public holidays.")
                % {"title": doc.title, "hours": calendar.hours_text(), "zone": calendar.zone}
            )
        elif doc.always_open:
            lines.append(
                _("%(title)s: every hour of every day counts.")
                % {"title": wording.plain(doc.title).capitalize()}
            )
    spec = policy.document.customer_hours
    lines.append(
        _(
            "Your own business hours, where they count: %(days)s %(hours)s in your time zone, "
            "closed on your country's public holidays."
        )
        % {"days": "–".join((spec.days[0].title(), spec.days[-1].title())), "hours": spec.hours}
    )
    return tuple(lines)


def holidays_of(policy: Policy, year: int, country: str = "") -> tuple[Holidays, ...]:
    """The closed days of the vendor's business-hours calendars in `year` (T2), and of the
    customer's own country when it is another (N2, L3)."""
    found = []
    for key, calendar in policy.calendars.items():
        if isinstance(calendar, WeeklyCalendar) and policy.document.calendars[key].rule == "T2":
            days = calendar.closed.closed_days(year, year)
            found.append(
                Holidays(
                    calendar.title,
                    tuple((day, name) for day, (name, _kind) in sorted(days.items())),
                )
            )
    home = policy.document.customer_hours.home_country
    country = country.strip().upper()
    if country and country != home:
        try:
            own = policy.customer_calendar("UTC", country)
        except PolicyError:
            return tuple(found)
        days = own.closed.closed_days(year, year)
        found.append(
            Holidays(
                _("Public holidays in %(country)s") % {"country": country},
                tuple((day, name) for day, (name, _kind) in sorted(days.items())),
            )
        )
    return tuple(found)


def holiday_countries(policy: Policy) -> tuple[str, ...]:
    """The countries whose holidays the page offers: the home country and N2's list."""
    home = policy.document.customer_hours.home_country
    return (home, *sorted(set(policy.document.parts.eu.countries) - {home}))


def policy_terms(policy: Policy, year: int, country: str = "") -> Terms:
    """The whole policy as terms a customer can read and file."""
    doc = policy.document
    severities = tuple((key, s.title, s.description) for key, s in doc.severities.items())
    plans = tuple(
        PlanRow(
            plan.title,
            tuple(target_sentence(policy, plan.response[key]) for key in doc.severities),
            _plan_notes(plan),
        )
        for plan in doc.plans.values()
    )
    warranty, rma, money, parts = doc.warranty, doc.rma, doc.money, doc.parts
    years = ", ".join(str(y) for y in warranty.standard_years)
    onsite = tuple(
        wording.plain(option.title)[:1].upper() + wording.plain(option.title)[1:]
        for option in warranty.onsite.values()
    )
    sections = (
        Section(
            "scope",
            _("What support covers"),
            (
                _("Support does not cover the following:"),
                _(
                    "Software support covers released versions only: alpha, beta, release "
                    "candidate, nightly and internal builds are not supported. Jails and plugins "
                    "are supported only where your contract includes an arrangement for them."
                ),
            ),
            ("P1", "P2"),
            items=tuple(doc.scope.out_of_scope_reasons),
        ),
        Section(
            "warranty",
            _("Hardware warranty"),
            (
                _(
                    "The hardware warranty runs from the original shipment date for %(years)s "
                    "years, as bought; an extension brings it to at most %(max)s years."
                )
                % {"years": years, "max": warranty.max_extended_years},
                _(
                    "Damage caused by an act of God, war or terrorism, or by negligence is not "
                    "covered; a claim for it is denied, naming the cause."
                ),
                _(
                    "Returns are for systems under warranty; outside it we quote a paid repair "
                    "that you may accept or decline."
                ),
            ),
            ("W1", "W2", "R9"),
        ),
        Section(
            "onsite",
            _("On-site service"),
            (
                _(
                    "On-site service is not part of the standard warranty; it is an option "
                    "bought with the system. The options are:"
                ),
                _(
                    "The 4-hour clock starts once the cause is found and the parts are on site. "
                    "Visits are booked at least %(hours)s hours ahead."
                )
                % {"hours": warranty.appointment_notice_hours},
            ),
            ("W3", "W4", "W5"),
            items=onsite,
        ),
        Section(
            "parts",
            _("Replacement parts"),
            (
                _(
                    "In the US, parts identified before %(cutoff)s Pacific time on a business "
                    "day ship that day for next-business-day delivery; later, or on a day we "
                    "are closed, they ship the next business day."
                )
                % {"cutoff": f"{parts.us.cutoff:%H:%M}"},
                _(
                    "In the European Union, the same holds with the cut-off at %(cutoff)s "
                    "(%(zone)s), on business days without your country's public holidays."
                )
                % {"cutoff": f"{parts.eu.cutoff:%H:%M}", "zone": parts.eu.cutoff_zone},
                _("Elsewhere: %(explanation)s.")
                % {"explanation": parts.intl.explanation[:1].upper() + parts.intl.explanation[1:]},
            ),
            ("N1", "N2", "N3"),
        ),
        Section(
            "rma",
            _("Returns (RMA)"),
            (
                _(
                    "An RMA carries your ticket's number and is valid for %(days)s days from "
                    "the day it is issued: the return must arrive by then, or it may be refused."
                )
                % {"days": rma.valid_days},
                _(
                    "The RMA number is printed on the return label with a barcode; there is "
                    "nothing to write on the box."
                ),
                _(
                    "Before we send a label you confirm that your data is backed up and any "
                    "removable media are removed; a whole system travels in its original or "
                    "equivalent packaging, insured. We take no liability for lost data or "
                    "software."
                ),
                _(
                    "We decide whether to repair or replace, and may use refurbished parts. "
                    "Return shipping of a repaired system is prepaid within the 48 contiguous "
                    "US states and DC; elsewhere we arrange the freight with you."
                ),
            ),
            ("R1", "R2", "R3", "R6", "R7", "R8"),
        ),
        Section(
            "advance_exchange",
            _("Advance exchange"),
            (
                _(
                    "With an advance exchange we ship the replacement first, with a prepaid "
                    "return label valid for %(label)s days: ship the defective part with it "
                    "within those days."
                )
                % {"label": rma.label_valid_days},
                _(
                    "If the defective part has not arrived %(days)s days after the replacement "
                    "shipped, we invoice the full cost of the parts not returned, once. If it "
                    "arrives later, we cancel that invoice with a credit note."
                )
                % {"days": rma.invoice_after_days},
            )
            + (
                (
                    _("Advance exchange is not offered for: %(models)s.")
                    % {"models": ", ".join(rma.no_advance_exchange_models)},
                )
                if rma.no_advance_exchange_models
                else ()
            ),
            ("R4", "R5"),
        ),
        Section(
            "money",
            _("Payment, money back and late fees"),
            (
                _("Payment is due upfront, unless you agreed other terms with us.")
                if money.default_payment_terms_days == 0
                else _("Payment is due %(days)s days after the invoice, unless agreed otherwise.")
                % {"days": money.default_payment_terms_days},
                _(
                    "Money-back guarantee: a product that arrives back within %(days)s calendar "
                    "days of its original shipment, with its manuals, media and documentation, "
                    "is refunded without shipping and handling, less a restocking fee of "
                    "%(fee)s%% of the product price. Software is not eligible."
                )
                % {"days": money.money_back_days, "fee": _percent(money.restocking_fee_rate)},
                _(
                    "An overdue invoice accrues a late fee of %(rate)s%% of its unpaid amount for "
                    "each full month past its due date, not compounded."
                )
                % {"rate": _percent(money.late_fee_rate_per_month)},
                _("Amounts are rounded to the cent at the end of each calculation."),
            ),
            ("F1", "F2", "F3", "F4"),
        ),
    )
    return Terms(
        name=doc.policy.name,
        version=policy.version,
        severities=severities,
        plans=plans,
        hours=_hours(policy),
        holidays=holidays_of(policy, year, country),
        year=year,
        sections=sections,
    )


def phone_line_words(policy: Policy, *, now: dt.datetime, zone: dt.tzinfo) -> str:
    """The warranty phone line's hours (T3) in the reader's words: `Warranty phone line:
    Mo–Fr 09:00-17:00, America/Los_Angeles time; closed on public holidays in US.`, and for
    a reader in another zone, when it is next open on the reader's clock (T1)."""
    line = warranty_line(policy)
    if line is None:
        return ""
    if not isinstance(line, WeeklyCalendar):
        return wording.sentence(line.description)
    hours = _weekly_line_words(line)
    if str(zone) == str(line.zone):
        return hours
    opens, closes = line.open_span(now)
    if opens <= now:
        # Translators: the phone line's hours on the reader's clock, while it is open.
        span = _("Open now, until %(closes)s your time.") % {
            "closes": instant_text(closes, zone, with_offset=False)
        }
    else:
        # Translators: the phone line's next opening on the reader's clock.
        span = _("Next open %(opens)s to %(closes)s your time.") % {
            "opens": instant_text(opens, zone, with_offset=False),
            "closes": instant_text(closes, zone, with_offset=False),
        }
    return f"{hours} {span}"


def _weekly_line_words(line: WeeklyCalendar) -> str:
    groups: list[tuple[int, int, str]] = []
    for index, hours in enumerate(line.week):
        if hours is None:
            continue
        text = hours.text()
        if groups and groups[-1][1] == index - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], index, text)
        else:
            groups.append((index, index, text))
    shown = "; ".join(
        (str(WEEKDAYS_ABBR[a]) if a == b else f"{WEEKDAYS_ABBR[a]}–{WEEKDAYS_ABBR[b]}") + f" {t}"
        for a, b, t in groups
    )
    values = {"hours": shown, "zone": str(line.zone), "country": line.closed.country}
    if line.closed.country:
        return (
            _(
                "Warranty phone line: %(hours)s, %(zone)s time; closed on public holidays in "
                "%(country)s."
            )
            % values
        )
    return _("Warranty phone line: %(hours)s, %(zone)s time.") % values
