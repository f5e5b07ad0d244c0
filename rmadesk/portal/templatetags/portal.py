"""Template helpers of the portal pages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import template

from rmadesk.core import wording

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """`1030.00 USD`: always two decimals (a sum read from the database may come back as `30`)."""
    if amount is None:
        return "—"
    shown = f"{Decimal(amount):.2f}"
    return f"{shown} {currency}" if currency else shown


@register.filter
def plain(text: object) -> str:
    """A policy sentence as a customer reads it: no rule citations, no coverage keys."""
    return wording.plain(text)


@register.filter
def rules_cited(lines: Iterable[object]) -> str:
    """The rule IDs a list of explanation lines cites, for the details toggle: `R1, R4`."""
    found: dict[str, None] = {}
    for line in lines:
        found |= dict.fromkeys(wording.rules_in(line))
    return ", ".join(found)


@register.filter
def rma_kind(kind: str) -> str:
    return wording.rma_kind_words(kind)


@register.filter
def rma_status(status: str) -> str:
    return wording.rma_status_sentence(status)


@register.filter
def invoice_kind(kind: str) -> str:
    return wording.invoice_kind_words(kind)


@register.filter
def invoice_status(status: str) -> str:
    return wording.invoice_status_words(status)


@register.filter
def ticket_status(status: str) -> str:
    return wording.ticket_status_words(status)
