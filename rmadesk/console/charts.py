"""Bar charts drawn on the server as SVG: the geometry here, the markup in `_chart.html`.

No script and no inline style (the pages' Content-Security-Policy forbids both): bars are
`<rect>`s with presentation attributes and a class per series, coloured by `reports.css`. Each
chart has a `<title>` and sits beside the table of the same numbers, so it only repeats them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 480
LABEL_WIDTH = 170
BAR_HEIGHT = 16
ROW_HEIGHT = 24
TOP = 8


@dataclass(frozen=True)
class Series:
    key: str  # the CSS class: series-<key>
    label: str


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    text_y: int
    segments: tuple[Segment, ...]
    total_text: str
    total_x: float


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_x: int = LABEL_WIDTH - 4

    @property
    def is_empty(self) -> bool:
        return not self.bars


def bar_chart(
    title: str,
    series: Sequence[Series],
    rows: Sequence[tuple[str, Sequence[Decimal | int]]],
) -> Chart:
    """Horizontal stacked bars: one per (label, values by series), scaled to the largest total."""
    totals = [sum((Decimal(v) for v in values), Decimal(0)) for _label, values in rows]
    largest = max(totals, default=Decimal(0)) or Decimal(1)
    room = Decimal(WIDTH - LABEL_WIDTH - 50)
    bars = []
    for index, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = TOP + index * ROW_HEIGHT
        x = Decimal(LABEL_WIDTH)
        segments = []
        for one, value in zip(series, values, strict=True):
            width = room * Decimal(value) / largest
            if width > 0:
                segments.append(
                    Segment(
                        x=float(round(x, 1)),
                        width=float(round(width, 1)),
                        css=f"series-{one.key}",
                        title=f"{label}: {one.label} {value}",
                    )
                )
            x += width
        bars.append(
            Bar(
                label=label,
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                segments=tuple(segments),
                total_text=str(total),
                total_x=float(round(x, 1)) + 4,
            )
        )
    height = TOP * 2 + max(len(bars), 1) * ROW_HEIGHT
    return Chart(title, tuple(series), tuple(bars), WIDTH, height)
