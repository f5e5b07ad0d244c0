"""L8: a free TrueCommand licence covers at most N drives, summed over its assets.

The apps lock the licence, sum the drives its other assets already cover and ask here; the
answer (or the refusal, naming the field `drives` and rule L8) comes from one place.
"""

from __future__ import annotations

from rmadesk.policy.errors import PolicyError


def require_drives_within_licence(
    *, licence: str, max_drives: int | None, covered: int, drives: int | None
) -> int:
    """The licence's total once `drives` more are registered; refused past `max_drives` (L8).

    `covered` is what the licence's other assets already cover; None drives count as none.
    """
    adding = drives or 0
    if adding < 0 or covered < 0:
        raise PolicyError("a number of drives cannot be negative", rule="L8", field="drives")
    total = covered + adding
    if max_drives is not None and total > max_drives:
        raise PolicyError(
            f"the {licence} covers at most {max_drives} drives, summed over every asset "
            f"registered under it; it already covers {covered}, so {adding} more would make "
            f"{total}",
            rule="L8",
            field="drives",
        )
    return total
