"""The one-click rating link's token: which survey, and a keyed signature over it.

`<survey id>-<64 hex digits>`: the digits are an HMAC-SHA256 (`django.utils.crypto.salted_hmac`,
the primitive under `django.core.signing`, with a salt of its own) of the survey's id, its
ticket's number and the instant it was asked. Without the site's SECRET_KEY no one can make one;
changing the id (another ticket's survey) breaks the signature. The token is never stored: the
mail builder makes it from the ask's facts, and the page checks it against the survey.

Hex rather than `signing.dumps`'s base64: the link is printed in the plain-text mail, and hex
holds no upper-case letter, dash-separated word or underscore that a reader (or the plain-words
check of customer mail) could take for a code, and survives mail clients that change case.

"Only once" is the survey's, not the token's: once it holds a rating, every use is refused.
The link expires `LINK_VALID_DAYS` after the ask; the portal's ticket page still takes a rating.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "rmadesk.satisfaction.rating-link"
LINK_VALID_DAYS = 60
TOKEN_PATTERN = r"[0-9]{1,18}-[0-9a-f]{64}"
_TOKEN = re.compile(rf"^{TOKEN_PATTERN}$")
MAX_TOKEN_LENGTH = 83


def _digest(survey_id: int, ticket_number: int, asked_at: dt.datetime) -> str:
    value = f"{survey_id}:{ticket_number}:{int(asked_at.timestamp())}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()


def rating_token(*, survey_id: int, ticket_number: int, asked_at: dt.datetime) -> str:
    """The token of the survey's link."""
    return f"{survey_id}-{_digest(survey_id, ticket_number, asked_at)}"


def survey_id_of(token: str) -> int | None:
    """The survey a well-formed token names (not yet checked), or None for anything else."""
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN.match(token):
        return None
    return int(token.split("-", 1)[0])


def token_matches(
    token: str, *, survey_id: int, ticket_number: int, asked_at: dt.datetime | None
) -> bool:
    """True when `token` is the one made for this survey's ask."""
    if asked_at is None:
        return False
    expected = rating_token(survey_id=survey_id, ticket_number=ticket_number, asked_at=asked_at)
    return constant_time_compare(token, expected)


def link_expires_at(asked_at: dt.datetime) -> dt.datetime:
    return asked_at + dt.timedelta(days=LINK_VALID_DAYS)
