"""What happens to a ticket's satisfaction survey, as typed domain events (rmadesk.core.events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rmadesk.tickets.events import TicketEvent


@dataclass(frozen=True, kw_only=True)
class RatingAsked(TicketEvent):
    """The ticket closed for the first time: the customer is asked, once, to rate it.

    The mail builder makes the one-time link from these facts (`rmadesk.satisfaction.tokens`):
    the link itself is never stored, in the survey or in this event's audit row.
    """

    survey_id: int
    asked_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class TicketRated(TicketEvent):
    """The customer rated the ticket (1–5), by the mail's link or on the portal."""

    survey_id: int
    rating: int
    channel: str
