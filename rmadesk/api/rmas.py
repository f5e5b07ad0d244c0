"""API endpoints for rmas (being written)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["rmas"])
