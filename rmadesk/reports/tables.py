"""What every report answers: columns and rows, the same numbers for the page, CSV and JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Cell = str | int | None


@dataclass(frozen=True)
class Column:
    key: str  # the JSON name and the CSV header
    label: str  # the page's header (translated)
    is_number: bool = False


@dataclass(frozen=True)
class Table:
    """A report's rows; each row a dict of its columns' keys to strings or integers.

    `links` (optional, one per row) is where a row leads on the page (the tickets behind it).
    """

    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]]
    links: list[str] = field(default_factory=list)

    def csv_text(self) -> str:
        """The rows as CSV (keys as headers), exactly the values the page and the API show."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.key for c in self.columns])
        for row in self.rows:
            writer.writerow(["" if row[c.key] is None else row[c.key] for c in self.columns])
        return out.getvalue()

    def cells(self) -> list[tuple[list[tuple[Cell, bool]], str]]:
        """Each row's (cell, is a number) in column order, with its link ("" for none)."""
        links = self.links or [""] * len(self.rows)
        return [
            ([(row[c.key], c.is_number) for c in self.columns], link)
            for row, link in zip(self.rows, links, strict=False)
        ]


def columns(*spec: tuple[str, str] | tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*item) for item in spec)


def as_json(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"rows": list(rows)}
