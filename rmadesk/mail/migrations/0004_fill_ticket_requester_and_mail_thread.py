"""Fill `Ticket.requester_email` and `Ticket.mail_thread_id` for tickets opened before them.

Until now both were worked out each time a notification was built; this writes down, once,
what that gave, so the mail about an older ticket goes to the same person in the same thread:

- requester: the sender of the inbound mail that opened the ticket, else the active customer
  contact who opened it, else the customer's own address;
- mail thread: that inbound mail's Message-ID, else the Message-ID of the first customer
  notification sent about the ticket, else a new one in rmadesk's own form.

Here rather than in tickets: it reads the mail app's inbound mail and outbox.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import migrations

CUSTOMER_KINDS = (
    "ticket_opened",
    "agent_reply",
    "severity_changed",
    "waiting_on_customer",
    "ticket_closed",
    "rma_issued",
    "return_label",
    "replacement_shipped",
    "label_expiring",
    "part_not_returned",
)


def fill(apps: Any, schema_editor: Any) -> None:
    Ticket = apps.get_model("tickets", "Ticket")
    InboundMessage = apps.get_model("mail", "InboundMessage")
    OutboxMessage = apps.get_model("mail", "OutboxMessage")
    Account = apps.get_model("core", "Account")
    domain = str(getattr(settings, "RMADESK_MAIL_DOMAIN", "") or "rmadesk.example")
    # Every ticket opened before: none has a requester yet (and the thread id that adding the
    # column gave them all is one shared value, replaced here).
    tickets = Ticket.objects.filter(requester_email="").select_related("customer", "opened_by")
    for ticket in tickets.iterator(chunk_size=500):
        opening = (
            InboundMessage.objects.filter(ticket_id=ticket.pk, status="ticket_opened")
            .order_by("id")
            .first()
        )
        requester = ""
        opener = ticket.opened_by
        if opening is not None and opening.from_address:
            requester = opening.from_address
        elif (
            opener is not None
            and opener.is_active
            and opener.email
            and Account.objects.filter(user_id=opener.pk, role="customer").exists()
        ):
            requester = opener.email
        thread = ""
        if opening is not None and opening.message_id:
            thread = "".join(opening.message_id.split())
        if not thread:
            thread = (
                OutboxMessage.objects.filter(ticket_number=ticket.number, kind__in=CUSTOMER_KINDS)
                .order_by("id")
                .values_list("message_id", flat=True)
                .first()
            ) or f"<rmadesk.{uuid.uuid4().hex}@{domain}>"
        ticket.requester_email = requester or ticket.customer.email
        ticket.mail_thread_id = thread
        ticket.save(update_fields=["requester_email", "mail_thread_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("mail", "0003_outbox_leased_by"),
        ("tickets", "0008_ticket_requester_and_mail_thread"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
