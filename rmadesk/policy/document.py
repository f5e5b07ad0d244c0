"""The policy file's schema: what `default.toml` (or a vendor's copy) may say, validated.

pydantic does the type checks and forbids unknown keys (a typo must not silently fall back to a
default); the cross-checks below catch what types cannot (a target naming a missing calendar, a
plan missing a severity). Every message names the key, e.g. `plans.gold.response.S2.hours`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic import Field as PydanticField
from pydantic.dataclasses import dataclass

from rmadesk.policy.calendars import WEEKDAYS, OpenHours
from rmadesk.policy.carriers import DEFAULT_CARRIERS, CarrierDoc, CarrierKey
from rmadesk.policy.durations import parse_duration
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.vendor import VendorDoc

STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

RuleId = Annotated[str, Field(pattern=r"^[TLPWNRF][0-9]+$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Severity = Annotated[str, Field(pattern=r"^S[0-9]$")]
Positive = Annotated[Decimal, Field(gt=0)]


def _check_zone(value: str, info: ValidationInfo) -> str:
    try:
        zone_named(value, field=info.field_name or "zone")
    except PolicyError as error:
        raise ValueError(error.message) from None
    return value


def _check_hours(value: str) -> str:
    try:
        OpenHours.parse(value, "hours")
    except PolicyError as error:
        raise ValueError(error.message) from None
    return value


@dataclass(config=STRICT)
class PolicyHeader:
    name: str
    vendor_zone: str
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

    _zone = field_validator("vendor_zone")(_check_zone)


@dataclass(config=STRICT)
class CountryHolidays:
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    subdivision: str | None = None


@dataclass(config=STRICT)
class Closure:
    date: dt.date
    name: str


@dataclass(config=STRICT)
class CalendarDoc:
    title: str
    rule: RuleId
    always_open: bool = False
    zone: str | None = None
    days: tuple[Weekday, ...] = ()
    hours: str | None = None
    holidays: CountryHolidays | None = None
    holidays_from: str | None = None
    closures: tuple[Closure, ...] = ()
    removed_holidays: tuple[dt.date, ...] = ()

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else _check_zone(value, info)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        return None if value is None else _check_hours(value)

    @model_validator(mode="after")
    def _shape(self) -> CalendarDoc:
        if self.always_open:
            if self.zone or self.days or self.hours or self.holidays or self.holidays_from:
                raise ValueError("an always_open calendar takes no zone, days, hours or holidays")
            return self
        missing = [k for k in ("zone", "hours") if getattr(self, k) is None]
        if not self.days:
            missing.append("days")
        if missing:
            raise ValueError(f"a weekly calendar needs {', '.join(missing)}")
        if self.holidays and self.holidays_from:
            raise ValueError("give holidays or holidays_from, not both")
        return self


@dataclass(config=STRICT)
class CustomerHoursDoc:
    title: str
    days: tuple[Weekday, ...]
    hours: str
    home_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]

    _hours = field_validator("hours")(_check_hours)


@dataclass(config=STRICT)
class SeverityDoc:
    title: str
    description: str


@dataclass(config=STRICT)
class TargetDoc:
    """One response target; exactly one kind (see default.toml)."""

    hours: Positive | None = None
    business_days: Annotated[int, Field(ge=1, le=30)] | None = None
    calendar: str | None = None
    international_union: bool = False
    offered: bool = True
    reason: str | None = None
    sla: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> TargetDoc:
        kinds = [
            self.hours is not None,
            self.business_days is not None,
            not self.offered,
            not self.sla,
        ]
        if sum(kinds) != 1:
            raise ValueError(
                "give exactly one of: hours, business_days, offered = false, sla = false"
            )
        if (self.hours is not None or self.business_days is not None) and not self.calendar:
            raise ValueError("a timed target needs a calendar")
        if not self.offered and not self.reason:
            raise ValueError("a target that is not offered needs a reason")
        if self.international_union and self.hours is None:
            raise ValueError("international_union applies to an hours target only")
        return self

    @property
    def kind(self) -> str:
        if self.hours is not None:
            return "hours"
        if self.business_days is not None:
            return "business_days"
        return "not_offered" if not self.offered else "no_sla"


@dataclass(config=STRICT)
class PlanDoc:
    title: str
    product_line: Literal["truenas", "truecommand"]
    response: dict[Severity, TargetDoc]
    after_hours_severities: tuple[Severity, ...] = ()
    channel: Literal["any", "email"] = "any"
    max_drives: Annotated[int, Field(ge=1)] | None = None


@dataclass(config=STRICT)
class ScopeDoc:
    out_of_scope_reasons: tuple[str, ...]
    prerelease_markers: tuple[str, ...]


@dataclass(config=STRICT)
class OnsiteDoc:
    title: str
    hours: Positive | None = None
    business_days: Annotated[int, Field(ge=1)] | None = None
    calendar: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> OnsiteDoc:
        if self.hours is not None and self.business_days is not None:
            raise ValueError("give hours or business_days, not both")
        if (self.hours is not None or self.business_days is not None) and not self.calendar:
            raise ValueError("a timed on-site option needs a calendar")
        return self


@dataclass(config=STRICT)
class WarrantyDoc:
    standard_years: tuple[Annotated[int, Field(ge=1, le=10)], ...]
    max_extended_years: Annotated[int, Field(ge=1, le=20)]
    denied_causes: tuple[str, ...]
    appointment_notice_hours: Annotated[int, Field(ge=0)]
    onsite: dict[str, OnsiteDoc]

    @model_validator(mode="after")
    def _years(self) -> WarrantyDoc:
        if not self.standard_years:
            raise ValueError("standard_years must list at least one term")
        if max(self.standard_years) > self.max_extended_years:
            raise ValueError("max_extended_years must be at least the longest standard term")
        if "none" not in self.onsite:
            raise ValueError("onsite must include the option 'none' (W3)")
        return self


@dataclass(config=STRICT)
class UsPartsDoc:
    rule: RuleId
    cutoff: dt.time
    calendar: str


@dataclass(config=STRICT)
class EuPartsDoc:
    rule: RuleId
    cutoff: dt.time
    cutoff_zone: str
    days: tuple[Weekday, ...]
    countries: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...]

    _zone = field_validator("cutoff_zone")(_check_zone)


@dataclass(config=STRICT)
class IntlPartsDoc:
    rule: RuleId
    explanation: str


@dataclass(config=STRICT)
class PartsDoc:
    us: UsPartsDoc
    eu: EuPartsDoc
    intl: IntlPartsDoc


@dataclass(config=STRICT)
class RmaDoc:
    valid_days: Annotated[int, Field(ge=1)]
    label_valid_days: Annotated[int, Field(ge=1)]
    invoice_after_days: Annotated[int, Field(ge=1)]
    no_advance_exchange_models: tuple[str, ...] = ()


@dataclass(config=STRICT)
class MoneyDoc:
    default_payment_terms_days: Annotated[int, Field(ge=0)]
    late_fee_rate_per_month: Annotated[Decimal, Field(ge=0, lt=1)]
    money_back_days: Annotated[int, Field(ge=0)]
    restocking_fee_rate: Annotated[Decimal, Field(ge=0, le=1)]

    @field_validator("late_fee_rate_per_month", "restocking_fee_rate", mode="before")
    @classmethod
    def _no_float(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, float):
            raise ValueError(f'write the rate as a string, e.g. "{value}", so it stays exact (F4)')
        return value


@dataclass(config=STRICT)
class ScheduleDoc:
    """How often `rmadesk worker` runs the periodic scans and sweeps the outbox.

    Not a rule of the vendor's policy but of running it: a scan that runs late makes every
    deadline it enforces (R1, R4, F2) late by as much, so the default is every minute.
    `scans` sets a different interval for a named scan (e.g. `accrue_late_fees = 60`).
    """

    every_minutes: Annotated[int, Field(ge=1, le=1440)] = 1
    outbox_every_minutes: Annotated[int, Field(ge=1, le=1440)] = 1
    scans: dict[str, Annotated[int, Field(ge=1, le=1440)]] = PydanticField(default_factory=dict)


@dataclass(config=STRICT)
class NotificationsDoc:
    """What the vendor's staff are told, and when (not a rule of the policy but of running it).

    `breach_warning`: how long before a running clock's due instant its ticket's assignee (else
    the plan's team) is warned, as elapsed time ("1h", "30m", "1h30m"), not business hours.
    """

    breach_warning: str = "1h"

    @field_validator("breach_warning")
    @classmethod
    def _length(cls, value: str) -> str:
        try:
            parse_duration(value, "breach_warning")
        except PolicyError as error:
            raise ValueError(error.message) from None
        return value

    @property
    def breach_warning_length(self) -> dt.timedelta:
        return parse_duration(self.breach_warning, "notifications.breach_warning")


@dataclass(config=STRICT)
class TicketsDoc:
    """How the customer handles their own ticket (rmadesk's reading of L5).

    `reopen_within_days`: calendar days on the vendor's wall clock after the customer marked
    the ticket solved during which they may reopen it (0: never).
    """

    reopen_within_days: Annotated[int, Field(ge=0, le=365)] = 14


@dataclass(config=STRICT)
class PolicyDocument:
    """The whole file."""

    policy: PolicyHeader
    calendars: dict[str, CalendarDoc]
    customer_hours: CustomerHoursDoc
    severities: dict[Severity, SeverityDoc]
    plans: dict[str, PlanDoc]
    scope: ScopeDoc
    warranty: WarrantyDoc
    parts: PartsDoc
    rma: RmaDoc
    money: MoneyDoc
    schedule: ScheduleDoc = PydanticField(default_factory=ScheduleDoc)
    notifications: NotificationsDoc = PydanticField(default_factory=NotificationsDoc)
    # The seller on invoices, credit notes and labels (issue 14); a file without it prints the
    # policy's name as the letterhead, as before.
    vendor: VendorDoc | None = None
    tickets: TicketsDoc = PydanticField(default_factory=TicketsDoc)
    carriers: dict[CarrierKey, CarrierDoc] = PydanticField(
        default_factory=lambda: dict(DEFAULT_CARRIERS)
    )

    def cross_check(self) -> list[tuple[str, str]]:
        """(key, problem) for what the types alone cannot catch."""
        problems: list[tuple[str, str]] = []
        weekly = {k for k, c in self.calendars.items() if not c.always_open}
        for key, calendar in self.calendars.items():
            if calendar.holidays_from is not None and calendar.holidays_from not in weekly:
                problems.append(
                    (
                        f"calendars.{key}.holidays_from",
                        f"no weekly calendar {calendar.holidays_from!r}",
                    )
                )
            if calendar.holidays_from is not None:
                source = self.calendars.get(calendar.holidays_from)
                if source is not None and source.holidays_from is not None:
                    problems.append(
                        (
                            f"calendars.{key}.holidays_from",
                            "must name a calendar with its own holidays",
                        )
                    )
        severities = set(self.severities)
        for plan_key, plan in self.plans.items():
            missing = severities - set(plan.response)
            extra = set(plan.response) - severities
            if missing:
                problems.append((f"plans.{plan_key}.response", f"missing {sorted(missing)}"))
            if extra:
                problems.append(
                    (f"plans.{plan_key}.response", f"unknown severities {sorted(extra)}")
                )
            for sev in plan.after_hours_severities:
                if sev not in severities:
                    problems.append((f"plans.{plan_key}.after_hours_severities", f"unknown {sev}"))
            for sev, target in plan.response.items():
                where = f"plans.{plan_key}.response.{sev}"
                problems.extend(self._check_calendar_use(where, target.calendar, target.kind))
        for option, onsite in self.warranty.onsite.items():
            kind = "business_days" if onsite.business_days is not None else "hours"
            problems.extend(
                self._check_calendar_use(f"warranty.onsite.{option}", onsite.calendar, kind)
            )
        problems.extend(
            self._check_calendar_use("parts.us", self.parts.us.calendar, "business_days")
        )
        for day in self.warranty.standard_years:
            if day < 1:
                problems.append(("warranty.standard_years", "terms are whole years of 1 or more"))
        if not self.carriers:
            problems.append(("carriers", "name at least one carrier (e.g. other)"))
        if any(w not in WEEKDAYS for w in self.customer_hours.days):
            problems.append(("customer_hours.days", "unknown weekday"))
        return problems

    def _check_calendar_use(
        self, where: str, calendar: str | None, kind: str
    ) -> list[tuple[str, str]]:
        if calendar is None:
            return []
        found = self.calendars.get(calendar)
        if found is None:
            return [(f"{where}.calendar", f"no calendar named {calendar!r}")]
        if kind == "business_days" and found.always_open:
            return [(f"{where}.calendar", f"{calendar!r} is 24x7 and has no business days (T6)")]
        return []
