"""JSON answers with every instant in the viewer's zone (rule T1), whichever endpoint made it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja.renderers import JSONRenderer

from rmadesk.core.viewers import viewer_zone


def _in_zone(value: Any, zone: dt.tzinfo) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(zone)
    if isinstance(value, dict):
        return {key: _in_zone(item, zone) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_in_zone(item, zone) for item in value]
    return value


class ViewerZoneRenderer(JSONRenderer):
    """Converts aware datetimes to the authenticated user's zone before encoding.

    One place for the rule, so no endpoint answers in UTC while another answers in Pacific time.
    """

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        user = getattr(request, "auth", None)
        if user is not None:
            data = _in_zone(data, viewer_zone(user))
        return super().render(request, data, response_status=response_status)
