"""Template helpers of the portal pages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.template import Context
from django.utils.translation import gettext as _

from rmadesk.core import wording
from rmadesk.core.formats import money_text
from rmadesk.web.middleware import request_contact

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """`1030.00 USD`: always two decimals (a sum read from the database may come back as `30`);
    `1.030,00 $` in German, `$1,030.00` in Japanese (`rmadesk.core.formats`)."""
    if amount is None:
        return "—"
    return money_text(Decimal(amount), currency, grouped=False)


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
def calendar_words(title: object) -> str:
    return wording.calendar_words(title)


@register.filter
def target_words(target: object) -> str:
    return wording.target_words(target)


@register.filter
def denial_cause(cause: str) -> str:
    return wording.denial_cause_words(cause)


@register.filter
def clock_kind(kind: str) -> str:
    return wording.clock_kind_words(kind)


@register.filter
def clock_state(state: str) -> str:
    return wording.clock_state_words(state)


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


@register.simple_tag(takes_context=True)
def language_choices(context: Context) -> dict[str, Any]:
    """The language selector's options: blank (the browser's) and LANGUAGES, and the chosen one."""
    request = context.get("request")
    contact = request_contact(request) if request is not None else None
    return {
        "chosen": contact.language if contact is not None else "",
        "options": [("", _("Your browser's language")), *settings.LANGUAGES],
    }
