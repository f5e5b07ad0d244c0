"""Known tickets and RMAs at fixed times, and the report numbers they must give.

Every expected number is worked out by hand from POLICY.md in the comments (T2: Mon-Fri
06:00-18:00 Pacific; L3: Silver S2 8 business hours, Gold S1 2 hours 24x7, Gold S2 4 business
hours), never with the code under test. The weeks are those of November 2026: Mon 2, 9, 16.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rmadesk.core import clock
from rmadesk.tickets import services
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.services import mark_breached_clocks
from tests.tickets.factories import asset_on_plan, pacific, ticket_on, user


@dataclass
class Seeded:
    agent: Any
    manager: Any
    late: Ticket  # Silver S2, answered after 9 business hours (21 h wall clock): breached
    quick: list[Ticket]  # Silver S2, answered after 1, 2 and 4 business hours: met
    night: Ticket  # Gold S1, never answered: breached at 02:00 on a Tuesday (out of hours)
    waiting: Ticket  # Gold S2, waiting on the customer since Wed 18 Nov 10:00


def reply(agent: Any, ticket: Ticket, at: dt.datetime) -> None:
    services.reply(actor=agent, ticket=ticket, body="Looking at it.", public=True, at=at)


def seed() -> Seeded:
    agent, manager = user("agent"), user("manager")
    silver, gold = asset_on_plan("silver"), asset_on_plan("gold")
    # Opened Mon 2 Nov 12:00: 8 business hours -> 6 on Monday (to 18:00), 2 on Tuesday from
    # 06:00: due Tue 3 Nov 08:00. Answered Tue 09:00: 6 + 3 = 9 business hours, breached.
    late = ticket_on(silver, actor=agent, severity="S2", opened_at=pacific(2026, 11, 2, 12, 0))
    reply(agent, late, pacific(2026, 11, 3, 9, 0))
    # Three answered in time on Wed 4 Nov, opened 08:00: after 1, 2 and 4 business hours.
    quick = []
    for hours in (1, 2, 4):
        ticket = ticket_on(silver, actor=agent, severity="S2", opened_at=pacific(2026, 11, 4, 8, 0))
        reply(agent, ticket, pacific(2026, 11, 4, 8 + hours, 0))
        quick.append(ticket)
    # Gold S1, 2 hours 24x7, opened Tue 10 Nov 00:00: due 02:00, out of Pacific business hours.
    night = ticket_on(gold, actor=agent, severity="S1", opened_at=pacific(2026, 11, 10, 0, 0))
    mark_breached_clocks(now=pacific(2026, 11, 10, 3, 0))
    # Gold S2 answered at once Wed 18 Nov 09:00, then waiting on the customer from 10:00.
    waiting = ticket_on(gold, actor=agent, severity="S2", opened_at=pacific(2026, 11, 18, 9, 0))
    reply(agent, waiting, pacific(2026, 11, 18, 9, 0))
    services.wait_on_customer(actor=agent, ticket=waiting, at=pacific(2026, 11, 18, 10, 0))
    clock.set_now(pacific(2026, 11, 20, 12, 0))  # Friday 20 Nov, noon
    return Seeded(agent, manager, late, quick, night, waiting)


def seed_rmas_and_money() -> None:
    """RMAs and invoices as rows at fixed instants (their services are tested elsewhere).

    Today is Fri 20 Nov 2026 (`seed` set the clock). RMAs issued in November:
    - A: advance exchange issued Mon 2 Nov 10:00, replacement shipped 12 h later (within 1 day),
      part never received, parts 300.00 + 200.00: awaiting return, invoiced 500.00 (open, due
      Thu 5 Nov: 15 days overdue), a late fee of 7.50 added Sat 7 Nov.
    - B: advance exchange issued Tue 3 Nov 10:00, shipped 2 days later (1-3 days), part received
      9 days after issue (over 7 days); its invoice 80.00 was credited.
    - C: money-back return issued Wed 4 Nov, received Mon 9 Nov (5 days: 3-7), refund 800.00
      with a restocking fee of 200.00.
    - D: repair issued Thu 15 Oct (before the range), expired 30 days later, Sat 14 Nov.
    And a service invoice of 1000.00 due Thu 26 Nov (not due yet), half paid.
    """
    from decimal import Decimal

    from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
    from rmadesk.rmas.models import RmaItem
    from tests.factories import RmaFactory

    issued_a = pacific(2026, 11, 2, 10, 0)
    a = RmaFactory(
        issued_at=issued_a,
        expires_at=issued_a + dt.timedelta(days=30),
        status="replacement_shipped",
        replacement_shipped_at=issued_a + dt.timedelta(hours=12),
        invoice_at=issued_a + dt.timedelta(hours=12, days=14),
    )
    RmaItem.objects.create(rma=a, part="HDD", unit_price=Decimal("300.00"))
    RmaItem.objects.create(rma=a, part="PSU", unit_price=Decimal("200.00"))
    issued_b = pacific(2026, 11, 3, 10, 0)
    b = RmaFactory(
        issued_at=issued_b,
        expires_at=issued_b + dt.timedelta(days=30),
        status="received",
        replacement_shipped_at=issued_b + dt.timedelta(days=2),
        received_at=issued_b + dt.timedelta(days=9),
    )
    RmaItem.objects.create(rma=b, part="NIC", unit_price=Decimal("80.00"))
    issued_c = pacific(2026, 11, 4, 10, 0)
    RmaFactory(
        kind="money_back",
        issued_at=issued_c,
        expires_at=issued_c + dt.timedelta(days=30),
        status="received",
        received_at=issued_c + dt.timedelta(days=5),
        refund_eligible=True,
        refund_amount=Decimal("800.00"),
        restocking_fee=Decimal("200.00"),
        refund_currency="USD",
    )
    issued_d = pacific(2026, 10, 15, 9, 0)
    RmaFactory(
        kind="repair",
        issued_at=issued_d,
        expires_at=issued_d + dt.timedelta(days=30),
        status="expired",
        expired_at=issued_d + dt.timedelta(days=30),
    )
    customer = a.ticket.customer
    overdue = Invoice.objects.create(
        number="INV-R-1", customer=customer, kind="unreturned_parts", rma=a, currency="USD",
        issued_at=a.invoice_at, due_on=dt.date(2026, 11, 5), principal=Decimal("500.00"),
    )  # fmt: skip
    InvoiceLine.objects.create(
        invoice=overdue, kind="late_fee", description="late fee", amount=Decimal("7.50"),
        late_fee_month=1, added_at=pacific(2026, 11, 7, 0, 0),
    )  # fmt: skip
    credited = Invoice.objects.create(
        number="INV-R-2", customer=customer, kind="unreturned_parts", rma=b, currency="USD",
        issued_at=issued_b, due_on=dt.date(2026, 11, 17), principal=Decimal("80.00"),
        status="credited",
    )  # fmt: skip
    CreditNote.objects.create(
        number="CN-R-1", invoice=credited, amount=Decimal("80.00"), reason="part back",
        issued_at=issued_b + dt.timedelta(days=9),
    )  # fmt: skip
    service = Invoice.objects.create(
        number="INV-R-3", customer=customer, kind="service", currency="USD",
        issued_at=issued_b, due_on=dt.date(2026, 11, 26), principal=Decimal("1000.00"),
    )  # fmt: skip
    Payment.objects.create(
        invoice=service, amount=Decimal("500.00"), received_at=pacific(2026, 11, 10, 9, 0)
    )
