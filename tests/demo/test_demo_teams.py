"""The demo's teams: every plan served, the agents split, the leads on both, made once."""

from __future__ import annotations

import pytest

from rmadesk.core.models import Team
from rmadesk.core.services import add_user
from rmadesk.demo.teams import seed_demo_teams

pytestmark = pytest.mark.django_db


def members(name: str) -> list[str]:
    team = Team.objects.get(name=name)
    return sorted(team.members.values_list("email", flat=True))


def test_two_teams_cover_every_plan_and_split_the_agents():
    for email in ("amy@vendor.example", "bob@vendor.example", "cat@vendor.example"):
        add_user(email=email, role="agent")
    add_user(email="lead@vendor.example", role="manager")
    add_user(email="clerk@vendor.example", role="clerk")
    created = seed_demo_teams()
    assert created == [
        "team 'Premium support' (gold, silver)",
        "team 'Standard support' (bronze, truecommand, truecommand-free)",
    ]
    assert members("Premium support") == [
        "amy@vendor.example",
        "cat@vendor.example",
        "lead@vendor.example",
    ]
    assert members("Standard support") == ["bob@vendor.example", "lead@vendor.example"]


def test_a_single_agent_joins_both_and_a_second_run_changes_nothing():
    add_user(email="agent@vendor.example", role="agent")
    seed_demo_teams()
    assert members("Premium support") == members("Standard support") == ["agent@vendor.example"]
    team = Team.objects.get(name="Standard support")
    team.members.clear()  # changed by someone in the admin: left as it is
    assert seed_demo_teams() == []
    assert members("Standard support") == []
