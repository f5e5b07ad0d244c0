"""Satisfaction results (issue 16): customers' ratings of closed tickets per period, plan and
agent, with their comments, at /reports/satisfaction.

Managers and admins only (`rmadesk.satisfaction.permissions`): other staff are refused (403), a
customer's token finds nothing (404). Thin adapter (ARCHITECTURE rule 3): parse the range, call
the one selector, shape its answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rmadesk.api.auth import user_of
from rmadesk.api.schemas import Day, Out
from rmadesk.satisfaction.selectors import ResultComment, ResultRow, satisfaction_results

router = Router(tags=["reports"])

AVERAGE_PATTERN = r"^[0-5]\.[0-9]{2}$"


class SatisfactionQuery(Schema):
    # Days in the vendor's zone, both included, at most 366 of them; by default the twelve
    # weeks (84 days) up to today.
    start: Day | None = Field(None, alias="from")
    to: Day | None = None
    period: Literal["week", "month"] = "week"  # weeks start Monday, in the vendor's zone


class DistributionOut(Out):
    """How many ratings of each value, "1" to "5"."""

    one: int = Field(alias="1", ge=0)
    two: int = Field(alias="2", ge=0)
    three: int = Field(alias="3", ge=0)
    four: int = Field(alias="4", ge=0)
    five: int = Field(alias="5", ge=0)


class SatisfactionRowOut(Out):
    period_start: dt.date  # the Monday of the week, or the first day of the month
    plan: str  # the ticket's plan when it closed
    agent: str | None  # the assignee when it closed (full name, else user name); null: nobody
    ratings: int = Field(ge=1)
    average: str = Field(pattern=AVERAGE_PATTERN)  # rounded half-up to two places
    distribution: DistributionOut


class SatisfactionCommentOut(Out):
    ticket: int
    rating: int = Field(ge=1, le=5)
    comment: str
    agent: str | None
    rated_at: dt.datetime


class SatisfactionOut(Out):
    rows: list[SatisfactionRowOut]
    comments: list[SatisfactionCommentOut]


def _row(row: ResultRow) -> dict[str, Any]:
    return {
        "period_start": row.period_start,
        "plan": row.plan,
        "agent": row.agent,
        "ratings": row.ratings,
        "average": f"{row.average:.2f}",
        "distribution": row.distribution,
    }


def _comment(comment: ResultComment) -> dict[str, Any]:
    return {
        "ticket": comment.ticket,
        "rating": comment.rating,
        "comment": comment.comment,
        "agent": comment.agent,
        "rated_at": comment.rated_at,
    }


@router.get("", response=SatisfactionOut, by_alias=True)
def satisfaction(request: HttpRequest, filters: Query[SatisfactionQuery]) -> dict[str, Any]:
    """Ratings given from `from` to `to`, per period, plan and agent, and every comment."""
    results = satisfaction_results(
        user_of(request), start=filters.start, end=filters.to, period=filters.period
    )
    return {
        "rows": [_row(row) for row in results.rows],
        "comments": [_comment(comment) for comment in results.comments],
    }
