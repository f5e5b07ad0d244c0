"""Writes for the backup tests, from the installation's own environment (DATABASE_URL, data dir).

    python -m tests.backup.load seed        # a customer on a plan with an asset, its contact
    python -m tests.backup.load write STOP  # tickets with two files each, until STOP exists

Each ticket is one transaction of the portal's service (`open_ticket_with_files`): a ticket, its
first message, two attachments with bytes of their own, the audit events and the clocks. `write`
prints how many tickets it opened (one at least).
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rmadesk.assets.models import Asset
    from rmadesk.core.services import add_user
    from rmadesk.portal.services import open_ticket_with_files
    from tests.tickets.factories import asset_on_plan

    if argv[0] == "seed":
        asset = asset_on_plan("gold", serial="BK-000001")
        add_user(email="ops@customer.example", role="customer", customer_id=asset.customer_id)
        print(asset.serial)
        return
    stop = Path(argv[1])
    asset = Asset.objects.get(serial="BK-000001")
    from django.contrib.auth import get_user_model

    contact = get_user_model().objects.get(email="ops@customer.example")
    opened = 0
    for n in itertools.count(1):
        open_ticket_with_files(
            actor=contact,
            serial=asset.serial,
            severity="S3",
            subject=f"Backup load {n}",
            body=f"Ticket {n} of the load, with two logs.",
            files=[
                SimpleUploadedFile(f"debug-{n}.log", f"log {n}\n".encode() * 50, "text/plain"),
                SimpleUploadedFile(f"notes-{n}.txt", f"notes {n} ✓\n".encode(), "text/plain"),
            ],
        )
        opened += 1
        if stop.exists():  # looked at after each ticket: at least one is opened
            break
    print(opened)


if __name__ == "__main__":
    main(sys.argv[1:])
