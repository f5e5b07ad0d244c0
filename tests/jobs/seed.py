"""Fill a worker test's installation, from its own environment (DATABASE_URL, task backend).

    python -m tests.jobs.seed rmas N          # N advance exchanges due their day-14 invoice
    python -m tests.jobs.seed mails N         # N notifications queued in the outbox
    python -m tests.jobs.seed scans NAME K    # K copies of the periodic job NAME on the queue

Prints one JSON line: the RMA numbers, the Message-IDs, or the task ids.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
    import django

    django.setup()
    what = argv[0]
    if what == "rmas":
        from tests.jobs.bulk import due_advance_exchanges

        print(json.dumps(due_advance_exchanges(int(argv[1]))))
    elif what == "mails":
        from rmadesk.mail.models_outbox import OutboxMessage
        from tests.jobs.bulk import queued_notifications

        queued_notifications(int(argv[1]))
        print(json.dumps(list(OutboxMessage.objects.values_list("message_id", flat=True))))
    elif what == "scans":
        from rmadesk.jobs.queue import enqueue
        from rmadesk.jobs.tasks import run_scheduled_job

        results = [enqueue(run_scheduled_job, argv[1]) for _ in range(int(argv[2]))]
        print(json.dumps([result.id for result in results]))
    else:
        raise SystemExit(f"unknown: {what}")


if __name__ == "__main__":
    main(sys.argv[1:])
