"""Teams: who on the vendor's staff serves a plan (the policy file's plan names).

A ticket's team is every team that serves the ticket's plan; its members are the active staff
users in those teams. Teams are few (a handful per vendor), so they are read whole and matched
in Python: one query for the teams and their members, whatever the database's JSON support.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from rmadesk.core.models import Team
from rmadesk.core.permissions import is_staff
from rmadesk.core.policies import active_policy


def plan_choices() -> list[tuple[str, str]]:
    """The active policy's plans, as (name, title) pairs for a form."""
    plans = active_policy().document.plans
    return [(name, f"{plan.title} ({name})") for name, plan in plans.items()]


def check_plans(plans: Iterable[str]) -> list[str]:
    """The plans, each one the active policy names; ValidationError naming the unknown ones."""
    known = active_policy().document.plans
    plans = list(dict.fromkeys(str(plan) for plan in plans))
    unknown = [plan for plan in plans if plan not in known]
    if unknown:
        raise ValidationError(
            f"the policy file has no plan {', '.join(repr(p) for p in unknown)}; "
            f"its plans are {', '.join(known)}"
        )
    return plans


def members_serving(plan: str) -> list[Any]:
    """The active staff users in the teams that serve `plan`, by email, each once."""
    found: dict[int, Any] = {}
    teams = Team.objects.prefetch_related("members__account").order_by("name")
    for team in teams:
        if plan not in (team.plans or []):
            continue
        for user in team.members.all():
            if user.is_active and is_staff(user):
                found.setdefault(user.pk, user)
    return sorted(found.values(), key=lambda user: (user.email, user.pk))
