"""The active policy of this installation: RMADESK_POLICY, or the built-in default.

Loaded once per process (a policy is only read after loading); a changed file takes effect on
restart, and tickets keep the version they were opened under (rule L6).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from rmadesk.policy.loader import Policy, default_policy, load_policy


def active_policy() -> Policy:
    return _load(getattr(settings, "RMADESK_POLICY", None) or None)


@lru_cache(maxsize=4)
def _load(path: str | None) -> Policy:
    return load_policy(path) if path else default_policy()
