"""Warranty terms (W1), on-site service clocks (W3, W4) and appointment notice (W5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from rmadesk.policy import sentences as S
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import UTC, require_aware
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import money_back_deadline
from rmadesk.policy.sentences import cited
from rmadesk.policy.service_levels import local_text


@dataclass(frozen=True, slots=True)
class WarrantyAnswer:
    years: int
    warranty_ends_on: dt.date
    money_back_until: dt.date
    rules: tuple[str, ...]
    explain: tuple[str, ...]


def warranty_terms(
    policy: Policy, *, shipped_on: dt.date, years: int, extended_to_years: int | None = None
) -> WarrantyAnswer:
    """When the hardware warranty ends and the money-back window closes (W1, F3).

    The warranty covers up to and including `warranty_ends_on`, the shipment date plus the term
    (29 February plus one year is 28 February).
    """
    spec = policy.document.warranty
    standard = ", ".join(str(y) for y in spec.standard_years)
    if years not in spec.standard_years:
        raise PolicyError(
            f"a standard warranty runs {standard} years from shipment, not {years}",
            rule="W1",
            field="years",
        )
    term = years
    standard_years = S.STANDARD_WARRANTY_YEARS if years > 1 else S.STANDARD_WARRANTY_YEAR
    explain = [cited(standard_years(years=years, shipped=shipped_on), "rule W1")]
    if extended_to_years is not None:
        if extended_to_years < years:
            raise PolicyError(
                f"an extension cannot shorten the {years}-year warranty to {extended_to_years}",
                rule="W1",
                field="extended_to_years",
            )
        if extended_to_years > spec.max_extended_years:
            raise PolicyError(
                f"an extension brings the warranty to at most {spec.max_extended_years} years "
                f"from shipment, not {extended_to_years}",
                rule="W1",
                field="extended_to_years",
            )
        term = extended_to_years
        explain.append(cited(S.EXTENDED_WARRANTY(years=term), "rule W1"))
    ends_on = shipped_on + relativedelta(years=term)
    money_back = money_back_deadline(policy, shipped_on)
    explain.append(cited(S.COVERED_THROUGH(ends=ends_on), "rule W1"))
    money_back_by = S.MONEY_BACK_BY(deadline=money_back, days=policy.document.money.money_back_days)
    explain.append(cited(money_back_by, "rule F3"))
    return WarrantyAnswer(term, ends_on, money_back, ("W1", "F3"), tuple(explain))


@dataclass(frozen=True, slots=True)
class OnsiteAnswer:
    option: str
    starts: dt.datetime
    due: dt.datetime
    rules: tuple[str, ...]
    explain: tuple[str, ...]


def onsite_due(
    policy: Policy, *, option: str, rca_done: dt.datetime, parts_onsite: dt.datetime
) -> OnsiteAnswer:
    """When on-site service is due (W3, W4).

    The clock starts when root-cause analysis is complete and the parts are on site: the later
    of the two instants. The product applies the same start to the next-business-day option,
    because a technician cannot replace what has not arrived.
    """
    # In UTC: Python compares and subtracts datetimes sharing a tzinfo on the wall clock.
    rca_done = require_aware(rca_done, "rca_done").astimezone(UTC)
    parts_onsite = require_aware(parts_onsite, "parts_onsite").astimezone(UTC)
    options = policy.document.warranty.onsite
    spec = options.get(option)
    if spec is None:
        raise PolicyError(
            f"unknown on-site option {option!r}; the options are {', '.join(options)}",
            rule="W3",
            field="option",
        )
    if spec.calendar is None:
        raise PolicyError(
            f"{spec.title}: on-site service is not part of the standard warranty",
            rule="W3",
            field="option",
        )
    starts = max(rca_done, parts_onsite)
    calendar = policy.calendar(spec.calendar)
    shown = policy.vendor_zone
    set_by = S.ONSITE_STARTS_AT_ANALYSIS if rca_done >= parts_onsite else S.ONSITE_STARTS_AT_PARTS
    explain = [cited(set_by(starts=local_text(starts, shown)), "rule W4")]
    if spec.hours is not None:
        due = calendar.add(starts, dt.timedelta(seconds=int(spec.hours * 3600)))
        due_in_hours = S.ONSITE_DUE_IN_HOURS(
            option=spec.title, due=local_text(due, shown), calendar=calendar.description
        )
        explain.append(cited(due_in_hours, "rules W3, W4"))
    else:
        assert spec.business_days is not None
        due = calendar.business_days(starts, spec.business_days)
        due_next_day = S.ONSITE_DUE_NEXT_DAY(option=spec.title, due=local_text(due, shown))
        explain.append(cited(due_next_day, "rules W3, T6"))
        explain.extend(
            cited(d.sentence(), "rule T2") for d in calendar.skipped_between(starts, due)
        )
    return OnsiteAnswer(option, starts, due, ("W3", "W4", *calendar.rules()), tuple(explain))


@dataclass(frozen=True, slots=True)
class AppointmentAnswer:
    ok: bool
    notice: dt.timedelta
    required: dt.timedelta
    earliest: dt.datetime
    rule: str
    explain: str


def appointment_notice(
    policy: Policy, *, requested: dt.datetime, starts: dt.datetime
) -> AppointmentAnswer:
    """Whether an on-site appointment gives enough notice (W5).

    Notice is measured in elapsed hours between the request and the start (wall clock, not
    business hours), so a DST change neither grants nor steals an hour.
    """
    # In UTC: Python subtracts datetimes sharing a tzinfo on the wall clock, which would turn
    # 48 real hours across a fall-back change into 47.
    requested = require_aware(requested, "requested").astimezone(UTC)
    starts = require_aware(starts, "starts").astimezone(UTC)
    required = dt.timedelta(hours=policy.document.warranty.appointment_notice_hours)
    notice = starts - requested
    earliest = requested + required
    hours = required.total_seconds() / 3600
    shown = policy.vendor_zone
    if notice >= required:
        text = (
            f"Booked {notice.total_seconds() / 3600:g} hours ahead, at least the {hours:g} hours "
            f"required (rule W5)."
        )
        return AppointmentAnswer(True, notice, required, earliest, "W5", text)
    text = (
        f"Appointments must be booked at least {hours:g} hours ahead: requested "
        f"{local_text(requested, shown)}, so the earliest start is {local_text(earliest, shown)} "
        f"(rule W5)."
    )
    return AppointmentAnswer(False, notice, required, earliest, "W5", text)
