"""Reads for the customer portal: what a customer's pages show, in the customer's own words.

Everything here starts from the shared authorization selectors (`visible_assets`,
`visible_tickets`, `visible_rmas`, `visible_invoices`, `entitlement_for`) and asks the policy core
for every date and amount; nothing here decides a rule. What it adds is presentation: the
entitlement of each system in plain words, the first-response promise before a ticket is opened,
and an advance exchange's dates as a timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rmadesk.assets.models import Asset, OnsiteOption, ProductLine
from rmadesk.assets.selectors import Entitlement, asset_by_serial, entitlement_for, visible_assets
from rmadesk.billing.models import Invoice
from rmadesk.billing.selectors import (
    invoice_status,
    invoice_totals,
    vendor_today,
    visible_invoices,
    with_totals,
)
from rmadesk.billing.totals import Totals, settlements_of
from rmadesk.core import clock, wording
from rmadesk.core.errors import NotFound
from rmadesk.core.explanations import holiday_words
from rmadesk.core.formats import base_language, date_text
from rmadesk.core.policies import active_policy
from rmadesk.core.viewers import viewer_zone
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.money import RefundAnswer, late_fee_schedule, money_back_refund
from rmadesk.policy.service_levels import find_target, response_due, target_calendar
from rmadesk.policy.warranty import AppointmentAnswer, appointment_notice
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import visible_rmas
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.selectors import visible_tickets

# The service's own plan lookup: the promise must name the plan the ticket will be opened on.
from rmadesk.tickets.services import plan_for

# The largest ticket, RMA or invoice id the database holds: a bigger number is simply missing.
MAX_NUMBER = 2**63 - 1


def checked_number(number: int) -> int:
    """A record number from a URL; one past what the database can hold answers 404."""
    if number > MAX_NUMBER:
        raise NotFound(f"no record {number}", field="number")
    return number


# ------------------------------------------------------------------------------ systems


@dataclass(frozen=True)
class SystemView:
    """One system on "My systems": the entitlement (W6) and the same facts in plain words."""

    asset: Asset
    entitlement: Entitlement
    plan: str
    warranty: str
    onsite: str
    advance_exchange: str
    money_back: str
    money_back_passed: bool


def customer_country(user: Any) -> str:
    """The country of a customer contact's company ("" for anyone else)."""
    account = getattr(user, "account", None)
    customer = getattr(account, "customer", None)
    return str(customer.country) if customer is not None else ""


def my_assets(user: Any) -> QuerySet[Asset]:
    return visible_assets(user).order_by("serial")


def system_view(user: Any, asset: Asset) -> SystemView:
    """How `entitlement_for` (W6) reads to the customer: "Covered until 28 Feb 2029"."""
    policy = active_policy()
    found = entitlement_for(user, asset.serial)
    today = vendor_today()
    if found.plan is None:
        plan = _("No support contract in force")
    else:
        plan_doc = policy.document.plans.get(found.plan)
        title = plan_doc.title if plan_doc is not None else found.plan
        plan = _("%(plan)s, until %(day)s") % {"plan": title, "day": _day(found.contract_ends_on)}
    if found.is_under_warranty:
        warranty = _("Covered until %(day)s") % {"day": _day(found.warranty_ends_on)}
    else:
        warranty = _("Warranty ended %(day)s") % {"day": _day(found.warranty_ends_on)}
    onsite_doc = policy.document.warranty.onsite.get(found.onsite)
    onsite = onsite_doc.title if onsite_doc is not None else OnsiteOption(found.onsite).label
    onsite = wording.plain(onsite)
    onsite = onsite[:1].upper() + onsite[1:]
    if found.advance_exchange:
        advance = _("Advance exchange offered")
    else:
        advance = _("No advance exchange for %(model)s") % {"model": asset.model.name}
    refund = _money_back(asset, today)
    passed = not refund.eligible
    if refund.eligible:
        days = (found.money_back_until - today).days
        money_back = ngettext(
            "Money back until %(day)s — %(days)d day left",
            "Money back until %(day)s — %(days)d days left",
            days,
        ) % {"day": _day(found.money_back_until), "days": days}
    elif product_kind(asset) == "software":
        money_back = _("Software: no money-back guarantee")
    else:
        money_back = _("Money back until %(day)s — passed") % {"day": _day(found.money_back_until)}
    return SystemView(
        asset=asset,
        entitlement=found,
        plan=plan,
        warranty=warranty,
        onsite=onsite,
        advance_exchange=advance,
        money_back=money_back,
        money_back_passed=passed,
    )


def _day(day: dt.date | None) -> str:
    """`28 Feb 2029` (`28. Feb 2029`, `2029年2月28日` in German and Japanese)."""
    if day is None:
        return "—"
    return f"{day.day} {day:%b %Y}" if base_language() == "en" else date_text(day)


# ------------------------------------------------------------------------------ promise


@dataclass(frozen=True)
class Promise:
    """The first response a ticket would be promised if opened now (L3, T5, T8), or why not."""

    serial: str
    severity: str
    plan: str | None
    plan_title: str
    started: dt.datetime
    due: dt.datetime | None
    clock_starts: dt.datetime | None
    target: str
    skipped: tuple[str, ...]
    explain: tuple[str, ...]
    refusal: str | None = None
    rule: str | None = None

    @property
    def starts_later(self) -> bool:
        return self.clock_starts is not None and self.clock_starts != self.started


def ticket_promise(user: Any, serial: str, severity: str, at: dt.datetime | None = None) -> Promise:
    """What `open_ticket` would promise for this serial and severity at `at` (default now).

    The same plan (the customer's contract in force for the asset's product line) and the same
    `response_due` call as the service, so the promise is the due time the ticket will get.
    TrueCommand S1 and the free licence's S1-S3 come back as a refusal naming rule L3.
    Raises NotFound for a serial the user may not see.
    """
    asset = asset_by_serial(user, serial)
    policy = active_policy()
    start = at or clock.now()
    customer = asset.customer
    plan: str | None = None
    title = ""
    try:
        plan = plan_for(policy, asset, start)
        title = policy.document.plans[plan].title
        answer = response_due(
            policy,
            plan=plan,
            severity=severity,
            start=start,
            country=customer.country,
            zone=customer.zone,
            # T1: the customer reads the explanation's times in its own zone, as the headline.
            shown_zone=viewer_zone(user),
        )
    except PolicyError as refused:
        return Promise(
            serial=asset.serial,
            severity=severity,
            plan=plan,
            plan_title=title,
            started=start,
            due=None,
            clock_starts=None,
            target="",
            skipped=(),
            explain=(),
            refusal=wording.full_stop(wording.plain(refused.message)),
            rule=refused.rule,
        )
    skipped: tuple[str, ...] = ()
    if answer.due is not None:
        calendar = target_calendar(
            policy, find_target(policy, plan, severity), customer.country, customer.zone
        )
        # A union calendar's closed part is not a skipped day (T7): only whole closures count.
        names = [d.name for d in calendar.skipped_between(start, answer.due) if not d.calendar]
        skipped = tuple(dict.fromkeys(holiday_words(name) for name in names))
    return Promise(
        serial=asset.serial,
        severity=severity,
        plan=plan,
        plan_title=title,
        started=start,
        due=answer.due,
        clock_starts=answer.clock_starts,
        target=answer.target,
        skipped=skipped,
        explain=answer.explain,
    )


# ------------------------------------------------------------------------------ tickets


def my_tickets(user: Any) -> QuerySet[Ticket]:
    """The user's tickets, newest first.

    Each ticket's `next_due_at` (the earliest due instant it still owes) is kept by the ticket
    services, so the list reads no clocks: one query for any number of rows.
    """
    return visible_tickets(user).order_by("-number")


def rma_of_ticket(user: Any, ticket: Ticket) -> Rma | None:
    return visible_rmas(user).filter(ticket=ticket).first()


# --------------------------------------------------------------------------------- RMAs


def my_rmas(user: Any) -> QuerySet[Rma]:
    return visible_rmas(user).order_by("-number")


# ----------------------------------------------------------------------------- invoices


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    status: str
    totals: Totals


def my_invoices(user: Any) -> QuerySet[Invoice]:
    """The user's invoices with their totals annotated (one query for any number of rows)."""
    return with_totals(visible_invoices(user)).order_by("-issued_at", "-id")


def invoice_row(invoice: Invoice, today: dt.date | None = None) -> InvoiceRow:
    return InvoiceRow(invoice, invoice_status(invoice, today), invoice_totals(invoice))


def late_fee_explanation(row: InvoiceRow, today: dt.date | None = None) -> tuple[str, ...]:
    """Why an overdue invoice carries late fees (F2), from the policy core: month by month, on
    the principal unpaid at each month's end (payments by the date they were received)."""
    if row.status != "overdue":
        return ()
    policy = active_policy()
    answer = late_fee_schedule(
        policy,
        principal=row.invoice.principal,
        due_on=row.invoice.due_on,
        on=today or vendor_today(),
        settlements=settlements_of(row.invoice, policy.vendor_zone),
        currency=row.invoice.currency,
    )
    return answer.explain


# --------------------------------------------------------------------------- money back


def money_back_answer(user: Any, serial: str, on: dt.date | None = None) -> RefundAnswer:
    """Whether a system returned now is within the money-back guarantee, and the refund (F3).

    The earliest the product can arrive back is today (the vendor's date), so today stands for
    the arrival: a window that has passed today has passed for good. TrueCommand is the
    software product line, which F3 excludes. Raises NotFound for a serial the user may not see.
    """
    return _money_back(asset_by_serial(user, serial), on or vendor_today())


def product_kind(asset: Asset) -> str:
    """F3 tells hardware from software: TrueCommand is the software product line."""
    return "software" if asset.model.product_line == ProductLine.TRUECOMMAND else "hardware"


def _money_back(asset: Asset, arrived_on: dt.date) -> RefundAnswer:
    return money_back_refund(
        active_policy(),
        price=Decimal(asset.price),
        shipped_on=asset.shipped_on,
        # Not yet shipped (a date ahead): it cannot come back before it ships.
        arrived_on=max(arrived_on, asset.shipped_on),
        kind=product_kind(asset),
        currency=asset.currency,
        shipping_and_handling=asset.shipping_and_handling,
    )


def money_terms() -> dict[str, str]:
    """The policy file's money figures as a customer reads them (F2, F3)."""
    money = active_policy().document.money

    def percent(rate: Decimal) -> str:
        return format((rate * 100).normalize(), "f")

    return {
        "money_back_days": str(money.money_back_days),
        "restocking_percent": percent(money.restocking_fee_rate),
        "late_fee_percent": percent(money.late_fee_rate_per_month),
    }


# --------------------------------------------------------------------------- appointments


def appointment_window(now: dt.datetime | None = None) -> AppointmentAnswer:
    """The earliest start an on-site appointment booked now may have (W5)."""
    at = now or clock.now()
    return appointment_notice(active_policy(), requested=at, starts=at)
