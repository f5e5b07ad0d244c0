"""schemathesis hooks of the contract check (loaded through SCHEMATHESIS_HOOKS).

An `Idempotency-Key` names one request: sent again with another request it is refused (422,
rmadesk.api.idempotency), which is the point of it. schemathesis draws keys from the header's
schema and so sends the same few ("0", "!") with many different requests; a client sending a
new key with each new request is what the document asks for, so each valid key drawn is made
unique here (a counter is appended). Keys outside the header's schema are left as drawn: their
refusal (400) is part of the check.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import schemathesis

# As rmadesk.api.idempotency has them; that module needs Django, which this process has not.
HEADER = "Idempotency-Key"
_VALID = re.compile(r"^[\x21-\x7e]{1,255}$")
_SENT = itertools.count(1)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    key = headers.get(HEADER)
    if isinstance(key, str) and _VALID.match(key):
        suffix = f"-{next(_SENT)}"
        headers[HEADER] = key[: 255 - len(suffix)] + suffix
