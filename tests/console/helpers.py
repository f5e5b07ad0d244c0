"""Small readers of console HTML for the tests."""

from __future__ import annotations

import re
from typing import Any


def html(response: Any) -> str:
    return response.content.decode()


def row_of(page: str, number: int) -> str:
    """The queue table row of ticket `number` (the text between its <tr> and </tr>)."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        if f">#{number}</a>" in row:
            return str(row)
    raise AssertionError(f"no row for ticket {number}")


def queue_numbers(page: str) -> list[int]:
    """Ticket numbers in the order the queue lists them."""
    return [int(n) for n in re.findall(r'href="/console/tickets/(\d+)/">#', page)]


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed (for sentences across elements)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'")
