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


# The customer's words for the policy's keys and sentences (`rmadesk.core.wording`), one filter
# each: `{{ rma.status|rma_status }}`, `{{ clock.target|target_words }}`, ...
for _name, _words in {
    "plain": wording.plain,
    "calendar_words": wording.calendar_words,
    "target_words": wording.target_words,
    "denial_cause": wording.denial_cause_words,
    "clock_kind": wording.clock_kind_words,
    "clock_state": wording.clock_state_words,
    "rma_kind": wording.rma_kind_words,
    "rma_status": wording.rma_status_sentence,
    "invoice_kind": wording.invoice_kind_words,
    "invoice_status": wording.invoice_status_words,
    "ticket_status": wording.ticket_status_words,
}.items():
    register.filter(_name, _words)


@register.filter
def rules_cited(lines: Iterable[object]) -> str:
    """The rule IDs a list of explanation lines cites, for the details toggle: `R1, R4`."""
    found: dict[str, None] = {}
    for line in lines:
        found |= dict.fromkeys(wording.rules_in(line))
    return ", ".join(found)


@register.simple_tag(takes_context=True)
def language_choices(context: Context) -> dict[str, Any]:
    """The language selector's options: blank (the browser's) and LANGUAGES, and the chosen one."""
    request = context.get("request")
    contact = request_contact(request) if request is not None else None
    return {
        "chosen": contact.language if contact is not None else "",
        "options": [("", _("Your browser's language")), *settings.LANGUAGES],
    }
