"""Held mail: the emails intake could not place, and what an agent does with each of them.

Mail intake (`rmadesk.mail.inbound`) holds a message it cannot act on: an unknown sender, no
serial of the sender's customer in it, or a refusal by the ticket services. Here an agent reads
the held messages (newest first) and resolves each one once:

- `link_held_message`: to a customer, which opens a ticket on a serial of theirs (its clock
  from when the mail arrived) or threads the mail onto a ticket of theirs (the one named, else
  the one the mail answers) as the customer's reply; the mail's kept files go with it. With
  `remember_sender` the sender also becomes a contact of the customer, so their next mail is
  no longer held.
- `discard_held_message`: spam. The message is kept, with who discarded it and when, never
  deleted: what came in can always be checked.

Both lock the message's row first; a second agent resolving the same message gets a Conflict
saying who resolved it and how. Who may do this: `rmadesk.mail.permissions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from rmadesk.assets.models import Asset
from rmadesk.core import clock
from rmadesk.core.errors import Conflict, InvalidInput, NotFound
from rmadesk.core.locking import lock
from rmadesk.core.permissions import Actor, user_or_none
from rmadesk.core.services import record_event
from rmadesk.customers.models import Customer
from rmadesk.customers.selectors import visible_customers
from rmadesk.customers.services import add_contact
from rmadesk.mail import inbound_rules as rules
from rmadesk.mail.events import HeldMailDiscarded, HeldMailLinked
from rmadesk.mail.inbound import (
    answering,
    attach_mail_files,  # the one way a mail's kept files reach a ticket
    customer_actor,
    message_body,
    ticket_subject,
)
from rmadesk.mail.models_inbound import HELD_STATUSES, InboundMessage, InboundStatus
from rmadesk.mail.permissions import may_handle_held_mail, require_held_mail_staff
from rmadesk.tickets.choices import Channel, Severity
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services import open_ticket, reply

__all__ = [
    "HELD_STATUSES",
    "PREVIEW_CHARS",
    "discard_held_message",
    "held_count",
    "held_message_for",
    "held_messages",
    "link_held_message",
    "preview",
    "serials_of",
    "why_held",
]

PREVIEW_CHARS = 160
MAX_ID = 2**63 - 1  # ids are 64-bit: a larger one is simply missing
# Read for a list row: the head of the text (a preview), never the raw message or the whole text.
_HEAD_CHARS = 600

WHY = {
    InboundStatus.HELD_UNKNOWN_SENDER: _("Unknown sender"),
    InboundStatus.HELD_NO_SERIAL: _("No serial found"),
    InboundStatus.HELD_REFUSED: _("Refused by the ticket service"),
    InboundStatus.DISCARDED_SPAM: _("Discarded as spam"),
    InboundStatus.TICKET_OPENED: _("Linked: opened a ticket"),
    InboundStatus.THREADED: _("Linked: added to a ticket"),
}


def why_held(status: str) -> str:
    """Why a message is held (or what became of it), in a few plain words."""
    return str(WHY.get(InboundStatus(status), InboundStatus(status).label))


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The start of a message's text on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if flat[limit - 1] != " " and space > limit // 2:  # the cut fell inside a word
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


# ------------------------------------------------------------------------------ reading


def held_messages(user: Actor) -> QuerySet[InboundMessage]:
    """Held messages, newest first, with their files; each has `text_head` for a preview.

    One query for the page of rows and one for their files, whatever their number: the raw
    message and the whole text are not read.
    """
    require_held_mail_staff(user, "reading held mail")
    return (
        InboundMessage.objects.filter(status__in=HELD_STATUSES)
        .defer("raw", "text", "html_sanitised")
        .annotate(text_head=Substr("text", 1, _HEAD_CHARS))
        .prefetch_related("attachments")
        .order_by("-received_at", "-id")
    )


def held_count(user: Actor) -> int | None:
    """How many messages are held, or None for a user who may not handle held mail."""
    if not may_handle_held_mail(user):
        return None
    return InboundMessage.objects.filter(status__in=HELD_STATUSES).count()


def held_message_for(user: Actor, pk: int) -> InboundMessage:
    """One held message, or one an agent has since linked or discarded (for the record).

    A message intake placed by itself (a ticket, a reply, ignored, rejected) was never held
    mail: it answers like a missing one.
    """
    require_held_mail_staff(user, "reading held mail")
    found = (
        InboundMessage.objects.defer("raw")
        .select_related("customer", "ticket", "linked_by", "discarded_by")
        .prefetch_related("attachments")
        .filter(pk=pk if 0 < pk <= MAX_ID else 0)
        .first()
    )
    if found is None or not (
        found.status in HELD_STATUSES or found.linked_at or found.discarded_at
    ):
        raise NotFound(f"no held email {pk}", field="inbound")
    return found


def serials_of(user: Actor, customer: int) -> list[str]:
    """The serials of a customer, for choosing the one a held email is about."""
    require_held_mail_staff(user, "reading held mail")
    if not 0 < customer <= MAX_ID:
        return []
    return list(
        Asset.objects.filter(customer_id=customer)
        .order_by("serial")
        .values_list("serial", flat=True)
    )


# ------------------------------------------------------------------------------ writing


def _locked_held(actor: Actor, inbound: InboundMessage | int, action: str) -> InboundMessage:
    require_held_mail_staff(actor, action)
    pk = inbound.pk if isinstance(inbound, InboundMessage) else inbound
    try:
        found = lock(InboundMessage.objects.defer("raw"), pk if 0 < pk <= MAX_ID else 0)
    except InboundMessage.DoesNotExist:
        raise NotFound(f"no held email {pk}", field="inbound") from None
    if found.status not in HELD_STATUSES:
        raise Conflict(_already_resolved(found), field="inbound")
    return found


def _already_resolved(found: InboundMessage) -> str:
    """Why a message can no longer be linked or discarded: who resolved it, and how."""
    if found.status == InboundStatus.DISCARDED_SPAM:
        who = _who(found.discarded_by_id)
        return f"this email was already discarded as spam{who}: nothing left to do"
    number = found.ticket.number if found.ticket_id and found.ticket else None
    if found.linked_at is not None and number is not None:
        return f"this email was already linked to ticket {number}{_who(found.linked_by_id)}"
    label = InboundStatus(found.status).label
    return f"this email is not held ({label}): nothing to link or discard"


def _who(user_id: int | None) -> str:
    if user_id is None:
        return ""
    found = get_user_model().objects.filter(pk=user_id).first()
    name = getattr(found, "email", "") or getattr(found, "username", "")
    return f" by {name}" if name else ""


def _customer(actor: Actor, customer: Customer | int | None) -> Customer:
    pk = customer.pk if isinstance(customer, Customer) else customer
    found = (
        visible_customers(actor).filter(pk=pk).first()
        if isinstance(pk, int) and 0 < pk <= MAX_ID
        else None
    )
    if found is None:
        raise InvalidInput(
            "choose the customer this email is from" if pk is None else f"no customer {pk}",
            field="customer",
        )
    return found


def _ticket_of(customer: Customer, ticket: Ticket | int) -> Ticket:
    number = ticket.number if isinstance(ticket, Ticket) else ticket
    found = (
        Ticket.objects.select_related("customer", "asset").filter(number=number).first()
        if 0 < number <= MAX_ID
        else None
    )
    if found is None:
        raise InvalidInput(f"no ticket {number}", field="ticket")
    if found.customer_id != customer.pk:
        raise InvalidInput(
            f"ticket {number} is {found.customer.name}'s, not {customer.name}'s", field="ticket"
        )
    return found


def _asset_of(customer: Customer, serial: str) -> Asset:
    serial = serial.strip()
    found = Asset.objects.select_related("customer").filter(serial__iexact=serial).first()
    if found is None:
        raise InvalidInput(f"no asset with serial {serial!r}", field="serial")
    if found.customer_id != customer.pk:
        raise InvalidInput(
            f"serial {found.serial} belongs to {found.customer.name}, not {customer.name}",
            field="serial",
        )
    return found


@transaction.atomic
def link_held_message(
    *,
    actor: Actor,
    inbound: InboundMessage | int,
    customer: Customer | int | None,
    serial: str = "",
    ticket: Ticket | int | None = None,
    severity: str = "",
    remember_sender: bool = False,
) -> InboundMessage:
    """An agent links a held email to a customer: a reply on a ticket, or a new ticket.

    Onto `ticket` (a ticket of the customer) when given; else a new ticket on `serial` (of the
    customer) when given; else onto the customer's ticket the mail answers (by its headers).
    A new ticket is the agent's, opened on the customer's behalf by email, its clock from when
    the mail arrived; severity as given, else as the subject asks (L2). A reply is the
    customer's message (L5: it resumes a ticket waiting on them). The kept files go with it.
    """
    locked = _locked_held(actor, inbound, "linking a held email")
    owner = _customer(actor, customer)
    serial = (serial or "").strip()
    target: Ticket | None = _ticket_of(owner, ticket) if ticket is not None else None
    asset = _asset_of(owner, serial) if serial and target is None else None
    if target is not None and serial and (target.asset is None or target.asset.serial != serial):
        raise InvalidInput(
            f"ticket {target.number} is not on serial {serial}: give the ticket or the serial",
            field="serial",
        )
    if target is None and asset is None:
        if locked.ticket_hint is not None:
            target = Ticket.objects.filter(number=locked.ticket_hint, customer=owner).first()
        if target is None:
            raise InvalidInput(
                f"choose a serial of {owner.name} to open a ticket on, or the number of a "
                f"ticket of theirs to add this email to",
                field="serial",
            )
    if severity and severity not in Severity.values:
        raise InvalidInput(
            f"unknown severity {severity!r}; the severities are {', '.join(Severity.values)}",
            field="severity",
        )
    remembered = remember_sender and _remember(actor, owner, locked)
    attachments = list(locked.attachments.all())
    message: Message | None
    if target is not None:
        writer, own = customer_actor(owner, locked.from_address)
        message = reply(
            actor=writer,
            ticket=target,
            body=message_body(locked, attachments, name_sender=not own),
            public=True,
        )
        attach_mail_files(writer, target, message, attachments)
        status, what = InboundStatus.THREADED, f"added to ticket {target.number}"
    else:
        assert asset is not None
        asked = severity or rules.severity_from_subject(locked.subject)[0]
        target = open_ticket(
            actor=actor,
            serial=asset.serial,
            severity=asked,
            subject=ticket_subject(locked.subject),
            body=message_body(locked, attachments, name_sender=True),
            channel=Channel.EMAIL,
            opened_at=locked.received_at,
            **answering(locked),
        )
        message = target.messages.order_by("at", "id").first()
        attach_mail_files(actor, target, message, attachments)
        status, what = InboundStatus.TICKET_OPENED, f"opened ticket {target.number}"
    before = locked.status
    locked.status = status
    locked.ticket = target
    locked.ticket_message = message
    locked.customer = owner
    locked.linked_by = user_or_none(actor)
    locked.linked_at = clock.now()
    locked.reason = f"{locked.reason}; linked by an agent: {what}"
    locked.save(
        update_fields=[
            "status",
            "ticket",
            "ticket_message",
            "customer",
            "linked_by",
            "linked_at",
            "reason",
        ]
    )
    changes: dict[str, Any] = {
        "status": [before, status],
        "customer": owner.pk,
        "ticket": target.number,
        "from": locked.from_address,
    }
    if remembered:
        changes["sender_remembered"] = True
    record_event(
        actor=actor,
        verb="mail.linked",
        subject_type="inbound_message",
        subject_id=locked.pk,
        ticket_number=target.number,
        changes=changes,
        note=what,
        event=HeldMailLinked(
            inbound_pk=locked.pk,
            customer_pk=owner.pk,
            ticket_number=target.number,
            opened=status == InboundStatus.TICKET_OPENED,
            sender_remembered=remembered,
        ),
    )
    return locked


def _remember(actor: Actor, customer: Customer, inbound: InboundMessage) -> bool:
    """The sender becomes a contact of the customer: their next mail is no longer held."""
    if "@" not in inbound.from_address:
        raise InvalidInput(
            "this email names no sender address to remember", field="remember_sender"
        )
    add_contact(actor=actor, customer=customer, email=inbound.from_address, name=inbound.from_name)
    return True


@transaction.atomic
def discard_held_message(
    *, actor: Actor, inbound: InboundMessage | int, note: str = ""
) -> InboundMessage:
    """An agent discards a held email as spam: kept with who and when, never deleted."""
    locked = _locked_held(actor, inbound, "discarding a held email")
    before = locked.status
    note = " ".join(note.split())[:500]
    locked.status = InboundStatus.DISCARDED_SPAM
    locked.discarded_by = user_or_none(actor)
    locked.discarded_at = clock.now()
    locked.reason = f"{locked.reason}; discarded as spam by an agent" + (
        f": {note}" if note else ""
    )
    locked.save(update_fields=["status", "discarded_by", "discarded_at", "reason"])
    record_event(
        actor=actor,
        verb="mail.discarded",
        subject_type="inbound_message",
        subject_id=locked.pk,
        changes={"status": [before, locked.status], "from": locked.from_address},
        note=note or "discarded as spam",
        event=HeldMailDiscarded(inbound_pk=locked.pk),
    )
    return locked
