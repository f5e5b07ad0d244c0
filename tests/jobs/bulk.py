"""Many records at once, for the scale-out tests and bench/scale.py.

Written with bulk_create (a few statements per thousand rows), with the dates the policy core
computes, so that 10,000 advance exchanges due their day-14 invoice (R4) take seconds to make.
Only what the day-14 scan and the outbox read is filled in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rmadesk.assets.models import Asset, ProductModel
from rmadesk.core.policies import active_policy
from rmadesk.customers.models import Customer
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.policy.rma import rma_dates
from rmadesk.rmas.models import Rma, RmaItem
from rmadesk.tickets.models import Ticket

UTC = dt.UTC
# Replacement shipped Monday 2 November 2026, 10:00 Pacific: the day-14 invoice falls due on
# 16 November (R4), well before any `now` these tests and the bench use.
SHIPPED_AT = dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
PART_PRICE = Decimal("450.00")
FIRST_NUMBER = 700_000


def due_advance_exchanges(count: int, *, customers: int = 50, batch: int = 2000) -> list[int]:
    """`count` advance exchanges whose part is still out and whose day-14 invoice is due (R4).

    Each has one priced part (450.00 USD). Returns their RMA numbers.
    """
    policy = active_policy()
    product, _ = ProductModel.objects.get_or_create(
        name="TrueNAS X20 (bulk)", defaults={"product_line": "truenas"}
    )
    start = FIRST_NUMBER + Rma.objects.filter(number__gte=FIRST_NUMBER).count()
    owners = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Bulk customer {start}-{n}",
                country="US",
                zone="America/Los_Angeles",
                email=f"ops{start}-{n}@bulk.example",
                created_at=SHIPPED_AT - dt.timedelta(days=400),
            )
            for n in range(customers)
        ]
    )
    opened = SHIPPED_AT - dt.timedelta(hours=3)
    issued = opened + dt.timedelta(hours=1)
    dates = rma_dates(policy, issued=issued, replacement_shipped=SHIPPED_AT)
    numbers: list[int] = []
    for first in range(start, start + count, batch):
        chunk = range(first, min(first + batch, start + count))
        assets = Asset.objects.bulk_create(
            [
                Asset(
                    customer=owners[n % customers],
                    serial=f"BULK{n}",
                    model=product,
                    shipped_on=dt.date(2025, 6, 1),
                    warranty_years=3,
                    price=Decimal("9000.00"),
                )
                for n in chunk
            ]
        )
        tickets = Ticket.objects.bulk_create(
            [
                Ticket(
                    number=n,
                    customer=asset.customer,
                    asset=asset,
                    plan="gold",
                    severity="S2",
                    status="open",
                    channel="portal",
                    subject=f"Drive failure {n}",
                    opened_at=opened,
                    policy_version="bulk",
                )
                for n, asset in zip(chunk, assets, strict=True)
            ]
        )
        rmas = Rma.objects.bulk_create(
            [
                Rma(
                    number=ticket.number,
                    ticket=ticket,
                    kind="advance_exchange",
                    status="replacement_shipped",
                    issued_at=issued,
                    expires_at=dates.expires_at,
                    replacement_shipped_at=SHIPPED_AT,
                    label_issued_at=issued,
                    label_expires_at=dates.label_expires_at,
                    invoice_at=dates.invoice_at,
                )
                for ticket in tickets
            ]
        )
        RmaItem.objects.bulk_create(
            [
                RmaItem(rma=rma, part="HDD 16TB", serial=f"ZL{rma.number}", unit_price=PART_PRICE)
                for rma in rmas
            ]
        )
        numbers.extend(rma.number for rma in rmas)
    return numbers


def queued_notifications(count: int, *, to: str = "ops@bulk.example", batch: int = 2000) -> None:
    """`count` notifications waiting in the outbox, due now, as `enqueue` leaves them."""
    from rmadesk.mail.outbox import new_message_id

    now = dt.datetime.now(UTC)
    start = OutboxMessage.objects.count()
    for first in range(start, start + count, batch):
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    kind="bulk",
                    dedupe_key=f"bulk:{n}",
                    message_id=new_message_id(),
                    to=[to],
                    cc=[],
                    subject=f"Bulk notification {n}",
                    text_body=f"Notification number {n}.\n",
                    html_body="",
                    headers={},
                    attachments=[],
                    status=OutboxStatus.QUEUED,
                    next_attempt_at=now,
                    created_at=now,
                )
                for n in range(first, min(first + batch, start + count))
            ]
        )
