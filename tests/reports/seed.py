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
