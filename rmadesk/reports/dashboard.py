"""The manager's page: today's figures, each with where the tickets behind it are.

Each figure is one aggregate query. The links are URL names and query strings the console
resolves (the reports layer names pages, it does not import the console).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from rmadesk.billing.choices import InvoiceStatus
from rmadesk.billing.models import Invoice
from rmadesk.billing.selectors import with_totals
from rmadesk.core import clock
from rmadesk.core.permissions import Actor
from rmadesk.reports.attainment import AttainmentRow, attainment, met_percent
from rmadesk.reports.permissions import require_reports
from rmadesk.reports.ranges import DateRange, period_start, vendor_today
from rmadesk.reports.rmas import money_text
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.models import Rma
from rmadesk.tickets.choices import ClockState, TicketStatus
from rmadesk.tickets.models import ClockRun, ServiceClock, Ticket

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
SOON = dt.timedelta(hours=1)  # "about to breach": due within the hour (the queue's filter)
RECENT_EXPIRY = dt.timedelta(days=30)


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    week: DateRange
    last_week: DateRange
    breaches_today: int
    breaches_today_out_of_hours: int
    about_to_breach: int
    met_this_week: Decimal | None
    met_last_week: Decimal | None
    this_week: list[AttainmentRow] = field(default_factory=list)
    unassigned_s1: int = 0
    unassigned_s2: int = 0
    rmas_expired_recently: int = 0
    parts_past_return: int = 0
    overdue_invoices: int = 0
    overdue_balance: str = "0.00"


def dashboard(actor: Actor) -> Dashboard:
    require_reports(actor)
    now = clock.now()
    today = vendor_today()
    monday = period_start(today, "week")
    week = DateRange.of(monday, monday + dt.timedelta(days=6))
    last_week = DateRange.of(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    today_range = DateRange.of(today, today)
    breaches = ClockRun.objects.filter(
        today_range.within("due_at"), state=ClockState.BREACHED
    ).aggregate(all=Count("id"), out=Count("id", filter=Q(is_due_in_hours=False)))
    soon = ServiceClock.objects.filter(
        state=ClockState.RUNNING, due_at__gte=now, due_at__lte=now + SOON
    ).count()
    this_rows = attainment(actor, week)
    last_rows = attainment(actor, last_week)
    unassigned = Ticket.objects.filter(
        status__in=(TicketStatus.OPEN, TicketStatus.WAITING_ON_CUSTOMER), assignee__isnull=True
    ).aggregate(s1=Count("id", filter=Q(severity="S1")), s2=Count("id", filter=Q(severity="S2")))
    rmas = Rma.objects.aggregate(
        expired=Count(
            "id", filter=Q(status=RmaStatus.EXPIRED, expired_at__gte=now - RECENT_EXPIRY)
        ),
        late_parts=Count(
            "id",
            filter=Q(
                kind=RmaKind.ADVANCE_EXCHANGE,
                status=RmaStatus.REPLACEMENT_SHIPPED,
                invoice_at__lt=now,
                received_at__isnull=True,
            ),
        ),
    )
    balance = F("principal") + F("late_fee_total") - F("credit_total") - F("payment_total")
    overdue = with_totals(
        Invoice.objects.filter(status=InvoiceStatus.OPEN, due_on__lt=today)
    ).aggregate(
        count=Count("id"),
        balance=Coalesce(
            Sum(balance, output_field=_MONEY), Value(Decimal("0.00")), output_field=_MONEY
        ),
    )
    return Dashboard(
        today=today,
        week=week,
        last_week=last_week,
        breaches_today=breaches["all"],
        breaches_today_out_of_hours=breaches["out"],
        about_to_breach=soon,
        met_this_week=met_percent(this_rows),
        met_last_week=met_percent(last_rows),
        this_week=this_rows,
        unassigned_s1=unassigned["s1"],
        unassigned_s2=unassigned["s2"],
        rmas_expired_recently=rmas["expired"],
        parts_past_return=rmas["late_parts"],
        overdue_invoices=overdue["count"],
        overdue_balance=money_text(overdue["balance"]),
    )
