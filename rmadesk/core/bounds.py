"""The ranges of plain numbers every door shares: record ids, drives (issue 13).

A number past the database's range is refused (or, in a filter, ignored) before it reaches a
query: SQLite cannot hold an integer past a signed 64-bit one and PostgreSQL refuses it, and
both used to answer 500.
"""

from __future__ import annotations

# A record id is a signed 64-bit integer on both databases (BigAutoField).
MAX_RECORD_ID = 2**63 - 1
# Drives one TrueCommand asset manages (rule L8): far more than any system holds.
MAX_DRIVES = 100_000


def read_record_id(text: str) -> int | None:
    """The record id `text` spells in ASCII digits (1 to MAX_RECORD_ID), or None."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_RECORD_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_RECORD_ID else None
