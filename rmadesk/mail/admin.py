"""Admin for mail: each part registers its models in its own module, imported here."""

from __future__ import annotations

from rmadesk.mail import (
    admin_inbound,  # noqa: F401 - registers InboundMessage, MailAttachment
    admin_outbox,  # noqa: F401 - registers OutboxMessage
)
