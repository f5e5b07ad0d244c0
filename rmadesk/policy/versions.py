"""What changes between two policy versions (L6): the response targets, and every setting.

`target_changes` is what `rmadesk policy activate` and the console show first: per plan and
severity, the first-response target before and after. `settings_diff` is the whole effective
policy, as `rmadesk policy show` prints it, compared line by line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rmadesk.policy.loader import Policy
from rmadesk.policy.service_levels import target_text
from rmadesk.policy.show import policy_text

ABSENT = "—"


@dataclass(frozen=True)
class TargetChange:
    """One plan and severity whose first-response target (or its calendar) differs."""

    plan: str
    severity: str
    old: str
    new: str
    calendar_changed: bool

    def line(self) -> str:
        """`gold S2 first response: 4 business hours → 2 business hours`."""
        text = f"{self.plan} {self.severity} first response: {self.old} → {self.new}"
        if self.calendar_changed and self.old == self.new:
            text += " (its calendar's hours or closed days changed)"
        return text


def response_text(policy: Policy, plan: str, severity: str) -> str:
    """How a plan's target for a severity reads (`4 business hours`), or `—` if it has none."""
    plan_doc = policy.document.plans.get(plan)
    target = None if plan_doc is None else plan_doc.response.get(severity)
    if target is None:
        return ABSENT
    calendars = policy.document.calendars
    always = bool(target.calendar) and calendars[str(target.calendar)].always_open
    text = target_text(target, around_the_clock=always)
    if target.calendar and target.calendar != "pacific" and not always:
        text += f" ({target.calendar})"
    if target.international_union:
        text += " ∪ customer hours abroad"
    return text


def _calendar_doc(policy: Policy, plan: str, severity: str) -> object:
    plan_doc = policy.document.plans.get(plan)
    target = None if plan_doc is None else plan_doc.response.get(severity)
    if target is None or not target.calendar:
        return None
    return policy.document.calendars.get(target.calendar)


def target_changes(old: Policy, new: Policy) -> list[TargetChange]:
    """Every plan and severity of either version whose target or target calendar differs."""
    plans = list(dict.fromkeys([*old.document.plans, *new.document.plans]))
    severities = list(dict.fromkeys([*old.document.severities, *new.document.severities]))
    found = []
    for plan in plans:
        for severity in severities:
            before = response_text(old, plan, severity)
            after = response_text(new, plan, severity)
            calendar_changed = _calendar_doc(old, plan, severity) != _calendar_doc(
                new, plan, severity
            )
            if before != after or calendar_changed:
                found.append(TargetChange(plan, severity, before, after, calendar_changed))
    return found


def settings_diff(old: Policy, new: Policy) -> list[str]:
    """A unified diff of the two versions' effective settings (`rmadesk policy show`)."""
    return list(
        difflib.unified_diff(
            policy_text(old).splitlines(),
            policy_text(new).splitlines(),
            fromfile=old.version,
            tofile=new.version,
            lineterm="",
        )
    )
