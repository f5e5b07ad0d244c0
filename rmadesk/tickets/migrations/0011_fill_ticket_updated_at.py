"""Fill Ticket.updated_at for existing tickets: the instant of the ticket's latest audit event
(the history the ticket page shows), else when it was opened."""

from typing import Any

from django.db import migrations
from django.db.models import Max

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    Ticket = apps.get_model("tickets", "Ticket")
    AuditEvent = apps.get_model("core", "AuditEvent")
    last = 0
    while True:
        tickets = list(Ticket.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not tickets:
            return
        last = tickets[-1].pk
        latest = dict(
            AuditEvent.objects.filter(ticket_number__in=[t.number for t in tickets])
            .values("ticket_number")
            .annotate(at=Max("at"))
            .values_list("ticket_number", "at")
        )
        for ticket in tickets:
            ticket.updated_at = latest.get(ticket.number) or ticket.opened_at
        Ticket.objects.bulk_update(tickets, ["updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_ticket_updated_at"),
        ("core", "0002_audit_events_carry_domain_events"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
