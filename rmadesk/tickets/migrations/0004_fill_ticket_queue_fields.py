"""Fill Ticket.next_due_at and Ticket.is_breached from the clocks of existing tickets.

The rule is `rmadesk.tickets.services.queue_fields`, copied here as it stood when this
migration was written (a migration must not change when the code it once used does).
"""

from typing import Any

from django.db import migrations

CLOSED = {"resolved", "out_of_scope"}
BATCH = 2000


def owed(clock: Any, kinds: set[str], status: str) -> bool:
    if clock.state == "running":
        return True
    if clock.state != "breached":
        return False
    if clock.kind == "first_response":
        return "next_update" not in kinds
    return status == "open"


def queue_fields(status: str, clocks: list[Any]) -> tuple[Any, bool]:
    kinds = {c.kind for c in clocks}
    breached = any(c.state == "breached" for c in clocks)
    if status in CLOSED:
        return None, breached
    dues = [c.due_at for c in clocks if c.due_at is not None and owed(c, kinds, status)]
    return (min(dues) if dues else None), breached


def fill(apps: Any, schema_editor: Any) -> None:
    Ticket = apps.get_model("tickets", "Ticket")
    ServiceClock = apps.get_model("tickets", "ServiceClock")
    last = 0
    while True:
        tickets = list(Ticket.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not tickets:
            return
        last = tickets[-1].pk
        clocks: dict[int, list[Any]] = {t.pk: [] for t in tickets}
        for clock in ServiceClock.objects.filter(ticket_id__in=list(clocks)):
            clocks[clock.ticket_id].append(clock)
        for ticket in tickets:
            ticket.next_due_at, ticket.is_breached = queue_fields(ticket.status, clocks[ticket.pk])
        Ticket.objects.bulk_update(tickets, ["next_due_at", "is_breached"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_ticket_queue_next_due_at"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
