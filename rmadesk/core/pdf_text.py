"""Text on rmadesk's PDFs in any of the scripts customers write their names in (issue 14).

Helvetica, the PDF standard font, has Latin-1 only: a Japanese, Cyrillic or Greek name came out
as black boxes. Each run of text is now set in the font that has its script:

- Latin, Greek, Cyrillic and the rest: DejaVu Sans (regular and bold), TrueType files shipped
  in `rmadesk/core/fonts/` under their free licence and embedded (subset) in every document, so
  the PDF looks the same on every reader and needs nothing installed on the server.
- Japanese kana, Korean hangul and Chinese characters: reportlab's built-in CID fonts
  (HeiseiKakuGo-W5, HYGothic-Medium, STSong-Light), the Adobe Asian fonts every PDF reader
  has or substitutes. They cost no bytes in the repository (a CJK TrueType font is 10-20 MB).

Han characters are shared by the three languages: a text with kana is Japanese, one with
hangul Korean; otherwise the document's hint (the customer's country) decides, and Chinese
(whose font has every unified ideograph of GBK) when there is none. A line is drawn as one
text object with a font change per run, so a reader extracts the line as it was written.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

# reportlab ships no type information (no stubs in the dev group): its names are Any here.
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

Language = Literal["ja", "zh", "ko"]
Align = Literal["left", "right", "centre"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CJK_FONTS: dict[Language, str] = {
    "ja": "HeiseiKakuGo-W5",
    "zh": "STSong-Light",
    "ko": "HYGothic-Medium",
}
# The customer's country says which language a text of Han characters alone is in.
COUNTRY_LANGUAGE: dict[str, Language] = {
    "JP": "ja",
    "KR": "ko",
    "KP": "ko",
    "CN": "zh",
    "TW": "zh",
    "HK": "zh",
    "MO": "zh",
    "SG": "zh",
}

_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF65, 0xFF9F))
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
_HAN = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK punctuation: 、。「」
    (0x3200, 0x33FF),  # enclosed letters, compatibility (㈱)
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF64),  # full-width forms
    (0x20000, 0x3134F),
)
_lock = threading.Lock()


def _within(code: int, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def script_of(char: str) -> str:
    """`kana`, `hangul`, `han` or `other`: which font family a character needs."""
    code = ord(char)
    if code < 0x1100:
        return "other"
    if _within(code, _KANA):
        return "kana"
    if _within(code, _HANGUL):
        return "hangul"
    if _within(code, _HAN):
        return "han"
    return "other"


def language_for_country(country: str) -> Language | None:
    return COUNTRY_LANGUAGE.get(country.strip().upper())


@functools.cache
def _registered() -> bool:
    """Register the fonts with reportlab once per process (they are global to it)."""
    with _lock:
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        for name in CJK_FONTS.values():
            pdfmetrics.registerFont(UnicodeCIDFont(name))
    return True


class PdfText:
    """Measures, wraps and draws text on one canvas, each run in the font of its script."""

    def __init__(self, pdf: Canvas, *, hint: Language | None = None) -> None:
        _registered()
        self.pdf = pdf
        self.hint = hint

    def _han_language(self, text: str) -> Language:
        scripts = {script_of(char) for char in text}
        if "kana" in scripts:
            return "ja"
        if "hangul" in scripts:
            return "ko"
        return self.hint or "zh"

    def runs(self, text: str, *, bold: bool = False) -> list[tuple[str, str]]:
        """(font name, text) for each run of characters that one font sets."""
        latin = BOLD if bold else REGULAR
        han = CJK_FONTS[self._han_language(text)]
        found: list[tuple[str, str]] = []
        for char in text:
            script = script_of(char)
            if script == "other":
                font = latin
            elif script == "kana":
                font = CJK_FONTS["ja"]
            elif script == "hangul":
                font = CJK_FONTS["ko"]
            else:
                font = han
            if found and found[-1][0] == font:
                found[-1] = (font, found[-1][1] + char)
            else:
                found.append((font, char))
        return found

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        return float(
            sum(pdfmetrics.stringWidth(run, font, size) for font, run in self.runs(text, bold=bold))
        )

    def draw(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        align: Align = "left",
    ) -> None:
        """Draw one line with its baseline at `y`; `x` is its left, right end or centre."""
        if align == "right":
            x -= self.width(text, size, bold=bold)
        elif align == "centre":
            x -= self.width(text, size, bold=bold) / 2
        line = self.pdf.beginText(x, y)
        for font, run in self.runs(text, bold=bold):
            line.setFont(font, size)
            line.textOut(run)
        self.pdf.drawText(line)

    def wrap(self, text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
        """The text in lines that fit `width`: broken at spaces, between CJK characters, and
        inside a word only when the word alone is wider than a line (never run off)."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for token in _tokens(paragraph):
                candidate = line + token
                if not line or self.width(candidate, size, bold=bold) <= width:
                    line = candidate
                    continue
                lines.append(line.rstrip())
                line = token.lstrip()
            lines.append(line.rstrip())
        return _cut_long(self, lines, size, width, bold)

    def fit(self, text: str, size: float, width: float, *, bold: bool = False) -> str:
        """The text shortened with an ellipsis so it fits one line of `width`."""
        if self.width(text, size, bold=bold) <= width:
            return text
        while text and self.width(text + "…", size, bold=bold) > width:
            text = text[:-1]
        return text + "…"


def _tokens(text: str) -> list[str]:
    """Words with the spaces before them; each CJK character a token of its own."""
    tokens: list[str] = []
    current = ""
    for char in text:
        if script_of(char) != "other":
            if current:
                tokens.append(current)
            tokens.append(char)
            current = ""
        elif char == " " and current.strip():
            tokens.append(current)
            current = char
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _cut_long(
    writer: PdfText, lines: list[str], size: float, width: float, bold: bool
) -> list[str]:
    """Cut any line still wider than `width` (a long word mid-paragraph) into pieces."""
    pieces: list[str] = []
    for line in lines:
        rest = line
        while len(rest) > 1 and writer.width(rest, size, bold=bold) > width:
            cut = len(rest) - 1
            while cut > 1 and writer.width(rest[:cut], size, bold=bold) > width:
                cut -= 1
            pieces.append(rest[:cut])
            rest = rest[cut:]
        pieces.append(rest)
    return pieces
