"""Canned replies: which ones a staff user may use, and their placeholders filled for a ticket.

A body holds placeholders in braces: `{customer}` (the customer's name), `{ticket}` (the
ticket's number), `{rma}` (its RMA's number, P3) and `{due}` (what the customer is owed next:
the running first-response, else next-update, due time, as the customer's zone reads it, T1).
An unknown placeholder is refused naming it, when the reply is saved and when it is filled; a
known one with nothing to say on this ticket (no RMA, no running clock) is refused too, rather
than sending the customer an empty gap. `{{` and `}}` write a literal brace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Q, QuerySet

from rmadesk.core.errors import InvalidInput, NotFound
from rmadesk.core.permissions import Actor, is_staff
from rmadesk.core.policies import active_policy
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.service_levels import local_text
from rmadesk.tickets.events import promise_of
from rmadesk.tickets.models import CannedReply, Ticket

__all__ = [
    "PLACEHOLDERS",
    "CannedReply",
    "FilledReply",
    "canned_reply_for",
    "check_placeholders",
    "fill_canned_reply",
    "fill_placeholders",
    "placeholders_in",
    "usable_canned_replies",
]

# What each placeholder stands for, as the canned-reply page explains it.
PLACEHOLDERS: dict[str, str] = {
    "customer": "the customer's name",
    "ticket": "the ticket's number",
    "rma": "the number of the ticket's RMA",
    "due": "the next due time owed to the customer, in the customer's time zone",
}
# `{name}`, but not `{{` / `}}` (a literal brace).
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}\s]*)\}")
MAX_ID = 2**63 - 1


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in `text`, in order of first use."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name is not None and name not in found:
            found.append(name)
    return found


def check_placeholders(text: str, field: str = "body") -> None:
    """Refuse a text with placeholders other than PLACEHOLDERS, naming each unknown one."""
    unknown = [name for name in placeholders_in(text) if name not in PLACEHOLDERS]
    if unknown:
        named = ", ".join("{" + name + "}" for name in unknown)
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise InvalidInput(
            f"unknown placeholder{'s' if len(unknown) > 1 else ''} {named}; the placeholders "
            f"are {known}",
            field=field,
        )


def fill_placeholders(text: str, values: dict[str, Callable[[], str]]) -> str:
    """`text` with each placeholder replaced by its value (each value read once, when used)."""
    check_placeholders(text)
    cache: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]  # `{{` → `{`, `}}` → `}`
        if name not in cache:
            cache[name] = values[name]()
        return cache[name]

    return _PLACEHOLDER.sub(replace, text)


# ---------------------------------------------------------------------------------- reads


def usable_canned_replies(user: Actor) -> QuerySet[CannedReply]:
    """The canned replies a staff user may use and see: the shared ones, then its own."""
    if not is_staff(user):
        return CannedReply.objects.none()
    return CannedReply.objects.filter(
        Q(owner__isnull=True) | Q(owner_id=getattr(user, "pk", None))
    ).order_by(F("owner_id").asc(nulls_first=True), "title", "id")  # shared first, by title


def canned_reply_for(user: Actor, pk: int) -> CannedReply:
    """A canned reply the user may see; another user's personal one answers 404, as missing."""
    found = usable_canned_replies(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"no canned reply {pk}", field="canned_reply")
    return found


@dataclass(frozen=True)
class FilledReply:
    title: str
    body: str


def fill_canned_reply(user: Actor, canned: CannedReply, ticket: Ticket) -> FilledReply:
    """The canned reply's body with its placeholders filled for `ticket` (see the module)."""
    return FilledReply(title=canned.title, body=fill_placeholders(canned.body, _values(ticket)))


def _values(ticket: Ticket) -> dict[str, Callable[[], str]]:
    return {
        "customer": lambda: ticket.customer.name,
        "ticket": lambda: str(ticket.number),
        "rma": lambda: _rma_number(ticket),
        "due": lambda: _due(ticket),
    }


def _rma_number(ticket: Ticket) -> str:
    try:
        return str(ticket.rma.number)
    except ObjectDoesNotExist:
        raise InvalidInput(
            f"ticket {ticket.number} has no RMA: {{rma}} has nothing to say; open the RMA "
            f"first or take {{rma}} out of the reply",
            field="body",
        ) from None


def _due(ticket: Ticket) -> str:
    promise = promise_of(ticket.clocks.all())
    if promise is None or promise.due_at is None:
        raise InvalidInput(
            f"ticket {ticket.number} owes the customer no due time now (no clock is running): "
            f"{{due}} has nothing to say; take it out of the reply",
            field="body",
        )
    try:
        zone = zone_named(ticket.customer.zone)
    except PolicyError:
        zone = active_policy().vendor_zone  # as the mail about the ticket would read it
    return local_text(promise.due_at, zone)
