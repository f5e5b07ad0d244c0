"""Template helpers shared by the portal and the console."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from rmadesk.core.explanations import in_language
from rmadesk.core.formats import base_language, date_text, instant_text, rezoned
from rmadesk.core.policies import active_policy

register = template.Library()


@register.simple_tag
def viewer_zone_name() -> str:
    return str(timezone.get_current_timezone())


@register.filter
def local(value: dt.datetime | None) -> str:
    """`Fri 27 Nov 2026, 08:00 PST (-08:00)`: an instant in the viewer's zone with its offset,
    in the viewer's language (`rmadesk.core.formats`)."""
    if value is None:
        return "—"
    return instant_text(value, timezone.get_current_timezone())


@register.simple_tag
def countdown(value: dt.datetime | None, label: str = "") -> Any:
    """A `<time>` the page's script turns into a live countdown ("due in 3 h 12 min"), with its
    words in the reader's language as data attributes (`{}` stands for the time left)."""
    if value is None:
        return format_html('<span class="muted">{}</span>', _("no due time"))
    return format_html(
        '<time datetime="{}" data-countdown data-due-in="{}" data-overdue-by="{}" '
        'data-units="{}" title="{}">{}</time>',
        value.isoformat(),
        _("due in %(left)s") % {"left": "{}"},
        _("overdue by %(left)s") % {"left": "{}"},
        # Translators: days, hours, minutes of a countdown ("2 d 3 h", "12 min"), space-separated.
        _("d h min"),
        local(value),
        label or local(value),
    )


@register.filter
def in_viewer_zone(text: Any) -> str:
    """An explanation line with its times in the viewer's zone and language (T1, issue 14).

    Explanations are written once, in English, with their times in the vendor's zone (the
    console's) or already in the customer's (the portal's promise): either way the viewer reads
    its own zone and language (`rmadesk.core.explanations`).
    """
    shown = timezone.get_current_timezone()
    said = in_language(str(text))
    return rezoned(rezoned(said, active_policy().vendor_zone, shown), shown, shown)


@register.filter
def day(value: dt.date | None, english: str = "j M Y") -> str:
    """A calendar day in the viewer's language: English in the page's own format (`j M Y`,
    `l j F Y`), German and Japanese in theirs (`27. Nov 2026`, `2026年11月27日(金曜日)`)."""
    if value is None:
        return ""
    if base_language() == "en":
        return str(date_filter(value, english))
    return date_text(value, weekday="l" in english)
