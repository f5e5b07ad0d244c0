"""Opening an RMA on a ticket, numbered with the ticket's number (P3, R1, R5, R9, F3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from rmadesk.core.errors import Conflict, InvalidInput
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor, instant_for, user_or_none
from rmadesk.core.policies import active_policy
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.rma import rma_dates
from rmadesk.rmas.choices import RmaKind, RmaStatus
from rmadesk.rmas.events import RmaOpened
from rmadesk.rmas.models import Rma, RmaItem
from rmadesk.rmas.permissions import (
    require_rma_staff,
)
from rmadesk.rmas.services.common import advance_exchange_offered, clean_items, product_kind, record
from rmadesk.rmas.warranty import accepted_quote, warranty_status
from rmadesk.tickets.choices import CLOSED_STATUSES
from rmadesk.tickets.models import Ticket


@transaction.atomic
def open_rma(
    *,
    actor: Actor,
    ticket: Ticket,
    kind: str,
    items: Sequence[Mapping[str, Any]],
    issued_at: dt.datetime | None = None,
) -> Rma:
    """Open the RMA of a ticket, numbered with the ticket's number (P3, R1).

    The number is valid 30 calendar days on the vendor's wall clock (R1). An advance exchange is
    refused for models flagged so (R5); a money-back return only for hardware (F3: its 30-day
    window is checked when the product arrives). Returns are for assets within warranty at
    the issue instant (W1): out of warranty the RMA is refused unless the customer accepted a
    billable repair quote on the ticket, which the RMA then records (R9). `issued_at` (staff
    only, like the whole service) records an RMA issued earlier, e.g. by phone.
    """
    require_rma_staff(actor, "opening an RMA")
    if kind not in RmaKind.values:
        raise InvalidInput(
            f"unknown RMA kind {kind!r}; the kinds are {', '.join(RmaKind.values)}",
            field="kind",
        )
    issued = instant_for(actor, issued_at, field="issued_at")
    lines = clean_items(items)
    # Lock the ticket: two agents opening its RMA at once queue here, and the second is told.
    ticket = lock(Ticket.objects.select_related("customer", "asset", "asset__model"), ticket.pk)
    if ticket.status in CLOSED_STATUSES:
        raise Conflict(
            f"ticket {ticket.number} is closed: an RMA is opened from an open ticket (rule R1)",
            rule="R1",
            field="ticket",
        )
    if Rma.objects.filter(ticket=ticket).exists():
        raise Conflict(
            f"ticket {ticket.number} already has RMA {ticket.number}: one RMA per ticket, "
            f"carrying the ticket's number (rules P3, R1)",
            rule="R1",
            field="ticket",
        )
    asset = ticket.asset
    if asset is None:
        raise Conflict(
            f"ticket {ticket.number} names no serial-numbered asset to return (rule R1)",
            rule="R1",
            field="ticket",
        )
    policy = active_policy()
    rules = ["R1", "P3"]
    warranty = warranty_status(asset, issued)
    quote = None
    if not warranty.is_covered:
        quote = accepted_quote(ticket)
        if quote is None:
            raise PolicyError(
                f"the warranty of {asset.serial} ended {warranty.ends_on} (rule W1): returns are "
                f"for assets within warranty; out of warranty the customer first accepts a "
                f"billable repair quote (rule R9)",
                rule="W1",
                field="serial",
            )
        rules.append("R9")
    if kind == RmaKind.ADVANCE_EXCHANGE:
        if not advance_exchange_offered(policy, asset):
            raise PolicyError(
                f"advance exchange is not offered for {asset.model.name}; open a repair or "
                f"replacement RMA instead",
                rule="R5",
                field="kind",
            )
        rules.append("R5")
    if kind == RmaKind.MONEY_BACK:
        if product_kind(asset) == "software":
            raise PolicyError(
                f"{asset.model.name} is software: software is not eligible for the money-back "
                f"guarantee",
                rule="F3",
                field="kind",
            )
        rules.append("F3")
    dates = rma_dates(policy, issued=issued)
    try:
        with transaction.atomic():
            rma = Rma.objects.create(
                number=ticket.number,
                ticket=ticket,
                kind=kind,
                status=RmaStatus.ISSUED,
                issued_at=issued,
                expires_at=dates.expires_at,
                repair_quote=quote,
                created_by=user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            f"RMA {ticket.number} already exists (rules P3, R1)", rule="R1", field="ticket"
        ) from None
    created = RmaItem.objects.bulk_create(
        RmaItem(rma=rma, part=part, serial=serial, unit_price=price, currency=asset.currency)
        for part, serial, price in lines
    )
    record(
        rma,
        actor=actor,
        verb="rma.opened",
        changes={
            "kind": kind,
            "status": RmaStatus.ISSUED,
            "issued_at": issued,
            "expires_at": dates.expires_at,
            "serial": asset.serial,
            "items": [
                {"part": part, "serial": serial, "unit_price": price, "currency": asset.currency}
                for part, serial, price in lines
            ],
            "warranty_ends_on": warranty.ends_on,
            **(
                {"billable_repair": {"quote": quote.pk, "amount": quote.amount}}
                if quote is not None
                else {}
            ),
        },
        rules=rules,
        at=issued,
        note=" ".join(dates.explain),
        event=RmaOpened.of(rma, items=created),
    )
    return rma
