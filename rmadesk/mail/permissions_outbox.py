"""Who may read the mail the desk sent (console → Sent mail): decided here (ARCHITECTURE 4).

Every staff role: each sees every ticket, RMA and invoice a notification is about, so the page
shows staff nothing new. A customer's contact reads its own mail in its own mailbox, never here.
"""

from __future__ import annotations

from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, is_staff


def may_read_sent_mail(actor: Actor) -> bool:
    return is_staff(actor)


def require_sent_mail_reader(actor: Actor) -> None:
    """Anyone else is told there is nothing here, as for a message that does not exist."""
    if not may_read_sent_mail(actor):
        raise NotFound("no such message")
