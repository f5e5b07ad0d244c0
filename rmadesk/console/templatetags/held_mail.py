"""The console's "Held mail" link, for those who handle held mail, with a count that keeps fresh.

The count is not read while the page renders: the link loads it with htmx when the page opens
and every minute after (`held_views.held_count_badge`), so every console page keeps its query
budget and an agent sees new held mail without reloading.
"""

from __future__ import annotations

from typing import Any

from django import template

from rmadesk.mail.permissions import may_handle_held_mail

register = template.Library()

# The console pages the link is "current" on.
PAGES = frozenset({"held_mail", "held_mail_message"})


@register.inclusion_tag("console/_held_mail_nav.html", takes_context=True)
def held_mail_nav(context: Any) -> dict[str, Any]:
    """`<li>` Held mail (N) for agents, managers and admins; nothing for other roles."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {
        "shown": may_handle_held_mail(request.user),
        "current": match is not None and match.url_name in PAGES,
    }
