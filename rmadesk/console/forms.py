"""The console's forms: they read what was typed and hand it to a service unchanged.

Fields are plain text (the templates label and lay them out): whether a severity exists, a
reason is one of P1's, a price is exact to the cent or an instant has its offset is decided by
the service or the policy core, which refuse with the rule, so the page shows the same message
and rule as the API would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from rmadesk.core.errors import InvalidInput
from rmadesk.policy.instants import parse_amount, parse_local_instant

ITEM_ROWS = 3


def typed_instant(text: str, field: str, zone: dt.tzinfo) -> dt.datetime | None:
    """What a date and time picker posted, read in the viewer's `zone` (None when blank).

    The picker (`<input type="datetime-local">`, the zone named beside it) posts a wall-clock
    time; a time the zone skips or repeats at a DST change is refused naming the field (T1).
    """
    return parse_local_instant(text, zone, field) if text.strip() else None


def picker_value(at: dt.datetime, zone: dt.tzinfo) -> str:
    """An instant as a date and time picker shows it: the wall-clock minute in `zone`."""
    return f"{at.astimezone(zone):%Y-%m-%dT%H:%M}"


class TextForm(forms.Form):
    """A form whose fields are all optional text, read stripped."""

    def text(self, name: str) -> str:
        self.is_valid()
        return str(self.cleaned_data.get(name) or "").strip()


def _text(*, long: bool = False) -> forms.CharField:
    return forms.CharField(required=False, widget=forms.Textarea if long else forms.TextInput)


class SeverityForm(TextForm):
    severity = _text()


class AssignForm(TextForm):
    assignee = _text()  # a user id; blank unassigns


class CloseForm(TextForm):
    reason = _text(long=True)
    out_of_scope = _text()  # blank: resolved; else one of the policy's P1 reasons


class DenyForm(TextForm):
    """A warranty claim denied (W2): the cause's key and the explanation the customer reads."""

    cause = _text()
    explanation = _text(long=True)


class QuoteForm(TextForm):
    """A billable repair quote (R9): amount as typed (the service checks it, F4), currency,
    what it covers and the last day it may be accepted (a date picker; blank: no limit)."""

    amount = _text()
    currency = _text()
    description = _text(long=True)
    valid_until = _text()

    def valid_until_date(self) -> dt.date | None:
        text = self.text("valid_until")
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not a date such as 2026-12-31", field="valid_until"
            ) from None


class ReplyForm(TextForm):
    """A reply or an internal note, and what happens to the ticket after it (one step)."""

    body = _text(long=True)
    visibility = _text()  # "public" (a reply the customer sees) or "internal" (a note)
    then = _text()  # "" (send), "wait" (send and wait on the customer), "close" (send and close)
    close_reason = _text(long=True)  # when closing: the reason the customer reads (P1)
    out_of_scope = _text()  # when closing: blank (resolved) or one of P1's reasons

    @property
    def is_public(self) -> bool:
        return self.text("visibility") != "internal"


class CannedReplyForm(TextForm):
    title = _text()
    body = _text(long=True)
    shared = forms.BooleanField(required=False)

    @property
    def is_shared(self) -> bool:
        self.is_valid()
        return bool(self.cleaned_data.get("shared"))


class CallForm(TextForm):
    body = _text(long=True)
    called_at = _text()  # a date and time picker in the viewer's zone; blank: now

    def instant(self, zone: dt.tzinfo) -> dt.datetime | None:
        return typed_instant(self.text("called_at"), "called_at", zone)


class RmaOpenForm(TextForm):
    """The RMA's kind and up to ITEM_ROWS item rows (part, serial, unit price); blank rows
    are left out, the rest go to `open_rma` as typed (it checks prices to the cent, F4)."""

    kind = _text()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, ITEM_ROWS + 1):
            for name in ("part", "serial", "unit_price"):
                self.fields[f"{name}_{row}"] = _text()

    def items(self) -> list[dict[str, str]]:
        rows = []
        for row in range(1, ITEM_ROWS + 1):
            item = {name: self.text(f"{name}_{row}") for name in ("part", "serial", "unit_price")}
            if any(item.values()):
                rows.append(item)
        return rows

    def rows(self) -> list[dict[str, str]]:
        """The item rows as typed, for the template (blank on a fresh form)."""
        data = self.data if self.is_bound else {}
        return [
            {
                "row": str(row),
                **{name: str(data.get(f"{name}_{row}", "")) for name in ("part", "serial")},
                "unit_price": str(data.get(f"unit_price_{row}", "")),
            }
            for row in range(1, ITEM_ROWS + 1)
        ]


class ConfirmForm(forms.Form):
    data_backed_up = forms.BooleanField(required=False)
    removable_media_removed = forms.BooleanField(required=False)
    original_packaging = forms.BooleanField(required=False)
    insured = forms.BooleanField(required=False)

    def answers(self) -> dict[str, bool]:
        self.is_valid()
        return {name: bool(self.cleaned_data.get(name)) for name in self.fields}


class ContentsForm(forms.Form):
    """What came back in a money-back return's box (F3): unticked is recorded as missing.

    The fields are `returned_*`: a form's own `media` attribute is taken.
    """

    returned_manuals = forms.BooleanField(required=False)
    returned_media = forms.BooleanField(required=False)
    returned_documentation = forms.BooleanField(required=False)

    def answer(self, name: str) -> bool:
        self.is_valid()
        return bool(self.cleaned_data.get(f"returned_{name}"))


class ShipForm(TextForm):
    shipped_at = _text()
    part_identified_at = _text()  # N1-N3: blank keeps the recorded one (or the RMA's issue)

    def instant(self, default: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
        """The time picked in the viewer's `zone` (see `typed_instant`), or `default`."""
        return typed_instant(self.text("shipped_at"), "shipped_at", zone) or default

    def picked(self, name: str, zone: dt.tzinfo) -> dt.datetime | None:
        """Another picker's time in the viewer's `zone`, or None when left blank."""
        return typed_instant(self.text(name), name, zone)


class IdentifyForm(ShipForm):
    identified_at = _text()


class DeliveredForm(ShipForm):
    delivered_at = _text()


class TrackingForm(TextForm):
    direction = _text()  # "to_customer" or "return"
    carrier = _text()  # a key of the policy's [carriers]
    tracking_number = _text()


class NotesForm(TextForm):
    notes = _text(long=True)


class DecideForm(TextForm):
    decision = _text()
    refurbished = forms.BooleanField(required=False)
    freight_arrangement = _text(long=True)

    @property
    def is_refurbished(self) -> bool:
        self.is_valid()
        return bool(self.cleaned_data.get("refurbished"))


class ScanForm(TextForm):
    label_rma_number = _text()  # what the scanner (or the clerk) read off the label
    expected = _text()  # the RMA the desk expects, if the label cannot be read


class ReasonForm(TextForm):
    reason = _text(long=True)


class PaymentForm(TextForm):
    amount = _text()
    received_at = _text()  # when the money was received: a picker in the viewer's zone (F2)
    reference = _text()

    def money(self) -> Decimal:
        return parse_amount(self.text("amount"), "amount")

    def instant(self, zone: dt.tzinfo) -> dt.datetime | None:
        """When the money was received (see `typed_instant`); None (now) when left blank."""
        return typed_instant(self.text("received_at"), "received_at", zone)


class CreditNoteForm(TextForm):
    amount = _text()
    reason = _text(long=True)

    def money(self) -> Decimal:
        return parse_amount(self.text("amount"), "amount")
