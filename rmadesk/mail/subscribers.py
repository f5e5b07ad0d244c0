"""The mail app's subscriptions to domain events (imported by `CoreConfig.ready`)."""

from rmadesk.mail.notifications import subscribe_notifications

subscribe_notifications()
