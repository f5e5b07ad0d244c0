"""Bearer-token authentication: `Authorization: Bearer <token>` names a user (and its role)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja.security import HttpBearer

from rmadesk.core import clock
from rmadesk.core.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__account", "user__account__customer")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        # Cheap bookkeeping, not part of any business transaction.
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=clock.now())
        request.user = found.user
        return found.user


def user_of(request: HttpRequest) -> Any:
    """The authenticated user of an API request."""
    user = getattr(request, "auth", None)
    return user if user is not None else get_user_model()()
