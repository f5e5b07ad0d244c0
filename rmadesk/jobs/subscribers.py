"""The job queue's subscriptions to domain events (imported by `CoreConfig.ready`)."""

from rmadesk.core.events import subscribe
from rmadesk.jobs.tasks import start_delivery
from rmadesk.mail.events import OutboxMessageQueued

# A queued notification starts its delivery task at once.
subscribe(OutboxMessageQueued, start_delivery)
