"""@mentions in an internal note: `@alice` (an email's local part) or `@alice@vendor.example`.

A mention starts with `@` at the start of the text or after a character that cannot be part of
an address (so `bob@vendor.example` written plainly mentions nobody). Trailing punctuation is
not part of it (`@alice,` and `@alice.` mention alice). A local part names a staff user only
when exactly one active staff user has it; an unknown or ambiguous mention is ignored, and the
full address is the way to say which of two.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from rmadesk.core.permissions import is_staff

MENTION = re.compile(
    r"(?<![A-Za-z0-9._%+@-])@(?P<local>[A-Za-z0-9._%+-]+)(?:@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+))?"
)


def mentions_in(text: str) -> list[str]:
    """The mentions in `text`, lower-cased, each once, in order: local parts or full addresses."""
    found: list[str] = []
    for match in MENTION.finditer(text):
        local = match["local"].rstrip("._-%+")
        domain = (match["domain"] or "").rstrip(".-")
        if not local:
            continue
        mention = f"{local}@{domain}" if domain else local
        mention = mention.lower()
        if mention not in found:
            found.append(mention)
    return found


def mentioned_staff(text: str) -> list[Any]:
    """The active staff users the text mentions (unknown and ambiguous mentions ignored)."""
    mentions = mentions_in(text)
    if not mentions:
        return []
    condition = Q()
    for mention in mentions:
        if "@" in mention:
            condition |= Q(email__iexact=mention)
        else:
            condition |= Q(email__istartswith=f"{mention}@")
    users = [
        user
        for user in get_user_model()
        .objects.filter(condition, is_active=True)
        .select_related("account")
        .order_by("email", "pk")
        if is_staff(user)
    ]
    chosen: dict[int, Any] = {}
    for mention in mentions:
        if "@" in mention:
            matches = [user for user in users if user.email.lower() == mention]
        else:
            matches = [user for user in users if user.email.lower().split("@")[0] == mention]
        if len(matches) == 1:
            chosen.setdefault(matches[0].pk, matches[0])
    return list(chosen.values())
