"""Mail records: inbound messages (models_inbound) and the transactional outbox (models_outbox)."""

from __future__ import annotations

from rmadesk.mail.models_inbound import InboundMessage, InboundStatus, MailAttachment  # noqa: F401
from rmadesk.mail.models_outbox import *  # noqa: F403
