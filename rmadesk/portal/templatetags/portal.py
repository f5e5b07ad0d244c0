"""Template helpers of the portal pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """`1030.00 USD`: always two decimals (a sum read from the database may come back as `30`)."""
    if amount is None:
        return "—"
    shown = f"{Decimal(amount):.2f}"
    return f"{shown} {currency}" if currency else shown
