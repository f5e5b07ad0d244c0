"""Writes only the portal makes: a ticket or reply with its files, and a money-back request (F3).

Opening a ticket, replying and attaching files are the tickets app's services
(`rmadesk.tickets.services`, `rmadesk.tickets.attachments`); these wrap them so the message and
its files are recorded in one transaction. Each file leaves its own audit event under the
ticket's number, so the ticket's history shows who attached what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.assets.selectors import asset_by_serial
from rmadesk.core.permissions import Actor, instant_for
from rmadesk.core.policies import active_policy
from rmadesk.core.services import record_event
from rmadesk.policy.errors import PolicyError
from rmadesk.portal.selectors import money_back_answer, product_kind
from rmadesk.tickets.attachments import attach_files
from rmadesk.tickets.choices import Channel
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services import open_ticket, reply

MONEY_BACK_SEVERITY = "S4"  # L2: an administrative request


@transaction.atomic
def open_ticket_with_files(
    *,
    actor: Actor,
    serial: str,
    severity: str,
    subject: str,
    body: str,
    files: Sequence[UploadedFile] = (),
    opened_at: dt.datetime | None = None,
    about_jails_or_plugins: bool = False,
) -> Ticket:
    """A ticket opened from the portal (channel `portal`), its first message carrying the files.

    `opened_at` goes to `open_ticket`, which takes it from the vendor's staff only;
    `about_jails_or_plugins` too (P2: supported only by the contract's prior arrangement).
    """
    ticket = open_ticket(
        actor=actor,
        opened_at=opened_at,
        serial=serial,
        severity=severity,
        subject=subject,
        body=body,
        channel=Channel.PORTAL,
        about_jails_or_plugins=about_jails_or_plugins,
    )
    first = ticket.messages.order_by("at", "id").first()
    attach_files(actor=actor, ticket=ticket, message=first, files=files, via="portal")
    return ticket


@transaction.atomic
def reply_with_files(
    *,
    actor: Actor,
    ticket: Ticket,
    body: str,
    files: Sequence[UploadedFile] = (),
    at: dt.datetime | None = None,
) -> Message:
    """The customer's public reply (L5: it resumes a ticket waiting on them) with its files."""
    message = reply(actor=actor, ticket=ticket, body=body, public=True, at=at)
    attach_files(actor=actor, ticket=ticket, message=message, files=files, via="portal")
    return message


@transaction.atomic
def request_money_back(
    *, actor: Actor, serial: str, reason: str = "", opened_at: dt.datetime | None = None
) -> Ticket:
    """A customer asks to return a system under the money-back guarantee (F3).

    Refused with rule F3 when the product is software or its window has passed (the earliest it
    can arrive back is today). Otherwise an S4 ticket on the serial records the request, with the
    deadline and the refund the policy computes for an arrival today; an agent opens the
    money-back RMA from it (opening an RMA is the vendor's).
    """
    # F3's window counts to the day the request is made: only staff may say it was earlier.
    when = instant_for(actor, opened_at, field="opened_at")
    asset = asset_by_serial(actor, serial)  # another customer's serial: 404, like a missing one
    day = when.astimezone(active_policy().vendor_zone).date()
    answer = money_back_answer(actor, asset.serial, on=day)
    if not answer.eligible:
        if product_kind(asset) == "hardware" and answer.deadline < day:
            days = active_policy().document.money.money_back_days
            why = _(
                "%(serial)s shipped %(shipped)s: its %(days)s-day money-back "
                "window ended %(deadline)s, so it can no longer arrive back in time"
            ) % {
                "serial": asset.serial,
                "shipped": asset.shipped_on.isoformat(),
                "days": days,
                "deadline": answer.deadline.isoformat(),
            }
        else:
            why = f"{asset.serial}: {answer.reason.removesuffix(' (rule F3)')}"
        raise PolicyError(why, rule="F3", field="serial")
    lines = [
        f"Money-back return requested for {asset.serial} ({asset.model.name}).",
        f"The product must arrive back by {answer.deadline.isoformat()} with its manuals, media "
        f"and documentation (rule F3).",
        f"If it arrived today: {answer.reason}.",
    ]
    if reason.strip():
        lines.append(f"Customer's reason: {reason.strip()}")
    ticket = open_ticket(
        actor=actor,
        serial=asset.serial,
        severity=MONEY_BACK_SEVERITY,
        subject=f"Money-back return for {asset.serial}",
        body="\n\n".join(lines),
        channel=Channel.PORTAL,
        opened_at=opened_at,
    )
    record_event(
        actor=actor,
        verb="money_back.requested",
        subject_type="ticket",
        subject_id=ticket.number,
        ticket_number=ticket.number,
        changes={
            "serial": asset.serial,
            "deadline": answer.deadline,
            "refund_if_arrived_today": answer.refund,
            "restocking_fee": answer.restocking_fee,
            "currency": answer.currency,
        },
        rules=("F3", "F4"),
        note="an agent opens the money-back RMA from this ticket",
    )
    return ticket
