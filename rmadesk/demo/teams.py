"""The demo's teams: who hears of a new ticket nobody is assigned to yet (staff notifications).

Two teams over the policy's plans: Premium (gold, silver) and Standard (the others). The demo's
agents are split between them (one agent joins both), and the managers, the support leads, join
both. Made once: a team that exists is left as it is, members included (someone may have
changed it in the admin).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from rmadesk.core.choices import Role
from rmadesk.core.models import Team
from rmadesk.core.policies import active_policy

PREMIUM_PLANS = ("gold", "silver")


def seed_demo_teams() -> list[str]:
    """Create the demo's teams that are missing; what was created, for the demo's summary."""
    plans = list(active_policy().document.plans)
    premium = [plan for plan in plans if plan in PREMIUM_PLANS]
    standard = [plan for plan in plans if plan not in PREMIUM_PLANS]
    users = get_user_model().objects.filter(is_active=True).order_by("email")
    agents = list(users.filter(account__role=Role.AGENT))
    managers = list(users.filter(account__role=Role.MANAGER))
    halves = (agents[0::2], agents[1::2]) if len(agents) > 1 else (agents, agents)
    created = []
    for name, team_plans, members in (
        ("Premium support", premium, halves[0]),
        ("Standard support", standard, halves[1]),
    ):
        if Team.objects.filter(name=name).exists():
            continue
        team = Team.objects.create(name=name, plans=team_plans)
        team.members.add(*members, *managers)
        created.append(f"team {name!r} ({', '.join(team_plans)})")
    return created
