"""Instants a form posts with a write: handed to the service, which decides who may give one.

A page never decides whether its user may back-date a change: it passes what was posted
(`opened_at`, `at`, `requested_at`, ...) to the service, and `core.permissions.instant_for`
refuses anyone but the vendor's staff, naming the field and rule T1 — the same answer the API
gives. A posted value that is not an instant with an offset is refused here (T1).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from rmadesk.policy.instants import parse_instant


def posted_instant(request: HttpRequest, field: str) -> dt.datetime | None:
    """The instant the request posted as `field`, parsed; None when it posted none (or blank)."""
    raw = request.POST.get(field, "").strip()
    return parse_instant(raw, field) if raw else None
