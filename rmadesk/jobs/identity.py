"""Which worker this process is, and which task backend it runs (no other jobs module needed)."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

from django.conf import settings


@dataclass
class CurrentWorker:
    """Which worker this process is ("" outside `rmadesk worker`): leases and runs record it."""

    worker_id: str = ""


CURRENT = CurrentWorker()


def new_worker_id() -> str:
    """Unique across machines and restarts: host, process, and a random part."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def backend_name() -> str:
    return str(getattr(settings, "RMADESK_TASKS_BACKEND", "database"))
