"""Values every page shows."""

from __future__ import annotations

from django.http import HttpRequest

from rmadesk.core.policies import active_policy


def rmadesk(request: HttpRequest) -> dict[str, str]:
    return {"policy_version": active_policy().version}
