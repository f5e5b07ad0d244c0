"""axe-core in the browser tests: `assert_accessible(page)` fails on any serious or critical one.

axe-core (Deque, MPL-2.0) is vendored in tests/browser/vendor/axe-core/ and injected into the
page under test through the DevTools protocol (`page.evaluate`), so the site's Content Security
Policy, which forbids inline scripts, does not have to be loosened for it. Moderate and minor
findings are not failures here; serious and critical ones are, each listed with the rule, its
help text and the elements at fault, so the failure reads as a to-do list.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.1 A and AA, and axe's best practices (landmarks, one main, headings...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every violation axe finds on the page as it is now (any impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]], *, where: str = "") -> str:
    """Violations as lines a person can act on: impact, rule, help, then each element."""
    lines = [f"{len(violations)} accessibility violation(s){f' on {where}' if where else ''}:"]
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl'].split('?')[0]})"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {target}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Any, *, where: str = "") -> None:
    """Fail when axe finds a serious or critical violation on the page, listing them all."""
    found = blocking(axe_violations(page))
    assert not found, describe(found, where=where or page.url)
