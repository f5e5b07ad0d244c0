"""Accessibility checks in the browser tests: axe-core (vendored: vendor/axe-core, MPL-2.0, 4.14.1,
from the npm registry) run on the page as it is, its serious and critical findings returned.

    assert axe_violations(page) == []
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

_RUN = """async (impacts) => {
  const found = await axe.run(document);
  return found.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.html).join(" | ")}`);
}"""


def axe_violations(page: Any, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
    """The page's axe-core violations of these impacts, one line each (none: an empty list)."""
    page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate(_RUN, list(impacts))
    return found
