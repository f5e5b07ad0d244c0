"""What a customer reads: the visible text of a page or mail outside `<details>`, and the
rule IDs or internal keys found in it (issue 14: customers read sentences, not codes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A rule ID of shared/POLICY.md (R4, W6, ...) and an internal key: a snake_case token, or a
# choice value that is not a word.
RULE_ID = re.compile(r"\b[TLPWNRF]\d+\b")
INTERNAL_KEY = re.compile(
    r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\b(?:24x7|truecommand-free|nbd|4h|business_hours)\b"
)
SKIPPED = {"details", "script", "style", "template"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees without opening a `<details>` (tags, attributes, scripts out)."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def codes_in(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Rule IDs and internal keys in `text`, each with a little context; `allowed` are names
    that merely look like codes (a serial such as R20-J30002, a model such as TrueNAS R20)."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    found = []
    for pattern in (RULE_ID, INTERNAL_KEY):
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 40), match.end() + 40
            found.append(f"{match.group()!r} in …{text[start:end]}…")
    return found
