"""Bounded input types of the API: each range the server enforces is in the OpenAPI document.

A value outside answers 422 `{"error", "field", "rule"}` naming the field, before any service
runs (issue 13). Strings are bounded by their model field's max_length (`text`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rmadesk.core.bounds import MAX_DRIVES, MAX_RECORD_ID
from rmadesk.customers.models import MAX_PAYMENT_TERMS_DAYS

# F1: 0 (payment upfront) to a year.
PaymentTermsDays = Annotated[int, Field(ge=0, le=MAX_PAYMENT_TERMS_DAYS)]
# L8: a TrueCommand asset's drives.
Drives = Annotated[int, Field(ge=0, le=MAX_DRIVES)]
# The id of a record: a signed 64-bit integer on both databases.
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
