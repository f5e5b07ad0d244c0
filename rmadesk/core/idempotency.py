"""How long an API answer stays replayable under its Idempotency-Key, and its pruning."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from rmadesk.core.models import IdempotencyKey


def keep_for() -> dt.timedelta:
    """RMADESK_IDEMPOTENCY_HOURS (24 by default): a retry later than this runs afresh."""
    return dt.timedelta(hours=int(getattr(settings, "RMADESK_IDEMPOTENCY_HOURS", 24)))


def prune_idempotency_keys(*, now: dt.datetime) -> int:
    """Delete the keys older than `keep_for()`; how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - keep_for()).delete()
    return deleted
