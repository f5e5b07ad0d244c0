"""Load a policy file into a `Policy`: the validated document plus its ready-built calendars.

A policy is loaded once and then only read. Its version is a hash of its content (not of its
bytes: comments and layout do not change what the policy does), stored on each ticket (L6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rmadesk.policy.calendars import (
    WEEKDAYS,
    AroundTheClock,
    Calendar,
    HolidaySource,
    IntervalCalendar,
    OpenHours,
    UnionCalendar,
    WeeklyCalendar,
)
from rmadesk.policy.document import CalendarDoc, PolicyDocument
from rmadesk.policy.errors import PolicyError, PolicyFileError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.vendor import VendorDoc

DEFAULT_POLICY_PATH = "default.toml"


@dataclass(frozen=True)
class Policy:
    """The active policy: the document, its version, and its calendars ready to answer."""

    document: PolicyDocument
    version: str
    source: str
    calendars: dict[str, Calendar]
    vendor_zone: dt.tzinfo
    # The file's text as read, kept so an installation can store every version it ran (L6).
    text: str = field(default="", repr=False, compare=False)
    _derived: dict[tuple[str, ...], Calendar] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        return self.document.policy.name

    @property
    def currency(self) -> str:
        return self.document.policy.currency

    @property
    def vendor(self) -> VendorDoc | None:
        return self.document.vendor

    def calendar(self, key: str) -> Calendar:
        return self.calendars[key]

    def customer_calendar(self, zone: str, country: str) -> WeeklyCalendar:
        """A customer's own business hours (L3): the policy's hours in its zone and country."""
        key = ("customer", zone, country)
        found = self._derived.get(key)
        if found is None:
            spec = self.document.customer_hours
            hours = OpenHours.parse(spec.hours, "customer_hours.hours")
            week = [hours if day in spec.days else None for day in WEEKDAYS]
            found = WeeklyCalendar(
                key=f"customer:{zone}:{country}",
                title=f"{spec.title} ({country}, {zone})",
                rule="L3",
                zone=zone_named(zone, field="zone", rule="L3"),
                week=week,
                closed=HolidaySource(country=holiday_country(country, "L3")),
            )
            with self._lock:
                found = self._derived.setdefault(key, found)
        assert isinstance(found, WeeklyCalendar)
        return found

    def union_calendar(self, base: str, zone: str, country: str) -> Calendar:
        """T7: the base calendar joined with the customer's own business hours."""
        key = ("union", base, zone, country)
        found = self._derived.get(key)
        if found is None:
            base_calendar = self.calendars[base]
            if not isinstance(base_calendar, IntervalCalendar):
                return base_calendar  # 24x7 already contains every other calendar
            customer = self.customer_calendar(zone, country)
            found = UnionCalendar(
                key=f"{base}+{customer.key}",
                title=f"{base_calendar.title} or {customer.title}",
                parts=(base_calendar, customer),
            )
            with self._lock:
                found = self._derived.setdefault(key, found)
        return found


def holiday_country(country: str, rule: str) -> str:
    """A country code the `holidays` package knows, or a clear refusal."""
    import holidays as holidays_lib  # noqa: PLC0415 - only needed for the check

    code = country.strip().upper()
    try:
        # Asking for one country imports one module; listing them all would import ~200.
        holidays_lib.country_holidays(code)
    except NotImplementedError:
        raise PolicyError(
            f"{country!r} is not an ISO 3166 country code with a public-holiday calendar",
            rule=rule,
            field="country",
        ) from None
    return code


def _format_validation(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"] if not str(part).startswith("function-"))
        lines.append(f"{key or '(top level)'}: {item['msg']}")
    return "\n".join(lines)


def content_version(data: dict[str, Any]) -> str:
    """A short, stable hash of what the policy says (L6)."""
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _build_calendar(key: str, doc: CalendarDoc, docs: dict[str, CalendarDoc]) -> Calendar:
    if doc.always_open:
        return AroundTheClock(key=key, title=doc.title, rule=doc.rule)
    assert doc.zone is not None and doc.hours is not None
    hours = OpenHours.parse(doc.hours, f"calendars.{key}.hours")
    week = [hours if day in doc.days else None for day in WEEKDAYS]
    holiday_doc = docs[doc.holidays_from] if doc.holidays_from else doc
    closed = HolidaySource(
        country=holiday_doc.holidays.country if holiday_doc.holidays else None,
        subdivision=holiday_doc.holidays.subdivision if holiday_doc.holidays else None,
        closures=tuple((c.date, c.name) for c in holiday_doc.closures),
        removed=frozenset(holiday_doc.removed_holidays),
    )
    return WeeklyCalendar(
        key, doc.title, doc.rule, zone=zone_named(doc.zone), week=week, closed=closed
    )


def parse_policy(text: str, source: str) -> Policy:
    """Validate a policy file's text; a wrong file raises PolicyFileError naming each bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyFileError(f"{source}: not valid TOML: {error}") from None
    try:
        document = PolicyDocument(**data)
    except ValidationError as error:
        raise PolicyFileError(f"{source}:\n{_format_validation(error)}") from None
    except TypeError as error:  # a missing or unknown top-level table
        raise PolicyFileError(f"{source}: {error}") from None
    problems = document.cross_check()
    for key, calendar in document.calendars.items():
        if calendar.holidays is not None:
            try:
                holiday_country(calendar.holidays.country, calendar.rule)
            except PolicyError as error:
                problems.append((f"calendars.{key}.holidays.country", error.message))
    if problems:
        raise PolicyFileError(
            f"{source}:\n" + "\n".join(f"{key}: {problem}" for key, problem in problems)
        )
    calendars = {
        key: _build_calendar(key, doc, document.calendars)
        for key, doc in document.calendars.items()
    }
    return Policy(
        document=document,
        version=content_version(data),
        source=source,
        calendars=calendars,
        vendor_zone=zone_named(document.policy.vendor_zone),
        text=text,
    )


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a vendor's policy file, or the default policy when no path is given."""
    if path is None:
        text = resources.files("rmadesk.policy").joinpath(DEFAULT_POLICY_PATH).read_text("utf-8")
        return parse_policy(text, "default policy")
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except OSError as error:
        raise PolicyFileError(f"{file}: cannot read the policy file: {error.strerror}") from None
    return parse_policy(text, str(file))


_DEFAULT: list[Policy] = []


def default_policy() -> Policy:
    """The built-in default policy, loaded once per process."""
    if not _DEFAULT:
        _DEFAULT.append(load_policy())
    return _DEFAULT[0]
