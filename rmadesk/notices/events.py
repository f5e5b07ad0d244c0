"""The notices app's own domain event: a clock is about to breach (the warning scan)."""

from __future__ import annotations

from dataclasses import dataclass

from rmadesk.tickets.events import ClockFacts, TicketEvent


@dataclass(frozen=True, kw_only=True)
class BreachApproaching(TicketEvent):
    """A running clock is due within the policy's `breach_warning` (elapsed time, L3, L5)."""

    clock: ClockFacts
    warning: str  # the policy file's length, e.g. "1h"
