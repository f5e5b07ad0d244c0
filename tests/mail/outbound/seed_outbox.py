"""Fill a fresh rmadesk database with notifications to send, for the worker kill test.

Run as `python -m tests.mail.outbound.seed_outbox N` with the environment of the installation
under test (RMADESK_DATA_DIR, DATABASE_URL): opens N tickets as a customer's contact and answers
each publicly, through the services, so 2 N notifications are queued in the outbox. Prints the
queued Message-IDs as JSON.
"""

from __future__ import annotations

import json
import os
import sys


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    import django

    django.setup()

    from rmadesk.mail.models_outbox import OutboxMessage
    from rmadesk.tickets.services import open_ticket, reply
    from tests.tickets.factories import asset_on_plan, user

    asset = asset_on_plan("gold", serial="KILL-0001")
    contact = user("customer", asset.customer)
    agent = user("agent")
    for n in range(count):
        ticket = open_ticket(
            actor=contact,
            serial=asset.serial,
            severity="S2",
            subject=f"Kill test {n}",
            body="Pool degraded.",
            channel="portal",
        )
        reply(actor=agent, ticket=ticket, body=f"Answer {n}.", public=True)
    ids = list(OutboxMessage.objects.order_by("id").values_list("message_id", flat=True))
    sys.stdout.write(json.dumps(ids) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]))
