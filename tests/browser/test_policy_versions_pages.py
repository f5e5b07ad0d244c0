"""The console's policy versions and their difference (rule L6), reached from the policy page as
a person would, pass axe."""

from __future__ import annotations

import pytest

from rmadesk.core.policies import configured_policy, record_policy
from rmadesk.core.services import add_user
from rmadesk.policy.loader import parse_policy
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_L6_policy_versions_and_their_difference_are_linked_and_accessible(open_page):
    manager = add_user(email="lead@vendor.example", role="manager", password="a long passphrase")
    old = configured_policy()
    new = parse_policy(old.text.replace("hours = 4,", "hours = 2,", 1), "gold-s2.toml")
    record_policy(old, note="", activate=False)
    record_policy(new, note="Gold S2 faster", activate=True, actor=manager)

    page = open_page(1280, 800)
    log_in(page, "lead@vendor.example", "a long passphrase")
    page.goto("/console/policy/")
    page.get_by_role("link", name="Every version, and what changed (L6)").click()
    page.wait_for_url("**/console/policy/versions/")
    assert page.locator("#policy-versions tbody tr").count() == 2
    assert_accessible(page)
    page.get_by_role("link", name="What changed from the version before").click()
    page.wait_for_url("**/console/policy/versions/diff?*")
    assert (
        page.inner_text("#target-changes tbody") == "gold\tS2\t4 business hours\t2 business hours"
    )
    assert_accessible(page)
