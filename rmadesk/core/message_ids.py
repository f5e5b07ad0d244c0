"""Message-IDs rmadesk gives its mail: `<rmadesk.{uuid}@{domain}>`.

Core holds them because a ticket is given the Message-ID of its mail thread when it opens (so
every later notification can refer to it without a look-up), and the outbox stamps each
notification with one; intake recognises its own mail coming back by the same form.
"""

from __future__ import annotations

import uuid

from django.conf import settings

MESSAGE_ID_PREFIX = "<rmadesk."


def mail_domain() -> str:
    return str(getattr(settings, "RMADESK_MAIL_DOMAIN", "") or "rmadesk.example")


def new_message_id() -> str:
    """A fresh, globally unique Message-ID in rmadesk's own form."""
    return f"{MESSAGE_ID_PREFIX}{uuid.uuid4().hex}@{mail_domain()}>"


def bracketed(message_id: str) -> str:
    """The Message-ID in angle brackets, on one line, whatever form it came in."""
    text = "".join(message_id.split())
    if text and not text.startswith("<"):
        text = f"<{text}>"
    return text


def has_own_form(message_id: str | None) -> bool:
    """True for a Message-ID in rmadesk's form on the configured domain."""
    if not message_id:
        return False
    text = bracketed(message_id)
    return text.startswith(MESSAGE_ID_PREFIX) and text.lower().endswith(
        f"@{mail_domain()}>".lower()
    )
